package supervisor

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseEnvFile(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"A=1\nB=2", map[string]string{"A": "1", "B": "2"}},
		{"  # comment\n; also\n\n\t\nA = spaced value  \r\n", map[string]string{"A": "spaced value"}},
		{"export A=1\nexport\tB=2\nexportC=3", map[string]string{"A": "1", "B": "2", "exportC": "3"}},
		{"A='single $x \\n \"q\"'", map[string]string{"A": `single $x \n "q"`}},
		{`A="double \"q\" \\ \$ \n"`, map[string]string{"A": `double "q" \ $ \n`}},
		{"A=\"two\nlines\"\nB=x", map[string]string{"A": "two\nlines", "B": "x"}},
		{"A=one \\\n  two\nB=x", map[string]string{"A": "one   two", "B": "x"}},
		{`A=a\ b\ `, map[string]string{"A": "a b "}},
		{"A=  'kept  '  ", map[string]string{"A": "kept  "}},
		{`A=x"y z"w`, map[string]string{"A": "xy zw"}},
		{"A=#not a comment", map[string]string{"A": "#not a comment"}},
		{"A=1\nA=2", map[string]string{"A": "2"}},
		{"_a1=\nB=é", map[string]string{"_a1": "", "B": "é"}},
		{"A=b=c", map[string]string{"A": "b=c"}},
	}
	for _, c := range good {
		got := map[string]string{}
		require.NoError(t, parseEnvFile("f", []byte(c.in), got), "%q", c.in)
		require.Equal(t, c.want, got, "%q", c.in)
	}
	bad := []struct {
		in   string
		line int
		msg  string
	}{
		{"A=1\n\njunk\n", 3, `not NAME=VALUE: "junk"`},
		{"1A=x", 1, `invalid variable name "1A"`},
		{"A-B=x", 1, `invalid variable name "A-B"`},
		{"=x", 1, `invalid variable name ""`},
		{"export 1A=x", 1, `invalid variable name "1A"`},
		{"A=1\nB='open\n\n", 2, "unterminated single quote"},
		{"A=\"open", 1, "unterminated double quote"},
		{"A=1\nB=\x00\x01\x02", 2, "NUL byte"},
		{"\x7fELF\x02\x01\x01", 1, "not NAME=VALUE"},
	}
	for _, c := range bad {
		err := parseEnvFile("/x/f.env", []byte(c.in), map[string]string{})
		var fe *EnvFileError
		require.True(t, errors.As(err, &fe), "%q: %v", c.in, err)
		require.Equal(t, c.line, fe.Line, "%q: %v", c.in, err)
		require.Contains(t, err.Error(), c.msg)
		require.True(t, strings.HasPrefix(err.Error(), "environment file /x/f.env, line "), err.Error())
	}
}

// A huge line or file costs a bounded read and a clear error.
func TestLoadEnvFileBounds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	require.NoError(t, os.WriteFile(big, []byte("A="+strings.Repeat("x", 10<<20)+"\n"), 0o644))
	err := loadEnvFile(big, map[string]string{})
	require.ErrorContains(t, err, "is larger than 1048576 bytes")

	long := filepath.Join(dir, "long") // one long line under the limit is fine
	require.NoError(t, os.WriteFile(long, []byte("A="+strings.Repeat("x", 512<<10)), 0o644))
	env := map[string]string{}
	require.NoError(t, loadEnvFile(long, env))
	require.Len(t, env["A"], 512<<10)

	require.ErrorContains(t, loadEnvFile(dir, env), "not a regular file")
	require.NoError(t, loadEnvFile("-"+filepath.Join(dir, "missing"), env))
	require.EqualError(t, loadEnvFile(filepath.Join(dir, "missing"), env),
		"can't read environment file '"+filepath.Join(dir, "missing")+"': no such file or directory")
}

func envSpec(t *testing.T, name string, files ...string) ProgramSpec {
	spec := newSpec(name, "/usr/bin/env")
	spec.StartSecs = -1
	spec.AutoRestart = RestartNever
	spec.StartRetries = -1
	spec.Stdout.EventsEnabled = true
	spec.EnvironmentFiles = files
	return spec
}

