package trampoline

import (
	"syscall"
	"testing"
)

// The trampoline's own parsing (it imports no strconv or strings): what
// package sys writes is read back, anything else is refused.
func TestParseLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		res  int
		lim  syscall.Rlimit
		good bool
	}{
		{"7=1024:4096", 7, syscall.Rlimit{Cur: 1024, Max: 4096}, true},
		{"4=0:0", 4, syscall.Rlimit{}, true},
		{"1=18446744073709551615:18446744073709551615", 1, syscall.Rlimit{Cur: ^uint64(0), Max: ^uint64(0)}, true},
		{"1=18446744073709551616:1", 0, syscall.Rlimit{}, false},
		{"7=1024", 0, syscall.Rlimit{}, false},
		{"7=:1", 0, syscall.Rlimit{}, false},
		{"x=1:1", 0, syscall.Rlimit{}, false},
		{"7=-1:1", 0, syscall.Rlimit{}, false},
		{"7=1:2:3", 0, syscall.Rlimit{}, false},
		{"", 0, syscall.Rlimit{}, false},
	} {
		res, lim, ok := parseLimit(c.in)
		if ok != c.good || (ok && (res != c.res || lim != c.lim)) {
			t.Errorf("parseLimit(%q) = %d, %+v, %v; want %d, %+v, %v", c.in, res, lim, ok, c.res, c.lim, c.good)
		}
	}
}

func TestSplit(t *testing.T) {
	got := split("a;;b;", ';')
	if len(got) != 4 || got[0] != "a" || got[1] != "" || got[2] != "b" || got[3] != "" {
		t.Errorf("split: %q", got)
	}
}
