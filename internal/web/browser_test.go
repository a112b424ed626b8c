package web

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/supervise-go/supervisor"
)

// artifactDir is where the browser test writes its screenshots:
// $TEST_ARTIFACTS if set, else a directory of the test's (removed after it).
func artifactDir(t *testing.T) string {
	if d := os.Getenv("TEST_ARTIFACTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

func saveArtifact(t *testing.T, dir, name string, data []byte) {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, data, 0o644))
	t.Logf("screenshot: %s", path)
}

// TestBrowser drives headless Chromium against the UI served with real
// children: the page lists the processes, a click on Stop turns the row
// STOPPED without a reload, the filter answers the keyboard, the tail page
// shows and follows output, and nothing injected through a process name or a
// log runs. It skips only when Chromium is missing outside CI.
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		if os.Getenv("CI") == "" {
			t.Skip("chromium not installed (apt-get install chromium); required when CI is set")
		}
		t.Fatal("chromium not found, and CI is set: the browser test must run")
	}
	specs := fleet()
	ticker := program("ticker", `/bin/sh -c "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done"`)
	specs = append(specs, ticker)
	e := startEnv(t, specs)
	for _, ns := range []string{"sleeper", "grp:a", "grp:b", "echo", "evil:" + evilName, "ticker"} {
		e.waitState(t, ns, supervisor.Running)
	}
	e.waitLog(t, "echo", int64(len(evilOutput)))

	artifacts := artifactDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLong)
	defer cancel()
	b := launchBrowser(t, chromium)
	p, err := b.newPage(ctx)
	require.NoError(t, err)
	require.NoError(t, p.viewport(ctx, 1280, 860, false))

	// The status page lists every process, names as text.
	require.NoError(t, p.navigate(ctx, e.srv.URL+"/"))
	require.NoError(t, p.waitTrue(ctx, `document.getElementById("live").dataset.live === "on"`), "the event stream connects")
	var rows []struct{ NS, State, Name string }
	require.NoError(t, p.eval(ctx, `Array.from(document.querySelectorAll("tr.proc"), r => ({
		ns: r.dataset.namespec, state: r.querySelector(".badge").textContent,
		name: r.querySelector("td.name a").textContent}))`, &rows))
	var names []string
	for _, r := range rows {
		names = append(names, r.NS)
		assert.Equal(t, r.NS, r.Name)
	}
	assert.Equal(t, []string{"echo", "evil:" + evilName, "grp:a", "grp:b", "idle", "nofile", "nolog", "quick", "sleeper", "ticker"}, names)
	var imgs int
	require.NoError(t, p.eval(ctx, `document.querySelectorAll("img").length`, &imgs))
	assert.Equal(t, 1, imgs, "only the logo: the process name made no <img>")

	// Uptime ticks between snapshots.
	require.NoError(t, p.waitTrue(ctx, `/^pid \d+, uptime 0:00:0[2-9]/.test(document.querySelector('tr[data-namespec="sleeper"] td.desc').textContent)`))

	shot, err := p.screenshot(ctx)
	require.NoError(t, err)
	saveArtifact(t, artifacts, "web-status.png", shot)

	// A click on Stop: the row turns STOPPED in place.
	require.NoError(t, p.eval(ctx, `window.notReloaded = true`, nil))
	require.NoError(t, p.click(ctx, `tr[data-namespec="sleeper"] button[value="stop"]`))
	require.NoError(t, p.waitTrue(ctx, `document.querySelector('tr[data-namespec="sleeper"] .badge').textContent === "stopped"`))
	require.NoError(t, p.waitTrue(ctx, `document.getElementById("message").textContent === "Process sleeper stopped"`))
	var kept bool
	require.NoError(t, p.eval(ctx, `window.notReloaded === true`, &kept))
	assert.True(t, kept, "the page was reloaded")
	assert.Equal(t, supervisor.Stopped, e.state(t, "sleeper"))
	shot, err = p.screenshot(ctx)
	require.NoError(t, err)
	saveArtifact(t, artifacts, "web-status-stopped.png", shot)
	// The row now offers Start, and a change made elsewhere shows up too.
	require.NoError(t, p.waitTrue(ctx, `!!document.querySelector('tr[data-namespec="sleeper"] button[value="start"]')`))
	require.NoError(t, e.proc(t, "idle").Start(ctx))
	require.NoError(t, p.waitTrue(ctx, `document.querySelector('tr[data-namespec="idle"] .badge').textContent === "running"`))

	// Keyboard: "/" focuses the filter, typing filters, Escape clears.
	require.NoError(t, p.eval(ctx, `document.activeElement.blur()`, nil))
	require.NoError(t, p.key(ctx, "/", "Slash", 191, "/"))
	require.NoError(t, p.waitTrue(ctx, `document.activeElement === document.getElementById("filter")`))
	require.NoError(t, p.call(ctx, "Input.insertText", map[string]any{"text": "grp"}, nil))
	var visible []string
	require.NoError(t, p.waitTrue(ctx, `document.querySelectorAll("tr.proc:not([hidden])").length === 2`))
	require.NoError(t, p.eval(ctx, `Array.from(document.querySelectorAll("tr.proc"), r => r).filter(r => r.offsetParent !== null).map(r => r.dataset.namespec)`, &visible))
	assert.Equal(t, []string{"grp:a", "grp:b"}, visible)
	require.NoError(t, p.key(ctx, "Escape", "Escape", 27, ""))
	require.NoError(t, p.waitTrue(ctx, `document.querySelectorAll("tr.proc:not([hidden])").length === 10`))
	// Tab reaches the row buttons, Enter presses them.
	require.NoError(t, p.eval(ctx, `document.querySelector('tr[data-namespec="sleeper"] button[value="start"]').focus()`, nil))
	require.NoError(t, p.key(ctx, "Enter", "Enter", 13, "\r"))
	require.NoError(t, p.waitTrue(ctx, `document.querySelector('tr[data-namespec="sleeper"] .badge').textContent === "running"`))
	require.NoError(t, p.waitTrue(ctx, `document.activeElement.closest('tr') && document.activeElement.closest('tr').dataset.namespec === "sleeper"`),
		"the focus stays in the row when its buttons change")

	// A phone, in dark mode.
	require.NoError(t, p.viewport(ctx, 390, 844, true))
	require.NoError(t, p.call(ctx, "Emulation.setEmulatedMedia", map[string]any{
		"features": []map[string]string{{"name": "prefers-color-scheme", "value": "dark"}},
	}, nil))
	require.NoError(t, p.navigate(ctx, e.srv.URL+"/"))
	require.NoError(t, p.waitTrue(ctx, `document.getElementById("live").dataset.live === "on"`))
	var overflow bool
	require.NoError(t, p.eval(ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`, &overflow))
	assert.False(t, overflow, "the page scrolls sideways on a phone")
	shot, err = p.screenshot(ctx)
	require.NoError(t, err)
	saveArtifact(t, artifacts, "web-status-phone.png", shot)

	// The tail page shows the log as text and follows it.
	require.NoError(t, p.viewport(ctx, 1280, 860, false))
	require.NoError(t, p.call(ctx, "Emulation.setEmulatedMedia", map[string]any{
		"features": []map[string]string{{"name": "prefers-color-scheme", "value": "light"}},
	}, nil))
	require.NoError(t, p.navigate(ctx, e.srv.URL+"/tail.html?processname=echo"))
	var text string
	require.NoError(t, p.eval(ctx, `document.getElementById("log").textContent`, &text))
	assert.Equal(t, evilOutput, text)
	var scripts int
	require.NoError(t, p.eval(ctx, `document.scripts.length`, &scripts))
	assert.Equal(t, 1, scripts, "the log's <script> stayed text")

	require.NoError(t, p.navigate(ctx, e.srv.URL+"/tail.html?processname=ticker"))
	require.NoError(t, p.eval(ctx, `document.getElementById("log").textContent`, &text))
	last := lastTick(text)
	require.GreaterOrEqual(t, last, 0, text)
	require.NoError(t, p.waitTrue(ctx, fmt.Sprintf(`document.getElementById("log").textContent.includes("tick-%d\n")`, last+3)),
		"the tail page follows the log")
	require.NoError(t, p.eval(ctx, `document.getElementById("log").textContent`, &text))
	assert.NotContains(t, text, "\x00")
	assertTicksInOrder(t, text)
	shot, err = p.screenshot(ctx)
	require.NoError(t, err)
	saveArtifact(t, artifacts, "web-tail.png", shot)

	// Pausing stops the polls.
	require.NoError(t, p.click(ctx, "#follow"))
	require.NoError(t, p.waitTrue(ctx, `document.getElementById("follow").getAttribute("aria-pressed") === "false"`))

	for _, problem := range p.problems() {
		if strings.Contains(problem, "favicon.ico") {
			continue
		}
		t.Errorf("page problem: %s", problem)
	}
}

// lastTick returns the number of the last complete "tick-N" line, or -1.
func lastTick(text string) int {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		var n int
		if _, err := fmt.Sscanf(lines[i], "tick-%d", &n); err == nil {
			return n
		}
	}
	return -1
}

// assertTicksInOrder checks that following neither lost nor repeated a line.
func assertTicksInOrder(t *testing.T, text string) {
	t.Helper()
	prev := -1
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		var n int
		if _, err := fmt.Sscanf(line, "tick-%d", &n); err != nil {
			t.Errorf("unexpected line %q", line)
			continue
		}
		if prev >= 0 && n != prev+1 {
			t.Errorf("tick-%d after tick-%d", n, prev)
		}
		prev = n
	}
}
