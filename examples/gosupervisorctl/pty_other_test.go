//go:build !linux

package main

import (
	"os"
	"testing"
)

// openPTY skips: the pseudo-terminal tests open their terminal with Linux's
// ioctls.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	t.Skip("pseudo-terminal tests need Linux")
	return nil, nil
}
