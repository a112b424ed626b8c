package config

import (
	"fmt"
	"strings"
	"unicode/utf8"

	ini "gopkg.in/ini.v1"
)

// This file reads the text of a config file. It reproduces Python 3's
// RawConfigParser(inline_comment_prefixes=(';', '#'), strict=False), which is
// what supervisord reads its files with, and stores the result in a go-ini
// File. go-ini's own text parser is not used: it strips inline comments at
// any ';' or '#', treats values starting with """ or ` as quoted, joins lines
// ending in '\', turns a key named "-" into an auto-numbered key, folds
// DEFAULT into nothing, and reports no line numbers. Those would change the
// meaning of files supervisord accepts.

// defaultSection is the section whose keys every other section inherits
// (Python's default_section). go-ini uses the same name for its own default
// section, which is where these keys are stored.
const defaultSection = "DEFAULT"

// pos is where a section header or a key was read.
type pos struct {
	file string
	line int
}

// document is a config file and the files it includes, after the INI layer:
// sections in the order first seen, each key's raw value (no % expansion),
// and where each came from.
type document struct {
	f      *ini.File
	secPos map[string]pos            // first header of each section
	keyPos map[string]map[string]pos // section -> key -> line that last set it
}

// iniOptions configure go-ini as a plain store: no interpolation is ever
// asked of it (values are read with Key.Value, never Key.String, which would
// substitute %(x)s itself), keys are already lower-cased by our reader,
// section names stay case-sensitive, and no section inherits from another
// through a '.' in its name (a newline cannot occur in a section name).
var iniOptions = ini.LoadOptions{
	IgnoreContinuation:      true,
	IgnoreInlineComment:     true,
	PreserveSurroundedQuote: true,
	KeyValueDelimiters:      "=:",
	ChildSectionDelimiter:   "\n",
}

func newDocument() *document {
	return &document{
		f:      ini.Empty(iniOptions),
		secPos: map[string]pos{},
		keyPos: map[string]map[string]pos{},
	}
}

// sections returns the section names in the order first seen, without
// DEFAULT (Python's sections()).
func (d *document) sections() []string {
	var out []string
	for _, s := range d.f.SectionStrings() {
		if s != defaultSection {
			out = append(out, s)
		}
	}
	return out
}

func (d *document) hasSection(name string) bool {
	if name == defaultSection {
		return false
	}
	_, err := d.f.GetSection(name)
	return err == nil
}

// get returns the raw value of key in section, falling back to DEFAULT.
// keyPos, set with every key, answers whether a key exists (go-ini's HasKey
// builds an error for each missing key, and most optional keys are).
func (d *document) get(section, key string) (string, bool) {
	for _, name := range []string{section, defaultSection} {
		if _, ok := d.keyPos[name][key]; !ok {
			continue
		}
		if s, err := d.f.GetSection(name); err == nil {
			return s.Key(key).Value(), true
		}
	}
	return "", false
}

// options returns the keys of section followed by the DEFAULT keys it does
// not override (Python's options()).
func (d *document) options(section string) []string {
	var out []string
	seen := map[string]bool{}
	for _, name := range []string{section, defaultSection} {
		s, err := d.f.GetSection(name)
		if err != nil {
			continue
		}
		for _, k := range s.KeyStrings() {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// set stores a raw value.
func (d *document) set(section, key, value string, at pos) {
	s, err := d.f.GetSection(section)
	if err != nil {
		s, _ = d.f.NewSection(section)
	}
	if k, err := s.GetKey(key); err == nil {
		k.SetValue(value)
	} else if _, err := s.NewKey(key, value); err != nil {
		// go-ini refuses only empty key names, which the reader rejects
		// before calling set.
		panic(fmt.Sprintf("config: storing [%s] %q: %v", section, key, err))
	}
	if d.keyPos[section] == nil {
		d.keyPos[section] = map[string]pos{}
	}
	d.keyPos[section][key] = at
}

// keyAt says where key of section was set: in the section itself or in
// DEFAULT. The zero pos means nowhere.
func (d *document) keyAt(section, key string) pos {
	if p, ok := d.keyPos[section][key]; ok {
		return p
	}
	return d.keyPos[defaultSection][key]
}

// expandHere replaces every literal %(here)s in the values of all sections
// (DEFAULT values included, which are copied into each section) with here,
// as supervisord does before and after reading each included file.
func (d *document) expandHere(here string) {
	const token = "%(here)s"
	for _, sec := range d.sections() {
		for _, key := range d.options(sec) {
			v, _ := d.get(sec, key)
			if strings.Contains(v, token) {
				d.set(sec, key, strings.ReplaceAll(v, token, here), d.keyAt(sec, key))
			}
		}
	}
}

// splitLines splits text the way Python's text files iterate: at "\n",
// "\r\n" and "\r" (universal newlines, all seen as "\n"), each line keeping
// its "\n".
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	var lines []string
	for len(text) > 0 {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			lines = append(lines, text)
			break
		}
		lines = append(lines, text[:i+1])
		text = text[i+1:]
	}
	return lines
}

// commentStart returns the byte index where an inline or full-line comment
// starts in line, or -1. A ';' or '#' starts a comment only at the start of
// the line or after a whitespace character. The occurrences of both
// characters are examined in rounds (first of each, then second of each...)
// and the search ends with the first round that finds a comment start, so
// "a;b ;c # d" keeps " ;c": round one sees the unspaced ';' and the spaced
// '#'. This is Python's algorithm, quirk included.
func commentStart(line string) int {
	start := -1
	next := map[byte]int{';': -1, '#': -1}
	for start < 0 && len(next) > 0 {
		for _, p := range []byte{';', '#'} {
			from, ok := next[p]
			if !ok {
				continue
			}
			i := strings.IndexByte(line[from+1:], p)
			if i < 0 {
				delete(next, p)
				continue
			}
			i += from + 1
			next[p] = i
			if i == 0 || precededBySpace(line, i) {
				if start < 0 || i < start {
					start = i
				}
			}
		}
	}
	if t := pyStrip(line); strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") {
		start = 0
	}
	return start
}

