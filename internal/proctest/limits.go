package proctest

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Limit reads one resource limit of a process from /proc/PID/limits (PID
// "self" for the caller), by the kernel's name for it ("Max open files"),
// as "SOFT:HARD" in the kernel's words ("unlimited").
func Limit(pid, name string) (string, error) {
	data, err := os.ReadFile("/proc/" + pid + "/limits")
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s+(\S+)\s+(\S+)`).FindStringSubmatch(string(data))
	if m == nil {
		return "", fmt.Errorf("no %q in /proc/%s/limits:\n%s", name, pid, data)
	}
	return m[1] + ":" + m[2], nil
}

// NrOpen is the kernel's ceiling for the nofile limit (fs.nr_open): one
// more is refused even to root.
func NrOpen() (uint64, error) {
	data, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
}
