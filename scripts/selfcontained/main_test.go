package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// up returns n ".." steps: the texts under test are built, not written
// out, so that this file does not itself refer outside the repository.
func up(n int) string { return strings.Repeat("../", n) }

func TestScan(t *testing.T) {
	shared := up(1) + sharedDir
	cases := []struct {
		name, file, text string
		want             []string // the references found
	}{
		{"README link to a neighbour", "README.md", "see `" + shared + "/tools/ctl-diff` and", []string{shared + "/tools/ctl-diff"}},
		{"test reading beside the repository", "internal/daemon/x_test.go",
			`os.ReadFile("` + up(3) + sharedDir + `/fixtures/seed.conf")`, []string{up(3) + sharedDir + "/fixtures/seed.conf"}},
		{"climbing out to another name", "internal/daemon/x_test.go", `"` + up(3) + `other/x"`, []string{up(3) + "other/x"}},
		{"the shared directory mentioned from a deep file", "internal/daemon/doc.go", "// " + shared + " has it", []string{shared}},
		{"dot prefix", "a.md", "./" + shared + "/x.", []string{"./" + shared + "/x."}},
		{"several on a line, line numbers", "x.md", "ok\n(" + up(1) + "a) and " + up(2) + "b", []string{up(1) + "a", up(2) + "b"}},

		{"within the repository", "internal/daemon/x_test.go", `"` + up(2) + `config/testdata/seed.conf"`, nil},
		{"sibling package", "examples/gosupervisorctl/h_test.go", `build("` + up(1) + `gosupervisord")`, nil},
		{"inside a longer absolute path", "config/load_test.go", `file=/tmp/` + up(3) + `tmp/x.sock`, nil},
		{"after an expansion", "x_test.go", `unix://%(here)s/` + up(2) + `x/./s.sock`, nil},
		{"a name merely ending in dots", "x.go", "args...)/" + sharedDir, nil},
		{"a word like shared elsewhere", "x.go", "// may be shared by " + up(0) + "many", nil},
		{"shared as a prefix of another name", "a/b.md", up(1) + sharedDir + "x/y", nil},
		{"binary file", "x.bin", "\x00\x01" + shared, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range scan(c.file, []byte(c.text)) {
				assert.Equal(t, c.file, f.file)
				got = append(got, f.ref)
			}
			assert.Equal(t, c.want, got)
		})
	}
	found := scan("x.md", []byte("ok\n("+up(1)+"a) and\n"+up(2)+"b"))
	require.Len(t, found, 2)
	assert.Equal(t, 2, found[0].line)
	assert.Equal(t, 3, found[1].line)
	assert.Equal(t, "x.md:2: refers to "+up(1)+"a, outside the repository", found[0].String())
}

func TestClimbs(t *testing.T) {
	assert.True(t, climbs("README.md", up(1)+"x"))
	assert.False(t, climbs("a/README.md", up(1)+"x"))
	assert.True(t, climbs("a/b/c.go", up(3)+"x"))
	assert.False(t, climbs("a/b/c.go", up(2)+"x"))
	assert.True(t, climbs("a/b/c.go", "x/"+up(4)), "down then further up")
	assert.False(t, climbs("a/b/c.go", "./x/./"+up(3)))
	assert.False(t, climbs("a/b/c.go", "/abs/"+up(5)))
}

// Outside a git checkout every file is read, symbolic links included.
func TestCheckDirectory(t *testing.T) {
	root := t.TempDir()
	write := func(name, text string) {
		p := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	write("README.md", "run `go test "+up(0)+"./...`\n")
	write("internal/x/x_test.go", "package x\n// reads "+up(3)+sharedDir+"/f\n")
	write(".git/config", up(5)+"ignored\n")
	require.NoError(t, os.Symlink(up(2)+"elsewhere", filepath.Join(root, "internal", "out")))
	require.NoError(t, os.Symlink("x/x_test.go", filepath.Join(root, "internal", "in")))
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(root, "abs")))
	found, err := check(root)
	require.NoError(t, err)
	var got []string
	for _, f := range found {
		got = append(got, f.String())
	}
	assert.ElementsMatch(t, []string{
		"abs: symbolic link to /etc/passwd, outside the repository",
		"internal/out: symbolic link to " + up(2) + "elsewhere, outside the repository",
		"internal/x/x_test.go:2: refers to " + up(3) + sharedDir + "/f, outside the repository",
	}, got)
}

// The repository itself refers to nothing outside it (scripts/test also
// runs the command, before anything else).
func TestRepositoryStandsAlone(t *testing.T) {
	found, err := check(filepath.Join("..", ".."))
	require.NoError(t, err)
	for _, f := range found {
		t.Error(f)
	}
}
