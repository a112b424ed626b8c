package supervisor

import "sync"

// tailBuffer keeps the last bytes written to it, for "last output" of a
// process that has no log file. The zero value keeps nothing; use
// newTailBuffer. It is safe for concurrent use.
type tailBuffer struct {
	mu    sync.Mutex
	size  int    // capacity of the ring
	buf   []byte // the ring, allocated at the first write so idle children cost nothing
	pos   int    // where the next byte goes
	full  bool   // the ring has wrapped at least once
	total int64  // bytes written since creation or Reset
}

// defaultTailBytes is a sensible size for a tailBuffer: what supervisorctl
// tail shows, with room to spare.
const defaultTailBytes = 64 << 10

func newTailBuffer(size int) *tailBuffer {
	return &tailBuffer{size: size}
}

// Write keeps the last bytes of p. It never fails.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	t.total += int64(n)
	size := t.size
	if size == 0 || n == 0 {
		return n, nil
	}
	if t.buf == nil {
		t.buf = make([]byte, size)
	}
	if n >= size {
		copy(t.buf, p[n-size:])
		t.pos, t.full = 0, true
		return n, nil
	}
	k := copy(t.buf[t.pos:], p)
	if k < n {
		copy(t.buf, p[k:])
		t.full = true
	}
	t.pos = (t.pos + n) % size
	if t.pos == 0 {
		t.full = true
	}
	return n, nil
}

// Bytes returns a copy of the kept bytes, oldest first.
func (t *tailBuffer) Bytes() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.full {
		return append([]byte(nil), t.buf[:t.pos]...)
	}
	out := make([]byte, 0, len(t.buf))
	out = append(out, t.buf[t.pos:]...)
	return append(out, t.buf[:t.pos]...)
}

// Total returns how many bytes have been written since creation or Reset,
// kept or not.
func (t *tailBuffer) Total() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.total
}

// Reset forgets everything written.
func (t *tailBuffer) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.pos, t.full, t.total = 0, false, 0
}
