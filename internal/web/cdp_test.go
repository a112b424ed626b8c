package web

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/internal/proctest"
)

// A minimal Chrome DevTools protocol client over --remote-debugging-pipe:
// Chromium reads commands on its fd 3 and writes replies and events on its
// fd 4, each a JSON message ended by a NUL byte. No WebSocket, no
// dependency.

// cdpMessage is a command reply or an event.
type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// browser is a headless Chromium driven through the pipe.
type browser struct {
	cmd      *exec.Cmd
	dir      string // its profile, also the marker of its processes
	toChrome io.WriteCloser

	mu      sync.Mutex
	nextID  int
	pending map[int]chan cdpMessage
	events  []cdpMessage  // every event so far
	more    chan struct{} // closed and replaced on every event
	readErr error
	exited  chan struct{}
}

// findChromium returns the path of a Chromium or Chrome binary, or "".
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// launchBrowser starts headless Chromium and stops it, with every process
// it started, when the test ends.
func launchBrowser(t *testing.T, path string) *browser {
	t.Helper()
	dir, err := os.MkdirTemp("", "web-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmdR, toChrome, err := os.Pipe() // we write commands, Chromium reads fd 3
	if err != nil {
		t.Fatal(err)
	}
	fromChrome, repW, err := os.Pipe() // Chromium writes fd 4, we read
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--disable-crash-reporter", "--disable-breakpad", "--mute-audio", "--no-default-browser-check",
		"--user-data-dir="+dir, "--remote-debugging-pipe", "--window-size=1280,900",
		"about:blank")
	cmd.ExtraFiles = []*os.File{cmdR, repW}
	cmd.Env = append(os.Environ(), "WEB_CHROMIUM_MARK="+dir)
	var stderr proctest.Buffer
	cmd.Stderr = &stderr
	// Its own process group, so that it goes with every helper it forks;
	// on Linux, killed if the test binary dies (browserProcAttr). Pdeathsig
	// fires when the thread that forked exits, so the fork happens on a
	// thread kept until the end.
	cmd.SysProcAttr = browserProcAttr()
	started := make(chan error)
	release := make(chan struct{})
	threadDone := make(chan struct{})
	go func() {
		defer close(threadDone)
		runtime.LockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			<-release
		}
		runtime.UnlockOSThread()
	}()
	if err := <-started; err != nil {
		close(release)
		t.Fatalf("start %s: %v", path, err)
	}
	cmdR.Close()
	repW.Close()

	b := &browser{cmd: cmd, dir: dir, toChrome: toChrome, pending: map[int]chan cdpMessage{},
		more: make(chan struct{}), exited: make(chan struct{})}
	waited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(waited)
	}()
	readDone := make(chan struct{})
	go func() {
		defer close(readDone)
		b.read(fromChrome)
	}()
	t.Cleanup(func() {
		// Ask politely, then make sure.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = b.call(ctx, "", "Browser.close", nil, nil)
		cancel()
		select {
		case <-waited:
		case <-time.After(10 * time.Second):
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-waited
		close(release)
		<-threadDone
		toChrome.Close()
		fromChrome.Close()
		<-readDone
		// Helpers that left the process group (zygotes, crashpad) carry the
		// mark in their environment or the profile in their arguments.
		var left []string
		for range 100 {
			left = append(procsWithEnv("WEB_CHROMIUM_MARK="+dir+"\x00"), procsWithArg(dir)...)
			if len(left) == 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(left) > 0 {
			for _, p := range left {
				if pid, err := strconv.Atoi(strings.Fields(p)[0]); err == nil {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
			t.Errorf("chromium processes left behind:\n%s", strings.Join(left, "\n"))
		}
		_ = os.RemoveAll(dir)
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", stderr.String())
		}
	})
	return b
}

func (b *browser) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			b.readErr = err
			for id, ch := range b.pending {
				close(ch)
				delete(b.pending, id)
			}
			close(b.exited)
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				ch <- m
				delete(b.pending, m.ID)
			}
		} else {
			b.events = append(b.events, m)
			close(b.more)
			b.more = make(chan struct{})
		}
		b.mu.Unlock()
	}
}

// call sends a command (to the browser, or to a page's session) and decodes
// its result into result.
func (b *browser) call(ctx context.Context, session, method string, params, result any) error {
	b.mu.Lock()
	if b.readErr != nil {
		b.mu.Unlock()
		return fmt.Errorf("%s: browser gone: %w", method, b.readErr)
	}
	b.nextID++
	id := b.nextID
	ch := make(chan cdpMessage, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	if _, err := b.toChrome.Write(append(raw, 0)); err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: browser gone", method)
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// eventsSince returns the events from index i on, and the index to pass
// next time.
func (b *browser) eventsSince(i int) ([]cdpMessage, int, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]cdpMessage(nil), b.events[i:]...), len(b.events), b.more
}

