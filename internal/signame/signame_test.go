//go:build linux

package signame

import (
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Parse accepts what supervisord 4.2.5's signal_number accepts on
// Linux, with its messages (the expected values were printed by Debian's
// supervisor package on this machine).
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want syscall.Signal
		err  string
	}{
		{in: "term", want: syscall.SIGTERM},
		{in: " sigterm ", want: syscall.SIGTERM},
		{in: "15", want: syscall.SIGTERM},
		{in: "+15", want: syscall.SIGTERM},
		{in: "1_5", want: syscall.SIGTERM},
		{in: "015", want: syscall.SIGTERM},
		{in: "usr2", want: syscall.SIGUSR2},
		{in: "iot", want: syscall.SIGABRT},
		{in: "cld", want: syscall.SIGCHLD},
		{in: "poll", want: 29},
		{in: "io", want: 29},
		{in: "rtmin", want: 34},
		{in: "SIGRTMAX", want: 64},
		{in: "64", want: 64},
		{in: "0", want: 0},
		{in: "SIG_DFL", want: 0},
		{in: "_ign", want: 1},
		{in: "SIG_SETMASK", want: 2},
		{in: "32", err: "value '32' is not a valid signal number"},
		{in: "35", err: "value '35' is not a valid signal number"},
		{in: "40", err: "value '40' is not a valid signal number"},
		{in: "63", err: "value '63' is not a valid signal number"},
		{in: "-1", err: "value '-1' is not a valid signal number"},
		{in: "sigsigterm", err: "value 'sigsigterm' is not a valid signal name"},
		{in: "rtmin+1", err: "value 'rtmin+1' is not a valid signal name"},
		{in: "0x0f", err: "value '0x0f' is not a valid signal name"},
		{in: "", err: "value '' is not a valid signal name"},
	} {
		sig, err := Parse(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, "%q", tc.in)
			assert.True(t, errors.Is(err, ErrBadSignal), "%q matches ErrBadSignal", tc.in)
			continue
		}
		if assert.NoError(t, err, "%q", tc.in) {
			assert.Equal(t, tc.want, sig, "%q", tc.in)
		}
	}
}
