// Command selfcontained fails when a file of the repository refers to a
// path outside it, so that a plain clone builds and passes its tests on any
// machine:
//
//	go run ./scripts/selfcontained [root]   # root defaults to .
//
// It reads the files git tracks (every file under root, .git aside, when
// root is not a git checkout) and reports, with file and line:
//
//   - a relative path that climbs out of the repository from the file's
//     directory (the directory Go tests and relative links start from):
//     one ".." too many, as one ".." in README.md or three in a file of
//     internal/daemon;
//   - any relative path into "shared", the directory that sits beside the
//     repository on the developers' machines, even from a directory where
//     it would resolve inside the repository (which has no such directory);
//   - a symbolic link whose target is absolute or climbs out.
//
// A ".." that continues a longer path (as in "/tmp/../x") is not a
// reference to the repository's neighbours and is not reported.
// Binary files are skipped. scripts/test runs it first; the exit status is
// 1 when something is reported, 2 when the files cannot be listed.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

func main() {
	root := "."
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	found, err := check(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "selfcontained:", err)
		os.Exit(2)
	}
	for _, f := range found {
		fmt.Fprintln(os.Stderr, f)
	}
	if len(found) > 0 {
		fmt.Fprintf(os.Stderr, "selfcontained: %d reference(s) to paths outside the repository. "+
			"A clone must stand alone: put what the file needs inside the repository (e.g. in testdata) "+
			"and refer to it there.\n", len(found))
		os.Exit(1)
	}
}

// A finding is one reference to a path outside the repository.
type finding struct {
	file string // slash-separated, relative to the repository's root
	line int    // 1-based; 0 for a symbolic link
	ref  string // the path as written
}

func (f finding) String() string {
	if f.line == 0 {
		return fmt.Sprintf("%s: symbolic link to %s, outside the repository", f.file, f.ref)
	}
	return fmt.Sprintf("%s:%d: refers to %s, outside the repository", f.file, f.line, f.ref)
}

// check lists the repository's files under root and returns what they
// refer to outside it.
func check(root string) ([]finding, error) {
	files, err := listFiles(root)
	if err != nil {
		return nil, err
	}
	var found []finding
	for _, name := range files {
		full := filepath.Join(root, filepath.FromSlash(name))
		info, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue // tracked but deleted in the work tree
		} else if err != nil {
			return nil, err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(full)
			if err != nil {
				return nil, err
			}
			if path.IsAbs(target) || climbs(name, filepath.ToSlash(target)) {
				found = append(found, finding{file: name, ref: target})
			}
			continue
		}
		if !info.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(full)
		if err != nil {
			return nil, err
		}
		found = append(found, scan(name, data)...)
	}
	return found, nil
}

// listFiles returns the files git tracks under root, or, outside a git
// checkout, every file under root but those in .git directories.
func listFiles(root string) ([]string, error) {
	out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err == nil {
		var files []string
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
		return files, nil
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}

// sharedDir is the directory beside the repository that files must not
// refer to.
const sharedDir = "shared"

// scan returns the references to paths outside the repository in the text
// of the file name (slash-separated, relative to the root). Binary files
// (with a NUL byte early on) have none.
func scan(name string, data []byte) []finding {
	if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
		return nil
	}
	var found []finding
	for i, line := range strings.Split(string(data), "\n") {
		for _, ref := range relativePaths(line) {
			if climbs(name, ref) || isSharedRef(ref) {
				found = append(found, finding{file: name, line: i + 1, ref: ref})
			}
		}
	}
	return found
}

// isSharedRef reports whether ref, a path that starts by climbing, names
// the shared directory right after its last "..".
func isSharedRef(ref string) bool {
	rest := ref[strings.LastIndex(ref, "../")+3:]
	return rest == sharedDir || strings.HasPrefix(rest, sharedDir+"/")
}

// relativePaths returns the paths in line that start by climbing ("../",
// "./../"), each up to the first byte that cannot be part of a path.
// A "../" inside a longer path is not the start of one.
func relativePaths(line string) []string {
	var refs []string
	for i := 0; i < len(line); {
		j := strings.Index(line[i:], "../")
		if j < 0 {
			break
		}
		start := i + j
		// Back over "./" prefixes: "./../x" starts at the first ".".
		for start >= 2 && line[start-2:start] == "./" {
			start -= 2
		}
		end := i + j
		for end < len(line) && isPathByte(line[end]) {
			end++
		}
		if start == 0 || !isPathByte(line[start-1]) {
			refs = append(refs, line[start:end])
		}
		i = end
	}
	return refs
}

// isPathByte reports whether b can be part of a path as written in code or
// prose: letters, digits and "._-/+~%@".
func isPathByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("._-/+~%@", b) >= 0
}

// climbs reports whether ref, a relative path written in the file name,
// leads above the repository's root from the file's directory.
func climbs(name, ref string) bool {
	if path.IsAbs(ref) {
		return false
	}
	depth := 0
	if dir := path.Dir(name); dir != "." {
		depth = strings.Count(dir, "/") + 1
	}
	for _, elem := range strings.Split(ref, "/") {
		switch elem {
		case "..":
			depth--
			if depth < 0 {
				return true
			}
		case ".", "":
		default:
			depth++
		}
	}
	return false
}
