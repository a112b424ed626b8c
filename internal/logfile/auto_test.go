package logfile

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// Check 31: AUTO child logs are named like supervisord's and private.
func TestAutoLogPath(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		process, channel, identifier string
		name                         *regexp.Regexp
	}{
		{"foo", "stdout", "supervisor", regexp.MustCompile(`^foo-stdout---supervisor-[a-z0-9_]{8}\.log$`)},
		{"sleeper_00", "stderr", "myid", regexp.MustCompile(`^sleeper_00-stderr---myid-[a-z0-9_]{8}\.log$`)},
	}
	for _, tt := range tests {
		seen := map[string]bool{}
		for range 50 {
			path, err := AutoPath(dir, tt.process, tt.channel, tt.identifier)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Dir(path) != dir || !tt.name.MatchString(filepath.Base(path)) {
				t.Fatalf("path %q does not match %v", path, tt.name)
			}
			if seen[path] {
				t.Fatalf("%q returned twice", path)
			}
			seen[path] = true
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if !fi.Mode().IsRegular() || fi.Size() != 0 || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %v, size %d; want an empty 0600 file", path, fi.Mode(), fi.Size())
			}
		}
	}
	if _, err := AutoPath(filepath.Join(dir, "missing"), "foo", "stdout", "supervisor"); err == nil {
		t.Error("no error for a missing directory")
	}
}

func TestCleanAuto(t *testing.T) {
	dir := t.TempDir()
	auto, err := AutoPath(dir, "foo", "stdout", "sup.1")
	if err != nil {
		t.Fatal(err)
	}
	names := []string{
		filepath.Base(auto),
		"foo-stdout---sup.1-0nluq_q8.log.1",     // backups
		"foo-stdout---sup.1-0nluq_q8.log.10",    //
		"foo-stderr---sup.1-abc.log.bak",        // the pattern is matched at the start only
		"x---sup.1-a.log",                       // anything before ---
		"foo-stdout---sup.1-0nluq_q8.txt",       // kept: not .log
		"foo-stdout---supx1-0nluq_q8.log",       // kept: the identifier is quoted
		"foo-stdout---sup.10-0nluq_q8.logx",     // kept: sup.10 is another identifier
		"foo-stdout---other-0nluq_q8.log",       // kept: another supervisor's
		"foo-stdout--sup.1-0nluq_q8.log",        // kept: two dashes
		"---sup.1-a.log",                        // kept: nothing before ---
		"supervisord.log",                       // kept
		"foo-stdout---sup.1- space.log",         // kept: \S+ cannot hold the space
		"foo-stdout---sup.1-x.log-and-more.txt", // deleted: prefix match
	}
	for _, n := range names[1:] {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// A directory with a matching name is left alone.
	if err := os.Mkdir(filepath.Join(dir, "d---sup.1-x.log"), 0o755); err != nil {
		t.Fatal(err)
	}

	if err := CleanAuto(dir, "sup.1"); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{
		"---sup.1-a.log",
		"d---sup.1-x.log",
		"foo-stdout--sup.1-0nluq_q8.log",
		"foo-stdout---other-0nluq_q8.log",
		"foo-stdout---sup.1- space.log",
		"foo-stdout---sup.1-0nluq_q8.txt",
		"foo-stdout---sup.10-0nluq_q8.logx",
		"foo-stdout---supx1-0nluq_q8.log",
		"supervisord.log",
	}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("left after cleaning:\n%q\nwant:\n%q", left, want)
	}

	if err := CleanAuto(filepath.Join(dir, "missing"), "sup.1"); err == nil {
		t.Error("no error for a missing directory")
	}
}
