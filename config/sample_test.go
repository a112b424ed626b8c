package config

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSampleLoads(t *testing.T) {
	file := filepath.Join(t.TempDir(), "supervisord.conf")
	require.NoError(t, os.WriteFile(file, []byte(Sample()), 0o644))
	cfg, err := LoadWith(file, testEnv)
	require.NoError(t, err)
	assert.Len(t, cfg.HTTPServers, 1)
	assert.NotNil(t, cfg.Supervisorctl)
	assert.Len(t, cfg.RPCInterfaces, 1)
}

// TestSampleUncommented uncomments every section and key of the sample
// (and fixes what must be local) to check that the documented keys load.
func TestSampleUncommented(t *testing.T) {
	dir := t.TempDir()
	text := regexp.MustCompile(`(?m)^;(\[|[a-z_]+ ?=)`).ReplaceAllString(Sample(), "$1")
	text = strings.NewReplacer("chown=nobody:nogroup", "chown=root", "user=supervisord", "user=root",
		"user=chrism", "user=root", "socket_owner=chrism", "socket_owner=root",
		"files = relative/directory/*.ini", "files = nothing/*.ini",
		"programs=progname1,progname2", "programs=theprogramname,thefcgiprogramname",
		"x_backoff=linear", "x_backoff=exponential",
		"x_depends_on=db,migrate:completed", "x_depends_on=thefcgiprogramname:completed").Replace(text)
	file := filepath.Join(dir, "supervisord.conf")
	require.NoError(t, os.WriteFile(file, []byte(text), 0o644))
	cfg, err := LoadWith(file, testEnv)
	require.NoError(t, err)
	assert.Len(t, cfg.Programs, 2, "both programs are in the group")
	assert.Len(t, cfg.EventListeners, 1)
	assert.Len(t, cfg.FCGIPrograms, 0, "a group member is run as a plain program, as supervisord does")
	assert.Len(t, cfg.Groups, 1)
	assert.Equal(t, "thegroupname", cfg.Programs[0].Group)
	assert.NotNil(t, cfg.Programs[0].Restart)
}

func TestSampleDocumentsEveryExtKey(t *testing.T) {
	for k := range ExtKeys {
		assert.Contains(t, Sample(), ";"+k+"=", k)
	}
	for k := range SupervisordExtKeys {
		assert.Contains(t, Sample(), ";"+k+"=", k)
	}
	for k := range HTTPServerExtKeys {
		assert.Contains(t, Sample(), ";"+k+"=", k)
	}
}
