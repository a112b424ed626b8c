package daemon

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFlags(t *testing.T) {
	f, err := parseFlags([]string{"-c", "a.conf", "-nk", "--logfile=/tmp/x.log", "-e", "debug", "--minprocs", "300", "-m", "027", "-iID"})
	require.NoError(t, err)
	assert.Equal(t, "a.conf", f.config)
	assert.True(t, f.nodaemon)
	assert.True(t, f.nocleanup)
	assert.Equal(t, "/tmp/x.log", *f.logfile)
	assert.Equal(t, "debug", *f.loglevel)
	assert.Equal(t, "300", *f.minprocs)
	assert.EqualValues(t, 0o27, *f.umask)
	assert.Equal(t, "ID", *f.identifier)

	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"extra"}, "positional arguments are not supported: ['extra']"},
		{[]string{"-x"}, "option -x not recognized"},
		{[]string{"--bogus"}, "option --bogus not recognized"},
		{[]string{"-c"}, "option -c requires argument"},
		{[]string{"-m", "089"}, "invalid value for -m '089': 089 can not be converted to an octal type"},
	} {
		_, err := parseFlags(c.args)
		assert.EqualError(t, err, c.err, "%v", c.args)
	}
}
