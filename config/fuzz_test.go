package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to the loader: it must return a config or
// an *Error, never panic, and never both.
func FuzzParse(f *testing.F) {
	for _, c := range loadCases {
		if len(c.files) == 0 {
			f.Add([]byte(c.conf))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if strings.Contains(string(data), "include") {
			// [include] reads files named by the input (think /dev/zero).
			return
		}
		name := filepath.Join(t.TempDir(), "supervisord.conf")
		cfg, err := ParseWith(name, data, testEnv)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *Error: %v", err, err)
			}
			if cfg != nil {
				t.Fatal("config and error both returned")
			}
			return
		}
		if cfg == nil {
			t.Fatal("neither config nor error")
		}
	})
}

// FuzzKeyValuePairs checks the environment= tokenizer on its own, in both
// modes.
func FuzzKeyValuePairs(f *testing.F) {
	for _, s := range []string{`A=1,B=2`, `A="x,y",B='q'`, `A=1;B=2`, `A=1,`, `A=http://x:8/p`, `A=""`,
		`A=1 B=2`, `A=`, `A=a@b`, `A=$HOME`, "A=x#y\nz,B=2", `A="x"y`, `A="x`, `A=%(process_num)02d`, "é=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = keyValuePairs(s, false)
		_, _ = keyValuePairs(s, true)
	})
}
