package pyfmt_test

import (
	"fmt"

	"github.com/supervise-go/supervisor/internal/pyfmt"
)

func ExampleExpand() {
	vars := map[string]any{
		"program_name": "web",
		"process_num":  3,
		"here":         "/etc/supervisor",
	}
	name, _ := pyfmt.Expand("%(program_name)s_%(process_num)02d", vars)
	fmt.Println(name)
	logfile, _ := pyfmt.Expand("%(here)s/%(program_name)s-%(process_num)s.log", vars)
	fmt.Println(logfile)
	pct, _ := pyfmt.Expand("100%% of %(program_name)r", vars)
	fmt.Println(pct)
	// Output:
	// web_03
	// /etc/supervisor/web-3.log
	// 100% of 'web'
}

func ExampleExpandIn() {
	vars := map[string]any{"a": "x", "b": "y", "c": "z"}
	_, err := pyfmt.ExpandIn("/bin/echo %(foo)s", "program:a.command", vars)
	fmt.Println(err)
	_, err = pyfmt.ExpandIn("/bin/echo 100%", "program:a.command", vars)
	fmt.Println(err)
	// Output:
	// Format string '/bin/echo %(foo)s' for 'program:a.command' contains names ('foo') which cannot be expanded. Available names: a, b, c
	// Format string '/bin/echo 100%' for 'program:a.command' is badly formatted: incomplete format
}
