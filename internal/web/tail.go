package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/supervise-go/supervisor"
)

const (
	// tailPageMin is how much of the log tail.html shows at least, as
	// supervisord (which shows max(1024, limit) bytes).
	tailPageMin = 1024
	// tailAPIDefault is how much /api/tail returns at most by default.
	tailAPIDefault = 64 << 10
)

// tailView is the data of tail.html.
type tailView struct {
	Namespec   string
	Channel    string
	Error      string
	Data       string
	Offset     int64 // the log's size when Data was read: where following resumes
	Follow     bool  // the log can be followed from Offset
	RefreshURL string
	StdoutURL  string
	StderrURL  string
	RawURL     string // the daemon's /logtail stream of the channel
}

// serveTail is supervisord's tail.html: the end of a process's stdout log
// (or, as an extension, stderr with channel=stderr), which the page's script
// then follows.
func (h *handler) serveTail(w http.ResponseWriter, r *http.Request) {
	if !allowMethods(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	if err := parseForm(w, r); err != nil {
		http.Error(w, "400 "+err.Error(), http.StatusBadRequest)
		return
	}
	ns := r.Form.Get("processname")
	ch := supervisor.ChannelStdout
	if r.Form.Get("channel") == string(supervisor.ChannelStderr) {
		ch = supervisor.ChannelStderr
	}
	// supervisord takes limit only when it is all digits.
	limit := int64(tailPageMin)
	if n, ok := digits(r.Form.Get("limit")); ok && n > limit {
		limit = min(n, h.cfg.maxTail)
	}
	v := tailView{Namespec: ns, Channel: string(ch)}
	q := "tail.html?processname=" + pyQuote(ns)
	if r.Form.Get("limit") != "" {
		q += "&limit=" + strconv.FormatInt(limit, 10)
	}
	v.StdoutURL = q
	v.StderrURL = q + "&channel=stderr"
	v.RefreshURL = v.StdoutURL
	v.RawURL = "logtail/" + pyQuote(ns)
	if ch == supervisor.ChannelStderr {
		v.RefreshURL = v.StderrURL
		v.RawURL += "/stderr"
	}
	if ns == "" {
		v.Error = "No process name found"
	} else {
		data, size, err := h.readTail(ns, ch, -1, limit)
		switch {
		case errors.Is(err, supervisor.ErrNoFile):
			v.Error = "No file for " + ns
			// A log file that will be created by the first output can be
			// followed from its start.
			v.Follow = h.logPath(ns, ch) != ""
		case err != nil:
			v.Error = "ERROR: " + faultText(err, ns)
		default:
			v.Data, v.Offset, v.Follow = string(data), size, true
		}
	}
	var buf bytes.Buffer
	if err := h.tail.Execute(&buf, v); err != nil {
		http.Error(w, "500 "+err.Error(), http.StatusInternalServerError)
		return
	}
	writeHTML(w, buf.Bytes())
}

// digits parses s if it is a non-empty string of ASCII digits, as Python's
// str.isdigit accepts it; a number too big to hold saturates.
func digits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<62)/10 {
			n = 1 << 62
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// readTail reads a process's log from offset (negative: the last limit
// bytes) and returns at most limit new bytes and the size of the file,
// where the next read resumes. The bytes never begin or end in the middle
// of a UTF-8 sequence: an incomplete sequence at the end is left for the next
// read, and one cut at the start (by the limit) is skipped. When the file
// shrank below offset (it was rotated or cleared) reset is set and the read
// starts over at the end of the new file; an error is ErrNoFile when the
// channel has no log file or it does not exist yet, ErrBadName for an unknown
// process.
func (h *handler) readTail(ns string, ch supervisor.Channel, offset, limit int64) ([]byte, int64, error) {
	data, size, _, err := h.tailFrom(ns, ch, offset, limit)
	return data, size, err
}

func (h *handler) tailFrom(ns string, ch supervisor.Channel, offset, limit int64) (data []byte, size int64, reset bool, err error) {
	p, err := h.process(ns)
	if err != nil {
		return nil, 0, false, err
	}
	if logPath(p.Info(), ch) == "" {
		return nil, 0, false, supervisor.ErrNoFile
	}
	from := max(offset, 0)
	data, size, _, err = p.TailLog(ch, from, limit)
	if err != nil {
		return nil, 0, false, err
	}
	if offset >= 0 && size < offset {
		reset, from = true, 0
		data, size, _, err = p.TailLog(ch, 0, limit)
		if err != nil {
			return nil, 0, false, err
		}
	}
	if size == 0 && offset < 0 {
		// Nothing to show: say so if the file is missing, as supervisord.
		if _, err := p.ReadLog(ch, -1, 0); err != nil {
			return nil, 0, false, err
		}
	}
	// TailLog may return bytes from before offset; keep the new ones.
	if n := size - from; offset >= 0 && !reset && int64(len(data)) > n {
		data = data[int64(len(data))-n:]
	}
	// Bytes skipped at the start (the file was longer than limit) can cut a
	// character; a write in progress can cut one at the end.
	if size-int64(len(data)) > from {
		for i := 0; i < utf8.UTFMax-1 && len(data) > 0 && !utf8.RuneStart(data[0]); i++ {
			data = data[1:]
		}
	}
	if cut := incompleteSuffix(data); cut > 0 {
		data, size = data[:len(data)-cut], size-int64(cut)
	}
	return data, size, reset, nil
}

// incompleteSuffix returns how many bytes at the end of b are the start of
// a UTF-8 sequence still missing bytes.
func incompleteSuffix(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(b[i]) {
			if b[i] >= 0xC0 && !utf8.FullRune(b[i:]) {
				return len(b) - i
			}
			return 0
		}
	}
	return 0
}