// waitEvent waits for an event of the method, after the first `from` events,
// for which match (if not nil) is true.
func (b *browser) waitEvent(ctx context.Context, from int, method string, match func(cdpMessage) bool) (cdpMessage, error) {
	for {
		evs, next, more := b.eventsSince(from)
		for _, ev := range evs {
			if ev.Method == method && (match == nil || match(ev)) {
				return ev, nil
			}
		}
		from = next
		select {
		case <-more:
		case <-b.exited:
			return cdpMessage{}, errors.New("browser gone")
		case <-ctx.Done():
			return cdpMessage{}, fmt.Errorf("waiting for %s: %w", method, ctx.Err())
		}
	}
}

// page is one tab, attached with a flat session.
type page struct {
	b       *browser
	session string
}

// newPage opens a tab and enables the domains the tests watch.
func (b *browser) newPage(ctx context.Context) (*page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		return nil, err
	}
	p := &page{b: b, session: attached.SessionID}
	for _, domain := range []string{"Page.enable", "Runtime.enable", "Log.enable"} {
		if err := p.call(ctx, domain, nil, nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *page) call(ctx context.Context, method string, params, result any) error {
	return p.b.call(ctx, p.session, method, params, result)
}

// mark returns the index of the next event, to wait for events after now.
func (p *page) mark() int {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return len(p.b.events)
}

// navigate loads url and waits for its load event.
func (p *page) navigate(ctx context.Context, url string) error {
	from := p.mark()
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.call(ctx, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return err
	}
	if nav.ErrorText != "" {
		return fmt.Errorf("navigate %s: %s", url, nav.ErrorText)
	}
	_, err := p.b.waitEvent(ctx, from, "Page.loadEventFired", func(m cdpMessage) bool { return m.SessionID == p.session })
	return err
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes
// its value into result.
func (p *page) eval(ctx context.Context, expr string, result any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.call(ctx, "Runtime.evaluate", map[string]any{
		"expression": expr, "returnByValue": true, "awaitPromise": true,
	}, &r)
	if err != nil {
		return err
	}
	if r.ExceptionDetails != nil {
		return fmt.Errorf("%s: %s %s", expr, r.ExceptionDetails.Text, r.ExceptionDetails.Exception.Description)
	}
	if result != nil && len(r.Result.Value) > 0 {
		return json.Unmarshal(r.Result.Value, result)
	}
	return nil
}

// waitTrue evaluates expr until it is true.
func (p *page) waitTrue(ctx context.Context, expr string) error {
	for {
		var ok bool
		if err := p.eval(ctx, expr, &ok); err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// click presses and releases the left button on the middle of the element
// that selector finds, as a user would.
func (p *page) click(ctx context.Context, selector string) error {
	var rect struct{ X, Y float64 }
	sel, _ := json.Marshal(selector)
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%s); if (!e) return null;
		e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect();
		return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`, sel)
	var found *struct{ X, Y float64 }
	if err := p.eval(ctx, expr, &found); err != nil {
		return err
	}
	if found == nil {
		return fmt.Errorf("click: no element %s", selector)
	}
	rect = *found
	for _, typ := range []string{"mouseMoved", "mousePressed", "mouseReleased"} {
		if err := p.call(ctx, "Input.dispatchMouseEvent", map[string]any{
			"type": typ, "x": rect.X, "y": rect.Y, "button": "left", "clickCount": 1,
		}, nil); err != nil {
			return err
		}
	}
	return nil
}

// key sends one key press.
func (p *page) key(ctx context.Context, key, code string, keyCode int, text string) error {
	down := map[string]any{"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": keyCode}
	if text != "" {
		down["text"] = text
	}
	if err := p.call(ctx, "Input.dispatchKeyEvent", down, nil); err != nil {
		return err
	}
	return p.call(ctx, "Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": keyCode}, nil)
}

// viewport sets the size of the page's window.
func (p *page) viewport(ctx context.Context, width, height int, mobile bool) error {
	scale := 1
	if mobile {
		scale = 2
	}
	return p.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile,
	}, nil)
}

// screenshot returns a PNG of the viewport.
func (p *page) screenshot(ctx context.Context) ([]byte, error) {
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON, decoded by encoding/json
	}
	err := p.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	return shot.Data, err
}

// problems lists the page's uncaught exceptions, console errors, log errors
// (CSP violations among them) and dialogs (an injected alert()).
func (p *page) problems() []string {
	evs, _, _ := p.b.eventsSince(0)
	var out []string
	for _, ev := range evs {
		if ev.SessionID != p.session {
			continue
		}
		switch ev.Method {
		case "Runtime.exceptionThrown", "Page.javascriptDialogOpening":
			out = append(out, ev.Method+" "+string(ev.Params))
		case "Runtime.consoleAPICalled":
			var c struct {
				Type string `json:"type"`
			}
			_ = json.Unmarshal(ev.Params, &c)
			if c.Type == "error" || c.Type == "assert" {
				out = append(out, ev.Method+" "+string(ev.Params))
			}
		case "Log.entryAdded":
			var l struct {
				Entry struct {
					Level  string `json:"level"`
					Source string `json:"source"`
					Text   string `json:"text"`
					URL    string `json:"url"`
				} `json:"entry"`
			}
			_ = json.Unmarshal(ev.Params, &l)
			if l.Entry.Level == "error" || l.Entry.Source == "security" {
				out = append(out, "log "+l.Entry.Source+": "+l.Entry.Text+" "+l.Entry.URL)
			}
		}
	}
	return out
}