func precededBySpace(line string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(line[:i])
	return pyIsSpace(r)
}

// indentOf counts the whitespace characters that start line.
func indentOf(line string) int {
	n := 0
	for _, r := range line {
		if !pyIsSpace(r) {
			return n
		}
		n++
	}
	return 0 // a blank line; never compared
}

// parseSectionHeader matches Python's \[(?P<header>.+)\] at the start of a
// stripped line: the name runs to the last ']' and anything after it is
// ignored.
func parseSectionHeader(v string) (string, bool) {
	if !strings.HasPrefix(v, "[") {
		return "", false
	}
	j := strings.LastIndexByte(v, ']')
	if j < 2 {
		return "", false
	}
	return v[1:j], true
}

// parseOption splits "key = value" or "key: value" at the first '=' or ':'.
func parseOption(v string) (key, value string, ok bool) {
	i := strings.IndexAny(v, "=:")
	if i < 0 {
		return "", "", false
	}
	return strings.TrimRightFunc(v[:i], pyIsSpace), pyStrip(v[i+1:]), true
}

// read parses one file's text into d; name is the file name used in
// messages (as given on the command line, or the path of an included file).
// On error d may hold part of the file; callers discard it.
func (d *document) read(name string, data []byte) error {
	if !utf8.Valid(data) {
		return &Error{File: name, Msg: fmt.Sprintf("config file %s is not valid UTF-8 text", name)}
	}
	type option struct {
		section, key string
		lines        []string
		at           pos
	}
	var (
		opts      []*option // every option line of this file, in order
		cur       *option   // option that continuation lines extend
		section   string
		inSection bool
		indent    int
		perr      *Error
	)
	for n, line := range splitLines(string(data)) {
		lineno := n + 1
		cs := commentStart(line)
		value := line
		if cs >= 0 {
			value = line[:cs]
		}
		value = pyStrip(value)
		if value == "" {
			// A blank line inside a value is kept; a comment-only line is not.
			if cs < 0 && cur != nil {
				cur.lines = append(cur.lines, "")
			}
			continue
		}
		ind := indentOf(line)
		if cur != nil && ind > indent {
			cur.lines = append(cur.lines, value)
			continue
		}
		indent = ind
		if h, ok := parseSectionHeader(value); ok {
			section, inSection, cur = h, true, nil
			if h != defaultSection {
				if _, err := d.f.GetSection(h); err != nil {
					d.f.NewSection(h)
					d.secPos[h] = pos{name, lineno}
				}
			}
			continue
		}
		if !inSection {
			return &Error{File: name, Line: lineno, Msg: fmt.Sprintf(
				"File contains no section headers.\nfile: %s, line: %d\n%s",
				pyRepr(name), lineno, pyRepr(line))}
		}
		key, val, ok := parseOption(value)
		if !ok || key == "" {
			if perr == nil {
				perr = &Error{File: name, Line: lineno, Section: section,
					Msg: "Source contains parsing errors: " + pyRepr(name)}
			}
			perr.Msg += fmt.Sprintf("\n\t[line %2d]: %s", lineno, pyRepr(line))
			if ok {
				// "= v": Python's option is then "", which nothing extends.
				// A line with no delimiter leaves the current option as it
				// is: indented lines after it still continue that option.
				cur = nil
			}
			continue
		}
		cur = &option{section: section, key: strings.ToLower(key), lines: []string{val}, at: pos{name, lineno}}
		opts = append(opts, cur)
	}
	if perr != nil {
		return perr
	}
	for _, o := range opts {
		v := strings.TrimRightFunc(strings.Join(o.lines, "\n"), pyIsSpace)
		d.set(o.section, o.key, v, o.at)
	}
	return nil
}
