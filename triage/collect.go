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
	mu sync.Mutex
	// Events live in fixed-size blocks that are never reallocated, so
	// pointers into them stay valid and growth never copies what is held.
	blocks [][]Event
	idx    map[dedupeKey]*Event
	dups   int
}

const collectBlock = 4096

// NewCollector returns an empty collector.
func NewCollector() *Collector {
	return &Collector{idx: map[dedupeKey]*Event{}}
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
		if old, ok := c.idx[k]; ok {
			c.dups++
			if preferred(e, old) {
				*old = *e
			}
			continue
		}
		if n := len(c.blocks); n == 0 || len(c.blocks[n-1]) == collectBlock {
			c.blocks = append(c.blocks, make([]Event, 0, collectBlock))
		}
		b := &c.blocks[len(c.blocks)-1]
		*b = append(*b, *e)
		c.idx[k] = &(*b)[len(*b)-1]
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
func (c *Collector) Take() ([]*Event, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, b := range c.blocks {
		n += len(b)
	}
	evs := make([]*Event, 0, n)
	for _, b := range c.blocks {
		for i := range b {
			evs = append(evs, &b[i])
		}
	}
	dups := c.dups
	c.blocks, c.dups, c.idx = nil, 0, map[dedupeKey]*Event{}
	return evs, dups
}
