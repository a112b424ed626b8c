package config

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
)

// The [include] patterns are matched like Python's glob.glob, which differs
// from filepath.Glob: '*' and '?' do not match a leading '.' of a name
// unless the pattern's component starts with '.', "[!a]" negates (and "[^a]"
// does not), and '\' is an ordinary character.

// pyJoin is os.path.join(base, p): an absolute p replaces base.
func pyJoin(base, p string) string {
	if strings.HasPrefix(p, "/") {
		return p
	}
	if base == "" || strings.HasSuffix(base, "/") {
		return base + p
	}
	return base + "/" + p
}

func hasMagic(s string) bool { return strings.ContainsAny(s, "*?[") }

// pySplit is os.path.split.
func pySplit(p string) (dir, base string) {
	i := strings.LastIndexByte(p, '/') + 1
	return pyDirname(p), p[i:]
}

func lexists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// pyGlob is glob.glob(pattern) without recursion ('**' is two '*').
func pyGlob(pattern string) []string {
	if !hasMagic(pattern) {
		if strings.HasSuffix(pattern, "/") {
			if isDir(pattern) {
				return []string{pattern}
			}
			return nil
		}
		if lexists(pattern) {
			return []string{pattern}
		}
		return nil
	}
	dir, base := pySplit(pattern)
	var dirs []string
	switch {
	case dir == "":
		dirs = []string{""}
	case dir != pattern && hasMagic(dir):
		dirs = pyGlob(dir)
	default:
		dirs = []string{dir}
	}
	var out []string
	for _, d := range dirs {
		var names []string
		if hasMagic(base) {
			names = glob1(d, base)
		} else if base == "" {
			if isDir(d) {
				names = []string{""}
			}
		} else if lexists(pyJoin(d, base)) {
			names = []string{base}
		}
		for _, n := range names {
			if d == "" {
				out = append(out, n)
			} else {
				out = append(out, pyJoin(d, n))
			}
		}
	}
	return out
}

// glob1 lists the names in dir matching pattern, hiding dot files unless
// the pattern starts with a dot.
func glob1(dir, pattern string) []string {
	d := dir
	if d == "" {
		d = "."
	}
	entries, err := os.ReadDir(d)
	if err != nil {
		return nil
	}
	re := fnmatchRegexp(pattern)
	var out []string
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, ".") && !strings.HasPrefix(pattern, ".") {
			continue
		}
		if re.MatchString(n) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// fnmatchRegexp translates a shell pattern as Python's fnmatch does.
func fnmatchRegexp(pat string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	rs := []rune(pat)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			j := i + 1
			if j < len(rs) && rs[j] == '!' {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				b.WriteString(`\[`)
				continue
			}
			stuff := rs[i+1 : j]
			i = j
			var cls strings.Builder
			k := 0
			if len(stuff) > 0 && stuff[0] == '!' {
				cls.WriteByte('^')
				k = 1
			}
			for ; k < len(stuff); k++ {
				if stuff[k] == '-' && k > 0 && k < len(stuff)-1 && !(k == 1 && stuff[0] == '!') {
					cls.WriteByte('-')
					continue
				}
				fmt.Fprintf(&cls, `\x{%x}`, stuff[k])
			}
			class := cls.String()
			if class == "" || class == "^" {
				// "[]" cannot happen (']' first is literal); "[!]" is
				// handled as a literal by the scan above.
				b.WriteString(`\[`)
				continue
			}
			if _, err := regexp.Compile(`[` + class + `]`); err != nil {
				// A reversed range such as [z-a] matches nothing in Python.
				b.WriteString(`[^\x00-\x{10FFFF}]`)
				continue
			}
			b.WriteString(`[` + class + `]`)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`)$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile(`^\b\B$`) // matches nothing
	}
	return re
}
