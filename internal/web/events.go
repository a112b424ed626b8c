package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/supervise-go/supervisor"
)

const (
	// eventGap is the shortest time between two snapshots on one stream:
	// a process that flaps sends a few snapshots a second, not one per
	// state change.
	eventGap = 100 * time.Millisecond
	// streamWriteTimeout bounds each write to a stream: a client that
	// stopped reading is dropped instead of holding a goroutine forever.
	streamWriteTimeout = 30 * time.Second
	// eventBuffer is how many events may wait for a stream's writer.
	// Each snapshot is complete, so a dropped event loses nothing but
	// the moment it happened.
	eventBuffer = 64
)

// serveEvents streams the status as server-sent events: an event
// "processes" whose data is the JSON of /api/processes, at once, after
// every state change (at most one per eventGap) and at every heartbeat.
//
// The stream reads the supervisor's events through a Subscription, which
// drops the oldest events rather than wait for a slow reader: a stalled
// client never holds supervision up. The handler returns when the client
// leaves, a write fails or times out, or the supervisor stops serving.
// Behind a ResponseWriter that cannot flush, one snapshot is sent and the
// response ends; the browser's EventSource then reconnects after the retry
// delay, which turns the stream into polling.
func (h *handler) serveEvents(w http.ResponseWriter, r *http.Request) {
	sub := h.b.Supervisor().Subscribe(eventBuffer)
	defer sub.Close()

	rc := http.NewResponseController(w)
	// The daemon's server may time out ordinary responses; a stream lives
	// longer, and bounds each write instead.
	_ = rc.SetWriteDeadline(time.Time{})
	defer rc.SetWriteDeadline(time.Time{}) //nolint:errcheck // best effort, as above
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	first := true
	send := func() error {
		body, err := json.Marshal(h.snapshot())
		if err != nil {
			return err
		}
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		msg := make([]byte, 0, len(body)+64)
		if first {
			msg = append(msg, "retry: 2000\n"...)
			first = false
		}
		msg = append(msg, "event: processes\ndata: "...)
		msg = append(msg, body...)
		msg = append(msg, "\n\n"...)
		if _, err := w.Write(msg); err != nil {
			return err
		}
		return rc.Flush()
	}
	if send() != nil {
		return
	}

	heartbeat := time.NewTicker(h.cfg.heartbeat)
	defer heartbeat.Stop()
	throttle := time.NewTimer(0)
	<-throttle.C
	armed, pending := false, false
	last := time.Now()
	dropped := sub.Dropped()
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-sub.C:
			if !ok { // the supervisor stopped serving
				_ = send()
				return
			}
			if d := sub.Dropped(); d != dropped || changesStatus(ev) {
				dropped, pending = d, true
			}
		case <-throttle.C:
			armed = false
		case <-heartbeat.C:
			pending = true
		}
		if !pending || armed {
			continue
		}
		if wait := eventGap - time.Since(last); wait > 0 {
			throttle.Reset(wait)
			armed = true
			continue
		}
		if send() != nil {
			return
		}
		pending, last = false, time.Now()
	}
}

// changesStatus reports whether ev changes what the status page shows.
func changesStatus(ev supervisor.Event) bool {
	switch ev.Kind {
	case supervisor.EventProcessState, supervisor.EventGroupAdded,
		supervisor.EventGroupRemoved, supervisor.EventSupervisorState:
		return true
	}
	return false
}