// tailReply is the answer of /api/tail.
type tailReply struct {
	Data   string `json:"data"`   // the new text (invalid UTF-8 replaced)
	Offset int64  `json:"offset"` // pass it as offset next time
	Reset  bool   `json:"reset"`  // the file was rotated or cleared: data starts a new file
	Error  string `json:"error,omitempty"`
}

// serveTailAPI answers the tail page's polls: GET
// /api/tail?processname=NS[&channel=stderr][&offset=N][&limit=L] returns the
// bytes of the log after offset (without offset, the last limit bytes) and
// the offset to ask from next time. limit defaults to 64 KiB; when more than
// limit bytes were appended, the older ones are skipped. Errors: 400 for a
// missing process name or a bad number, 404 for an unknown process or a
// channel without a log file.
func (h *handler) serveTailAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	ns := q.Get("processname")
	if ns == "" {
		writeJSON(w, http.StatusBadRequest, tailReply{Error: "No process name found"})
		return
	}
	ch := supervisor.ChannelStdout
	switch q.Get("channel") {
	case "", "stdout":
	case "stderr":
		ch = supervisor.ChannelStderr
	default:
		writeJSON(w, http.StatusBadRequest, tailReply{Error: "channel must be stdout or stderr"})
		return
	}
	limit := int64(tailAPIDefault)
	if s := q.Get("limit"); s != "" {
		n, ok := digits(s)
		if !ok || n == 0 {
			writeJSON(w, http.StatusBadRequest, tailReply{Error: "limit must be a positive integer"})
			return
		}
		limit = min(n, h.cfg.maxTail)
	}
	offset := int64(-1)
	if s := q.Get("offset"); s != "" {
		n, ok := digits(s)
		if !ok {
			writeJSON(w, http.StatusBadRequest, tailReply{Error: "offset must be a non-negative integer"})
			return
		}
		offset = n
	}
	data, size, reset, err := h.tailFrom(ns, ch, offset, limit)
	switch {
	case errors.Is(err, supervisor.ErrBadName):
		writeJSON(w, http.StatusNotFound, tailReply{Error: "No such process named " + ns})
		return
	case errors.Is(err, supervisor.ErrNoFile):
		// A log file not created yet is followed from its start.
		if h.logPath(ns, ch) != "" {
			writeJSON(w, http.StatusOK, tailReply{})
			return
		}
		writeJSON(w, http.StatusNotFound, tailReply{Error: "No file for " + ns})
		return
	case err != nil:
		writeJSON(w, http.StatusInternalServerError, tailReply{Error: "ERROR: " + faultText(err, ns)})
		return
	}
	writeJSON(w, http.StatusOK, tailReply{Data: string(data), Offset: size, Reset: reset})
}

// process finds the process ns names as supervisord's split_namespec
// does: "group:name", or a bare name for the process of that name in the
// group of that name (never a whole group).
func (h *handler) process(ns string) (*supervisor.Process, error) {
	g, p, ok := strings.Cut(ns, ":")
	if !ok {
		p = g
	}
	return h.b.Supervisor().Process(g, p)
}

// logPath is the path of ns's log file for ch, "" when it has none or ns
// names no process.
func (h *handler) logPath(ns string, ch supervisor.Channel) string {
	p, err := h.process(ns)
	if err != nil {
		return ""
	}
	return logPath(p.Info(), ch)
}

func logPath(info supervisor.ProcessInfo, ch supervisor.Channel) string {
	if ch == supervisor.ChannelStderr {
		return info.StderrLogfile
	}
	return info.StdoutLogfile
}
