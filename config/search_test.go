package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSearchPaths(t *testing.T) {
	assert.Equal(t, []string{"/usr/etc/supervisord.conf", "/usr/supervisord.conf", "supervisord.conf",
		"etc/supervisord.conf", "/etc/supervisord.conf", "/etc/supervisor/supervisord.conf"},
		SearchPaths("/usr/bin/supervisord"))
	assert.Equal(t, "etc/supervisord.conf", SearchPaths("supervisord")[0])
}

// Check 17: without -c the search order of spec 1.1 is honoured.
func TestCheck17FindOrder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "opt", "bin"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "etc"), 0o755))
	argv0 := filepath.Join(dir, "opt", "bin", "supervisord")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "etc", "supervisord.conf"), nil, 0o644))
	p, err := Find(argv0)
	require.NoError(t, err)
	if p == "/etc/supervisord.conf" || p == "/etc/supervisor/supervisord.conf" {
		t.Skip("a system config file shadows the test's")
	}
	assert.Equal(t, "etc/supervisord.conf", p)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "supervisord.conf"), nil, 0o644))
	p, _ = Find(argv0)
	assert.Equal(t, "supervisord.conf", p)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "opt", "supervisord.conf"), nil, 0o644))
	p, _ = Find(argv0)
	assert.Equal(t, filepath.Join(dir, "opt", "supervisord.conf"), p)

	require.NoError(t, os.MkdirAll(filepath.Join(dir, "opt", "etc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "opt", "etc", "supervisord.conf"), nil, 0o644))
	p, _ = Find(argv0)
	assert.Equal(t, filepath.Join(dir, "opt", "etc", "supervisord.conf"), p)
}
