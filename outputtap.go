package supervisor

// OutputTap receives a copy of a process's output, chunk by chunk, as it is
// read from the child's pipe: before ANSI stripping, capture mode or
// timestamps, and whatever the log settings, as exec.Cmd's Stdout would.
// pid tells the child that wrote it (a new pid means a new spawn). b is
// only valid during the call.
//
// The tap runs on the goroutine that reads the child's pipe: the child
// waits while it runs, so it must return quickly, and it must not call
// methods of the Supervisor or its handles that wait for a process (Start,
// Stop, WriteStdin...): hand the data to a goroutine of your own for that.
type OutputTap func(process string, pid int, ch Channel, b []byte)

// TapOutput calls tap with the output of every process of the group named
// group, from the next chunk read on: the group need not exist yet, so a
// tap set before Add sees a process's first output. Taps are how a
// protocol that runs over a child's stdout (supervisord's event listener
// protocol, say) gets every byte in order; events (LogSpec.EventsEnabled)
// go through subscriptions, which drop the oldest when the reader lags.
// A group has at most one tap: a second TapOutput replaces the first. The
// returned function removes the tap (if it is still the group's); output
// read after it returns is not given to the tap.
func (s *Supervisor) TapOutput(group string, tap OutputTap) (remove func()) {
	id := new(int)
	s.tapMu.Lock()
	if s.taps == nil {
		s.taps = map[string]outputTap{}
	}
	s.taps[group] = outputTap{id: id, fn: tap}
	s.tapMu.Unlock()
	return func() {
		s.tapMu.Lock()
		defer s.tapMu.Unlock()
		if t, ok := s.taps[group]; ok && t.id == id {
			delete(s.taps, group)
		}
	}
}

type outputTap struct {
	id *int // tells taps apart, for remove
	fn OutputTap
}

// tap gives b to the group's tap, if any.
func (s *Supervisor) tap(group, process string, pid int, ch Channel, b []byte) {
	s.tapMu.RLock()
	t, ok := s.taps[group]
	s.tapMu.RUnlock()
	if ok {
		t.fn(process, pid, ch, b)
	}
}
