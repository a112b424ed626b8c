package supervisor

import "time"

// tickPeriods are supervisord's TICK_5, TICK_60 and TICK_3600.
var tickPeriods = []time.Duration{5 * time.Second, time.Minute, time.Hour}

// WithTickEvents makes Serve publish an EventTick each time a 5-second,
// 60-second or 3600-second period of the wall clock begins, as supervisord
// does for TICK_5, TICK_60 and TICK_3600: Event.Time is the start of the
// period (a multiple of it in Unix time) and Event.Tick its length. The
// first ticks come at the first boundaries after Serve starts; a clock that
// jumps gives one tick per period at the next check, never a burst. Off by
// default, so that subscribers that do not want them see none.
func WithTickEvents() Option { return func(s *Supervisor) { s.ticks = true } }

// timeslice is supervisord's: the start of the period that holds t.
func timeslice(period time.Duration, t time.Time) int64 {
	p := int64(period / time.Second)
	u := t.Unix()
	return u - u%p
}

// runTicks publishes tick events until stop is closed.
func (s *Supervisor) runTicks(stop <-chan struct{}) {
	last := map[time.Duration]int64{}
	now := s.clock.Now()
	for _, p := range tickPeriods {
		last[p] = timeslice(p, now)
	}
	for {
		// Wake just after the next 5-second boundary (every other period
		// is a multiple of it).
		next := time.Unix(timeslice(5*time.Second, now)+5, 0)
		t := s.clock.NewTimer(next.Sub(now) + time.Millisecond)
		select {
		case <-stop:
			t.Stop()
			return
		case <-t.C():
		}
		now = s.clock.Now()
		for _, p := range tickPeriods {
			if this := timeslice(p, now); this != last[p] {
				last[p] = this
				s.publish(Event{Kind: EventTick, Time: time.Unix(this, 0), Tick: p})
			}
		}
	}
}
