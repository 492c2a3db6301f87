package triage

import (
	"strings"
	"sync"
)

// Collector gathers normalised events from many files as they are read and
// drops duplicates on the way in (rotated logs, backups and copies of the
// same log), so memory grows with distinct events, not with input size.
// Of two copies it keeps a live one over a carved one, then the one whose
// file path, then offset, sorts first, so the result does not depend on
// which file was read first.
type Collector struct {
	mu     sync.Mutex
	idx    map[dedupeKey]int
	events []Event
	dups   int
}

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{idx: map[dedupeKey]int{}}
}

func keyOf(e *Event) dedupeKey {
	return dedupeKey{e.HostKey, strings.ToLower(e.Channel), e.RecordID, e.Created.UnixNano(), e.contentHash}
}

// Add takes a batch of events (one file's); safe for concurrent use.
func (c *Collector) Add(evs []Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range evs {
		e := &evs[i]
		k := keyOf(e)
		if j, ok := c.idx[k]; ok {
			c.dups++
			if old := &c.events[j]; preferred(e, old) {
				*old = *e
			}
			continue
		}
		c.idx[k] = len(c.events)
		c.events = append(c.events, *e)
	}
}

// preferred says whether copy a of a record is the one to keep over b:
// a live log's over a carved one, then the first by file path and offset.
func preferred(a, b *Event) bool {
	if a.Carved != b.Carved {
		return !a.Carved
	}
	if a.File != b.File {
		return a.File < b.File
	}
	return a.Offset < b.Offset
}

// Take hands over the events and the number of duplicates dropped; the
// collector is empty afterwards.
func (c *Collector) Take() ([]Event, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	evs, dups := c.events, c.dups
	c.events, c.dups, c.idx = nil, 0, map[dedupeKey]int{}
	return evs, dups
}
