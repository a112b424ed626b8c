package mainlog

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/supervise-go/supervisor/internal/logfile"
)

// Check 32.
var logTestLineRE = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (CRIT|ERRO|WARN|INFO|DEBG|TRAC|BLAT) `)

// logTestClock is a Clock stopped at one instant; the main log only asks
// it for the time.
type logTestClock struct{ now time.Time }

func (c logTestClock) Now() time.Time { return c.now }

// logTestMessages returns what follows the time and level on each line.
func logTestMessages(t *testing.T, out string) []string {
	t.Helper()
	var msgs []string
	for _, line := range strings.SplitAfter(out, "\n") {
		if line == "" {
			continue
		}
		if !logTestLineRE.MatchString(line) || !strings.HasSuffix(line, "\n") {
			t.Fatalf("bad main log line %q", line)
		}
		msgs = append(msgs, strings.TrimSuffix(line[len("2006-01-02 15:04:05,000 "):], "\n"))
	}
	return msgs
}

func TestMainLogLineFormat(t *testing.T) {
	var buf bytes.Buffer
	h := NewHandler(&buf, LevelBlather)
	at := time.Date(2026, 11, 24, 0, 48, 12, 311_999_999, time.Local) // milliseconds truncated, not rounded
	r := slog.NewRecord(at, slog.LevelInfo, "spawned: 'quick' with pid 9309", 0)
	if err := h.Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "2026-11-24 00:48:12,311 INFO spawned: 'quick' with pid 9309\n"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	// Times are written in local time whatever their location.
	buf.Reset()
	utc := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	if err := h.Handle(context.Background(), slog.NewRecord(utc, LevelCritical, "x", 0)); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), utc.Local().Format("2006-01-02 15:04:05")+",006 CRIT x\n"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}

	// A multi-line message is written as it is (child output echo).
	buf.Reset()
	slog.New(h).Debug("'quick' stdout output:\nhello\n")
	if got := buf.String(); !logTestLineRE.MatchString(got) || !strings.HasSuffix(got, " DEBG 'quick' stdout output:\nhello\n\n") {
		t.Errorf("got %q", got)
	}

	// A record without a time is stamped now.
	buf.Reset()
	before := time.Now().Truncate(time.Millisecond)
	if err := h.Handle(context.Background(), slog.NewRecord(time.Time{}, slog.LevelInfo, "now", 0)); err != nil {
		t.Fatal(err)
	}
	stamp, err := time.ParseInLocation("2006-01-02 15:04:05,000", buf.String()[:23], time.Local)
	if err != nil || stamp.Before(before) || stamp.After(time.Now()) {
		t.Errorf("zero time written as %q (%v)", buf.String(), err)
	}
}

func TestMainLogClock(t *testing.T) {
	var buf bytes.Buffer
	clock := logTestClock{time.Date(2030, 5, 6, 7, 8, 9, 10_000_000, time.Local)}
	log := slog.New(newMainLogHandler(&buf, nil, clock.Now))
	log.Info("supervisord started with pid 42")
	log.Debug("dropped: the default level is info")
	if got, want := buf.String(), "2030-05-06 07:08:09,010 INFO supervisord started with pid 42\n"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestMainLogLevelWords(t *testing.T) {
	tests := []struct {
		level slog.Level
		word  string
	}{
		{LevelCritical + 10, "CRIT"},
		{LevelCritical, "CRIT"},
		{LevelCritical - 1, "ERRO"},
		{slog.LevelError, "ERRO"},
		{slog.LevelWarn, "WARN"},
		{slog.LevelInfo + 1, "INFO"},
		{slog.LevelInfo, "INFO"},
		{slog.LevelDebug, "DEBG"},
		{slog.LevelDebug - 1, "TRAC"},
		{LevelTrace, "TRAC"},
		{LevelBlather, "BLAT"},
		{LevelBlather - 10, "BLAT"},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		slog.New(NewHandler(&buf, slog.Level(-100))).Log(context.Background(), tt.level, "m")
		if msgs := logTestMessages(t, buf.String()); len(msgs) != 1 || msgs[0] != tt.word+" m" {
			t.Errorf("level %d written as %q, want %s", tt.level, buf.String(), tt.word)
		}
	}
	if !(LevelBlather < LevelTrace && LevelTrace < slog.LevelDebug && LevelCritical > slog.LevelError) {
		t.Error("levels out of order")
	}
}

func TestMainLogLevelFiltering(t *testing.T) {
	all := []slog.Level{LevelCritical, slog.LevelError, slog.LevelWarn, slog.LevelInfo, slog.LevelDebug, LevelTrace, LevelBlather}
	tests := []struct {
		config string
		want   string
	}{
		{"critical", "CRIT"},
		{"error", "CRIT ERRO"},
		{"warn", "CRIT ERRO WARN"},
		{"info", "CRIT ERRO WARN INFO"},
		{"debug", "CRIT ERRO WARN INFO DEBG"},
		{"trace", "CRIT ERRO WARN INFO DEBG TRAC"},
		{"blather", "CRIT ERRO WARN INFO DEBG TRAC BLAT"},
	}
	for _, tt := range tests {
		level, err := ParseLevel(tt.config)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		log := slog.New(NewHandler(&buf, level))
		for _, l := range all {
			log.Log(context.Background(), l, "x")
		}
		var words []string
		for _, m := range logTestMessages(t, buf.String()) {
			words = append(words, strings.TrimSuffix(m, " x"))
		}
		if got := strings.Join(words, " "); got != tt.want {
			t.Errorf("loglevel=%s wrote %s, want %s", tt.config, got, tt.want)
		}
	}

	// A LevelVar changes the level of a running handler.
	var buf bytes.Buffer
	var lv slog.LevelVar
	log := slog.New(NewHandler(&buf, &lv))
	log.Debug("hidden")
	lv.Set(slog.LevelDebug)
	log.Debug("shown")
	if msgs := logTestMessages(t, buf.String()); len(msgs) != 1 || msgs[0] != "DEBG shown" {
		t.Errorf("got %q", msgs)
	}
}

func TestParseLevel(t *testing.T) {
	for _, tt := range []struct {
		name  string
		level slog.Level
	}{
		{"critical", LevelCritical}, {"ERROR", slog.LevelError}, {"Warn", slog.LevelWarn},
		{"info", slog.LevelInfo}, {"debug", slog.LevelDebug}, {"trace", LevelTrace}, {"BLATHER", LevelBlather},
	} {
		if got, err := ParseLevel(tt.name); err != nil || got != tt.level {
			t.Errorf("ParseLevel(%q) = %v, %v", tt.name, got, err)
		}
	}
	for _, bad := range []string{"verbose", "warning", "crit", "", "info "} {
		_, err := ParseLevel(bad)
		if err == nil || err.Error() != "bad logging level name '"+bad+"'" {
			t.Errorf("ParseLevel(%q): %v", bad, err)
		}
	}
}

type logTestValuer struct{}

func (logTestValuer) LogValue() slog.Value { return slog.StringValue("resolved") }

func TestMainLogAttributes(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 48, 12, 0, time.UTC)
	tests := []struct {
		name string
		log  func(*slog.Logger)
		want string
	}{
		{"plain message has nothing after it", func(l *slog.Logger) { l.Info("plain") }, "plain"},
		{"key=value", func(l *slog.Logger) { l.Info("m", "k", "v", "n", 3, "ok", true) }, "m k=v n=3 ok=true"},
		{"quoted when needed", func(l *slog.Logger) { l.Info("m", "k", "a b", "e", "", "q", `x"y`, "eq", "a=b") }, `m k="a b" e="" q="x\"y" eq="a=b"`},
		{"WithAttrs", func(l *slog.Logger) { l.With("process", "quick").Info("m", "pid", 7) }, "m process=quick pid=7"},
		{"groups", func(l *slog.Logger) { l.With("a", 1).WithGroup("g").With("b", 2).Info("m", "c", 3) }, "m a=1 g.b=2 g.c=3"},
		{"empty group left out", func(l *slog.Logger) { l.WithGroup("g").Info("m") }, "m"},
		{"group attribute", func(l *slog.Logger) { l.Info("m", slog.Group("req", "id", 5), slog.Group("none")) }, "m req.id=5"},
		{"inline group", func(l *slog.Logger) { l.Info("m", slog.Group("", "id", 5)) }, "m id=5"},
		{"empty attribute left out", func(l *slog.Logger) { l.Info("m", slog.Attr{}) }, "m"},
		{"LogValuer", func(l *slog.Logger) { l.Info("m", "v", logTestValuer{}) }, "m v=resolved"},
		{"error", func(l *slog.Logger) { l.Info("m", "err", errors.New("no space left")) }, `m err="no space left"`},
		{"time", func(l *slog.Logger) { l.Info("m", "at", at) }, "m at=2026-11-24T00:48:12Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tt.log(slog.New(NewHandler(&buf, nil)))
			if msgs := logTestMessages(t, buf.String()); len(msgs) != 1 || msgs[0] != "INFO "+tt.want {
				t.Errorf("got %q, want %q", buf.String(), "INFO "+tt.want)
			}
		})
	}
}

// Lines from handlers that share one output never mix, even through an
// io.MultiWriter (nodaemon: the file and stdout).
func TestMainLogConcurrentLinesStayWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "supervisord.log")
	file := logfile.New(path, 4<<10, 100)
	defer file.Close()
	var echo bytes.Buffer // not safe for concurrent use by itself
	base := slog.New(NewHandler(io.MultiWriter(file, &echo), nil))
	var wg sync.WaitGroup
	for g := range 4 {
		log := base.With("g", g)
		wg.Go(func() {
			for i := range 100 {
				log.Info(strings.Repeat("m", 10+i), "i", i)
			}
		})
	}
	wg.Wait()
	if n := len(logTestMessages(t, echo.String())); n != 400 {
		t.Errorf("%d lines echoed, want 400", n)
	}
	// Rotation happened and every file holds whole lines.
	var lines int
	for _, p := range []string{path, path + ".1", path + ".2"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines += len(logTestMessages(t, string(b)))
	}
	if lines == 0 {
		t.Error("no lines in the files")
	}
}

// Check 34: after the main log is moved away, the SIGUSR2 lines go to the
// moved file and the reopened file at the original path gets the rest.
func TestMainLogReopenAfterMove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "supervisord.log")
	file := logfile.New(path, 50<<20, 10)
	defer file.Close()
	log := slog.New(NewHandler(file, nil))
	log.Info("supervisord started with pid 1")
	if err := os.Rename(path, filepath.Join(dir, "x.old")); err != nil {
		t.Fatal(err)
	}
	log.Info("received SIGUSR2 indicating log reopen request")
	log.Info("supervisord logreopen")
	if err := file.Reopen(); err != nil {
		t.Fatal(err)
	}
	log.Info("spawned: 'quick' with pid 2")

	old, err := os.ReadFile(filepath.Join(dir, "x.old"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"INFO supervisord started with pid 1", "INFO received SIGUSR2 indicating log reopen request", "INFO supervisord logreopen"}
	if got := logTestMessages(t, string(old)); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("moved file: %q", got)
	}
	if got := logTestMessages(t, readFile(t, path)); len(got) != 1 || got[0] != "INFO spawned: 'quick' with pid 2" {
		t.Errorf("new file: %q", got)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
