package ctldiff

import (
	"regexp"
	"strings"
)

// What Normalise replaces: each pattern by its stand-in.
var normalisations = []struct {
	re   *regexp.Regexp
	with string
}{
	// status of a running process: "pid 1234, uptime 0:00:03" (supervisorctl
	// prints days as "1 day, 0:00:03" or "2 days, ...").
	{regexp.MustCompile(`pid \d+, uptime (\d+ days?, )?\d+:\d\d:\d\d`), "pid N, uptime T"},
	// status of a stopped or exited process: when it stopped, "Mar 05 02:13 PM".
	{regexp.MustCompile(`\b[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M\b`), "DATE"},
	// pid alone on its line: supervisorctl pid, pid NAME.
	{regexp.MustCompile(`(?m)^\d+$`), "N"},
	// the random part of an AUTO child log's name,
	// "foo-stdout---supervisor-k2j4_x9a.log".
	{regexp.MustCompile(`---([^-\s/]+)-[A-Za-z0-9_]{6,8}\.log`), "---$1-XXXXXX.log"},
}

// Normalise returns a supervisorctl answer with what differs between two
// runs of the same scenario replaced by stand-ins: dir (the daemon's own
// directory) by {DIR}, pids by N, uptimes by T, the date a process stopped
// by DATE and the random part of AUTO child log names by XXXXXX. Trailing
// white space is removed.
func Normalise(out, dir string) string {
	if dir != "" {
		out = strings.ReplaceAll(out, dir, "{DIR}")
	}
	for _, n := range normalisations {
		out = n.re.ReplaceAllString(out, n.with)
	}
	return strings.TrimRight(out, " \t\r\n")
}
