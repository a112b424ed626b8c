// Package proctest helps tests that run processes. It finds processes that
// tests left behind, by reading /proc: children of the test binary (zombies
// included), and processes that carry a marker variable in their
// environment, which grandchildren inherit even once they are orphaned. Its
// Buffer collects a child's output while the test reads it. It is for tests
// only.
package proctest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Leftovers lists, one line each ("pid (comm) state S ppid P"), the
// processes whose environment holds key=value and, with children, every
// child of the calling process.
func Leftovers(key, value string, children bool) []string {
	self := os.Getpid()
	marker := key + "=" + value + "\x00"
	var left []string
	for _, p := range all() {
		if children && p.ppid == self {
			left = append(left, p.line)
			continue
		}
		env, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p.pid), "environ"))
		if strings.Contains(string(env), marker) {
			left = append(left, p.line)
		}
	}
	return left
}

// Children returns the pids of the processes whose parent is pid.
func Children(pid int) []int {
	var out []int
	for _, p := range all() {
		if p.ppid == pid {
			out = append(out, p.pid)
		}
	}
	return out
}

type proc struct {
	pid, ppid int
	line      string
}

// all reads every process's pid, parent and state from /proc/PID/stat.
func all() []proc {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []proc
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(s)[0])
		ppid, _ := strconv.Atoi(f[1])
		out = append(out, proc{pid: pid, ppid: ppid,
			line: strings.TrimSpace(s[:i+1]) + " state " + f[0] + " ppid " + f[1]})
	}
	return out
}