// Each level overrides the one before: the supervisor's environment,
// WithEnvironment, WithEnvironmentFiles, the program's files in order, its
// Environment.
func TestEnvironmentFilesPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	supFile := write("sup.env", "HOME=/from/supfile\nEFB=supfile\nEFC=supfile\nEFD=supfile\nEFE=supfile\n")
	f1 := write("f1.env", "# program file 1\nexport EFC=f1\nEFD=f1\nEFE=f1\n")
	f2 := write("f2.env", "EFD='f2 quoted'\nEFE=f2\n")
	spec := envSpec(t, "prec", f1, "-"+filepath.Join(dir, "absent.env"), f2)
	spec.Environment = map[string]string{"EFE": "prog"}
	ts := startSup(t, []ProgramSpec{spec},
		WithEnvironment(map[string]string{"EFA": "sup", "EFB": "sup", "EFC": "sup", "EFD": "sup", "EFE": "sup"}),
		WithEnvironmentFiles(supFile))
	ts.waitState(t, "prec", Exited)
	for _, want := range []string{"EFA=sup\n", "EFB=supfile\n", "EFC=f1\n", "EFD=f2 quoted\n", "EFE=prog\n", "HOME=/from/supfile\n"} {
		ts.waitOutput(t, "prec", want)
	}
}

// The files are read at every spawn: an edit applies at the next start,
// and a file that became bad fails that start.
func TestEnvironmentFileChangedBetweenStarts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "app.env")
	require.NoError(t, os.WriteFile(path, []byte("VERSION=one\n"), 0o644))
	ts := startSup(t, []ProgramSpec{envSpec(t, "changing", path)})
	ts.waitState(t, "changing", Exited)
	ts.waitOutput(t, "changing", "VERSION=one\n")

	require.NoError(t, os.WriteFile(path, []byte("VERSION=two\n"), 0o644))
	p := ts.proc(t, "changing")
	require.NoError(t, p.Start(t.Context()))
	ts.waitOutput(t, "changing", "VERSION=two\n")
	ts.waitState(t, "changing", Exited)

	require.NoError(t, os.WriteFile(path, []byte("VERSION=three\nnot a line\n"), 0o644))
	err := p.Start(t.Context())
	require.ErrorIs(t, err, ErrSpawn)
	require.ErrorContains(t, err, "environment file "+path+", line 2: not NAME=VALUE")
	info := ts.waitState(t, "changing", Fatal)
	require.Contains(t, info.SpawnErr, path+", line 2")
}

// A missing file without '-' is a spawn error: BACKOFF, then FATAL.
func TestEnvironmentFileMissing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.env")
	ts := startSup(t, []ProgramSpec{envSpec(t, "strict", missing), envSpec(t, "lenient", "-"+missing)},
		WithEnvironmentFiles("-"+filepath.Join(dir, "also-missing.env")))
	info := ts.waitState(t, "strict", Fatal)
	require.Equal(t, "can't read environment file '"+missing+"': no such file or directory", info.SpawnErr)
	ts.waitState(t, "lenient", Exited)
	ts.waitOutput(t, "lenient", "SUPERVISOR_PROCESS_NAME=lenient\n")
	var saw bool
	for _, ev := range ts.stateEvents(t, "strict", 2) {
		saw = saw || ev.To == Backoff
	}
	require.True(t, saw, "strict went through BACKOFF")
}

// FuzzParseEnvFile: any input either parses into valid names or fails
// with an *EnvFileError on a line that exists; it never panics.
func FuzzParseEnvFile(f *testing.F) {
	for _, seed := range []string{"A=1\n", "export B='x'\n# c\n", "C=\"a\\\nb\"", "D=a\\\n b", "1=x", "E='open", "\x00", "F=x\r\n;c\r\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		env := map[string]string{}
		err := parseEnvFile("f", data, env)
		if err != nil {
			var fe *EnvFileError
			if !errors.As(err, &fe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if lines := strings.Count(string(data), "\n") + 1; fe.Line < 1 || fe.Line > lines {
				t.Fatalf("line %d of %d", fe.Line, lines)
			}
			return
		}
		for k := range env {
			if !validEnvName(k) {
				t.Fatalf("invalid name %q accepted", k)
			}
		}
	})
}
