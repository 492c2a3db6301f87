package triage

import "time"

// SequenceMatch is one completed sequence: the seed rule read literally as
// `sequence by host.id with maxspan=5s [R1] [R2] [R3]` (mode S).
type SequenceMatch struct {
	HostKey string
	Steps   []*Event // one per step, in order
}

// DefaultMaxSpan is the seed rule's maxspan.
const DefaultMaxSpan = 5 * time.Second

// Sequences runs steps as an EQL sequence keyed by host over events in
// timeline order. EQL semantics: maxspan counts from the first event and is
// inclusive; one pending sequence per step and key, the newest overwriting;
// a null key (unknown host) joins nothing; an event is tried against the
// later steps first so it cannot advance one sequence twice.
func Sequences(events []*Event, steps []*Rule, maxspan time.Duration) []SequenceMatch {
	if len(steps) == 0 {
		return nil
	}
	type partial struct {
		start time.Time
		evs   []*Event
	}
	// pending[host][i] is the sequence that has completed steps 0..i.
	pending := map[string][]*partial{}
	var out []SequenceMatch
	for _, e := range events {
		if e.HostKey == UnknownHost {
			continue
		}
		st := pending[e.HostKey]
		if st == nil {
			st = make([]*partial, len(steps))
			pending[e.HostKey] = st
		}
		for i := len(steps) - 1; i >= 0; i-- {
			if _, ok := steps[i].Eval(e); !ok {
				continue
			}
			if i == 0 {
				if len(steps) == 1 {
					out = append(out, SequenceMatch{HostKey: e.HostKey, Steps: []*Event{e}})
					continue
				}
				st[0] = &partial{start: e.Time, evs: []*Event{e}}
				continue
			}
			prev := st[i-1]
			if prev == nil {
				continue
			}
			if e.Time.Sub(prev.start) > maxspan {
				st[i-1] = nil // expired
				continue
			}
			next := &partial{start: prev.start, evs: append(append([]*Event(nil), prev.evs...), e)}
			st[i-1] = nil
			if i == len(steps)-1 {
				out = append(out, SequenceMatch{HostKey: e.HostKey, Steps: next.evs})
			} else {
				st[i] = next
			}
		}
	}
	return out
}
