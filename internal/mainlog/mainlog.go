// Package mainlog writes supervisord's main log: its line format
// ("2006-01-02 15:04:05,000 INFO message"), its level words (critical ...
// blather) and their order, as an slog.Handler, so that the supervisor's
// log lines read as supervisord's do. Only the daemon uses it; the
// supervisor package logs through any *slog.Logger.
package mainlog

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// supervisord's log levels beyond slog's four. slog.LevelDebug, LevelInfo,
// LevelWarn and LevelError stand for supervisord's debug, info, warn and
// error.
const (
	// LevelCritical is supervisord's critical (CRIT), above slog.LevelError.
	LevelCritical slog.Level = slog.LevelError + 4
	// LevelTrace is supervisord's trace (TRAC), below slog.LevelDebug: XML-RPC
	// calls and HTTP access lines.
	LevelTrace slog.Level = slog.LevelDebug - 4
	// LevelBlather is supervisord's blather (BLAT), the most verbose level.
	LevelBlather slog.Level = slog.LevelDebug - 8
)

// logLevelNames are supervisord's loglevel words, most severe first.
var logLevelNames = [...]struct {
	name  string
	level slog.Level
}{
	{"critical", LevelCritical},
	{"error", slog.LevelError},
	{"warn", slog.LevelWarn},
	{"info", slog.LevelInfo},
	{"debug", slog.LevelDebug},
	{"trace", LevelTrace},
	{"blather", LevelBlather},
}

// ParseLevel returns the level for one of supervisord's loglevel words:
// critical, error, warn, info, debug, trace or blather, in any case. Other
// words, "warning" and "crit" among them, are refused as supervisord refuses
// them.
func ParseLevel(name string) (slog.Level, error) {
	for _, l := range logLevelNames {
		if strings.EqualFold(name, l.name) {
			return l.level, nil
		}
	}
	return 0, fmt.Errorf("bad logging level name '%s'", name)
}

// levelWord returns the four letters supervisord writes for a level. A level
// between two of supervisord's counts as the lower one, as with slog's own.
func levelWord(l slog.Level) string {
	switch {
	case l >= LevelCritical:
		return "CRIT"
	case l >= slog.LevelError:
		return "ERRO"
	case l >= slog.LevelWarn:
		return "WARN"
	case l >= slog.LevelInfo:
		return "INFO"
	case l >= slog.LevelDebug:
		return "DEBG"
	case l >= LevelTrace:
		return "TRAC"
	}
	return "BLAT"
}

// mainLogTimeFormat is supervisord's asctime: local time, milliseconds after
// a comma. Go truncates fractional seconds, as supervisord does.
const mainLogTimeFormat = "2006-01-02 15:04:05,000"

// NewHandler returns a slog.Handler that writes supervisord's main log
// lines to w:
//
//	2026-11-24 00:48:12,311 INFO spawned: 'quick' with pid 9309
//
// The time is the record's, in local time (the current time if the record
// has none); the level is written as CRIT, ERRO, WARN, INFO, DEBG, TRAC or
// BLAT (see LevelCritical, LevelTrace and LevelBlather); the message is
// written as it is, newlines included. Attributes, which supervisord's own
// messages do not use, follow the message as " key=value", with group names
// as key prefixes ("group.key"); a line without attributes ends right after
// the message.
//
// Records below level are dropped; a nil level means slog.LevelInfo, and a
// *slog.LevelVar changes the level of a running handler. Each line is one
// Write to w, and handlers derived with WithAttrs and WithGroup share one
// lock, so lines never mix. w may be a *LogFile, for supervisord's rotation,
// or an io.MultiWriter of one and os.Stdout when running in the foreground.
func NewHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return newMainLogHandler(w, level, nil)
}

// newMainLogHandler is NewHandler with a clock that, when not nil,
// stamps every line instead of the record's time: the supervisor's tests run
// on a fake clock, and their log lines follow it.
func newMainLogHandler(w io.Writer, level slog.Leveler, clock func() time.Time) *mainLogHandler {
	if level == nil {
		level = slog.LevelInfo
	}
	return &mainLogHandler{out: &mainLogOutput{w: w, level: level, clock: clock}}
}

type mainLogHandler struct {
	out    *mainLogOutput
	attrs  []byte // " key=value" for the attributes of WithAttrs, preformatted
	prefix string // the groups of WithGroup, as "a.b."
}

// mainLogOutput is what all handlers derived from one NewHandler
// share.
type mainLogOutput struct {
	mu    sync.Mutex
	w     io.Writer
	level slog.Leveler
	clock func() time.Time
}

func (h *mainLogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.out.level.Level()
}

func (h *mainLogHandler) Handle(_ context.Context, r slog.Record) error {
	t := r.Time
	if h.out.clock != nil {
		t = h.out.clock()
	} else if t.IsZero() {
		t = time.Now()
	}
	buf := make([]byte, 0, 64+len(r.Message)+len(h.attrs))
	buf = t.Local().AppendFormat(buf, mainLogTimeFormat)
	buf = append(buf, ' ')
	buf = append(buf, levelWord(r.Level)...)
	buf = append(buf, ' ')
	buf = append(buf, r.Message...)
	buf = append(buf, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		buf = appendLogAttr(buf, h.prefix, a)
		return true
	})
	buf = append(buf, '\n')

	h.out.mu.Lock()
	defer h.out.mu.Unlock()
	_, err := h.out.w.Write(buf)
	return err
}

func (h *mainLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := *h
	h2.attrs = append([]byte(nil), h.attrs...)
	for _, a := range attrs {
		h2.attrs = appendLogAttr(h2.attrs, h.prefix, a)
	}
	return &h2
}

func (h *mainLogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.prefix = h.prefix + name + "."
	return &h2
}

// appendLogAttr appends " prefix+key=value", following slog's rules: empty
// attributes and empty groups are left out, a group without a key is
// inlined.
func appendLogAttr(buf []byte, prefix string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return buf
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			buf = appendLogAttr(buf, prefix, ga)
		}
		return buf
	}
	buf = append(buf, ' ')
	buf = appendLogText(buf, prefix+a.Key)
	buf = append(buf, '=')
	var s string
	switch a.Value.Kind() {
	case slog.KindTime:
		s = a.Value.Time().Format(time.RFC3339Nano)
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			s = err.Error()
		} else {
			s = a.Value.String()
		}
	default:
		s = a.Value.String()
	}
	return appendLogText(buf, s)
}

// appendLogText appends s, quoted if it would otherwise be ambiguous on a
// key=value line.
func appendLogText(buf []byte, s string) []byte {
	if s == "" {
		return append(buf, `""`...)
	}
	for _, r := range s {
		if r == '=' || r == '"' || r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return strconv.AppendQuote(buf, s)
		}
	}
	return append(buf, s...)
}
