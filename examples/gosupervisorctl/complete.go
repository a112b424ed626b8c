package main

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/supervise-go/supervisor/client"
)

// vocab is the list of command names offered by tab completion.
func vocab() []string {
	var names []string
	for name := range commands {
		if name != "EOF" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// complete returns the completions of word, the word before the cursor,
// given the whole line, as supervisorctl's completer does: command names
// first, then group names after add, remove and update, and process names
// after the commands that take them. Each completion ends with a space.
func (c *controller) complete(line, word string) []string {
	words := strings.Fields(line)
	switch {
	case len(words) == 0, len(words) == 1 && !strings.HasSuffix(line, " "):
		return withPrefix(vocab(), word)
	// supervisorctl tests `action in ('help')`, a substring test, so "he"
	// or "p" complete command names too.
	case strings.Contains("help", words[0]):
		return withPrefix(vocab(), word)
	case slices.Contains([]string{"add", "remove", "update"}, words[0]):
		var groups []string
		for _, info := range c.completeInfo() {
			if !slices.Contains(groups, info.Group) {
				groups = append(groups, info.Group)
			}
		}
		return withPrefix(groups, word)
	case slices.Contains([]string{"clear", "fg", "pid", "restart", "signal", "start", "status", "stop", "tail"}, words[0]):
		var procs []string
		for _, info := range c.completeInfo() {
			if strings.Contains(word, ":") || info.Name != info.Group {
				procs = append(procs, info.Group+":"+info.Name)
				if all := info.Group + ":*"; !slices.Contains(procs, all) {
					procs = append(procs, all)
				}
			} else {
				procs = append(procs, info.Name)
			}
		}
		return withPrefix(procs, word)
	}
	return nil
}

func withPrefix(names []string, prefix string) []string {
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n+" ")
		}
	}
	return out
}

// completeInfo fetches the processes once per command line typed; a
// failure just means nothing to complete.
func (c *controller) completeInfo() []client.ProcessInfo {
	if c.completeCache != nil {
		return c.completeCache
	}
	cl, err := c.client()
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	infos, err := cl.AllProcessInfo(ctx)
	if err != nil {
		return nil
	}
	c.completeCache = infos
	return infos
}
