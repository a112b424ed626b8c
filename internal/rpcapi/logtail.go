package rpcapi

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/supervise-go/supervisor"
)

// tailHead is how much of a file a new /logtail client gets before the
// bytes appended from then on.
const tailHead = 1024

// truncatedMark is sent when the followed file shrinks.
const truncatedMark = "==> File truncated <==\n"

// logtail serves GET /logtail/<namespec>[/<channel>].
func (h *handler) logtail(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		httpError(w, http.StatusBadRequest)
		return
	}
	name, channel, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/logtail/"), "/")
	if !ok {
		channel = string(supervisor.ChannelStdout)
	}
	ch := supervisor.Channel(channel)
	group, process := splitNamespec(name)
	if process == "" || (ch != supervisor.ChannelStdout && ch != supervisor.ChannelStderr) {
		httpError(w, http.StatusNotFound)
		return
	}
	proc, err := h.api.sup().Process(group, process)
	if err != nil {
		httpError(w, http.StatusNotFound)
		return
	}
	h.follow(w, r, logPath(proc.Info(), ch))
}

// mainlogtail serves GET /mainlogtail.
func (h *handler) mainlogtail(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		httpError(w, http.StatusBadRequest)
		return
	}
	h.follow(w, r, h.api.b.MainLogPath())
}

// follow streams the file at path: its last tailHead bytes, then whatever
// is appended, until the client goes away or the server shuts down. A file
// that shrinks is announced with truncatedMark and followed from its start;
// a file replaced at path (rotation: another inode) is followed from the
// new file's start. No file (or not a regular one) is 404: supervisord's
// answer for a log that does not exist yet.
func (h *handler) follow(w http.ResponseWriter, r *http.Request, path string) {
	t, err := openTail(path)
	if err != nil {
		httpError(w, http.StatusNotFound)
		return
	}
	defer t.close()

	hdr := w.Header()
	hdr.Set("Last-Modified", t.mtime.UTC().Format(http.TimeFormat))
	hdr.Set("Content-Type", "text/plain;charset=utf-8")
	hdr.Set("X-Accel-Buffering", "no") // tell proxies not to buffer
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)

	t.off = max(0, t.size-tailHead)
	ticker := time.NewTicker(h.opts.TailInterval)
	defer ticker.Stop()
	for {
		if err := t.send(r.Context(), w); err != nil {
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-ticker.C:
		}
		t.reopenIfRotated()
	}
}

// tail is the state of one follower.
type tail struct {
	path  string
	f     *os.File
	ino   uint64
	mtime time.Time
	size  int64 // at open
	off   int64 // next byte to send
}

func openTail(path string) (*tail, error) {
	if path == "" {
		return nil, os.ErrNotExist
	}
	// Refuse what is not a regular file before opening it: opening a FIFO
	// would block until a writer comes.
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, os.ErrInvalid
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fst, err := f.Stat()
	if err != nil || !fst.Mode().IsRegular() {
		f.Close()
		return nil, os.ErrInvalid
	}
	return &tail{path: path, f: f, ino: inode(fst), mtime: fst.ModTime(), size: fst.Size()}, nil
}

func (t *tail) close() { t.f.Close() }

// reopenIfRotated follows the path to a new file when the old one was
// renamed away and another created in its place. While no file is at path,
// the old one is kept.
func (t *tail) reopenIfRotated() {
	st, err := os.Stat(t.path)
	if err != nil || inode(st) == t.ino || !st.Mode().IsRegular() {
		return
	}
	f, err := os.Open(t.path)
	if err != nil {
		return
	}
	fst, err := f.Stat()
	if err != nil {
		f.Close()
		return
	}
	t.f.Close()
	t.f, t.ino, t.off = f, inode(fst), 0
}

// send writes the bytes of the file past t.off.
func (t *tail) send(ctx context.Context, w io.Writer) error {
	st, err := t.f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if size < t.off {
		if _, err := io.WriteString(w, truncatedMark); err != nil {
			return err
		}
		t.off = 0
	}
	if size == t.off {
		return nil
	}
	// Copy in bounded pieces, so that a burst of megabytes neither sits in
	// memory nor keeps a stream from noticing its client left.
	buf := make([]byte, min(size-t.off, 32<<10))
	for t.off < size {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		n, err := t.f.ReadAt(buf[:min(int64(len(buf)), size-t.off)], t.off)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return werr
			}
			t.off += int64(n)
		}
		if err == io.EOF {
			return nil // truncated while reading: seen next time
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func inode(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
