package config

import (
	"os"
	"strings"
)

// SearchPaths returns the places supervisord looks for its config file when
// none is given (spec 1.1), in order: etc/supervisord.conf and
// supervisord.conf under the parent of the directory holding the program
// (argv0), then supervisord.conf and etc/supervisord.conf relative to the
// working directory, then /etc/supervisord.conf and
// /etc/supervisor/supervisord.conf.
func SearchPaths(argv0 string) []string {
	// Python's dirname, not filepath.Dir: the dirname of a bare name is "".
	here := pyDirname(pyDirname(argv0))
	return []string{
		pyJoin(pyJoin(here, "etc"), "supervisord.conf"),
		pyJoin(here, "supervisord.conf"),
		"supervisord.conf",
		"etc/supervisord.conf",
		"/etc/supervisord.conf",
		"/etc/supervisor/supervisord.conf",
	}
}

// Find returns the first of SearchPaths(argv0) that exists. When none
// does, the error's Msg is supervisord's usage error:
//
//	No config file found at default paths (...); use the -c option to specify a config file at a different path
func Find(argv0 string) (string, error) {
	paths := SearchPaths(argv0)
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", &Error{Msg: "No config file found at default paths (" + strings.Join(paths, ", ") +
		"); use the -c option to specify a config file at a different path"}
}
