package triage

import (
	"context"
	"sort"
	"strings"
	"time"
)

// Finding is one rule firing on one event, with the evidence around it.
type Finding struct {
	Rule    *Rule
	Event   *Event
	Process *Process
	Why     []Match
	// Ancestors runs from the root of the known tree down to the parent.
	Ancestors   []*Process
	Descendants []Descendant
	// DescendantsTruncated says the subtree was cut at the bound.
	DescendantsTruncated bool
}

// Result is everything one analysis produced.
type Result struct {
	Files  []*FileCoverage
	Events []*Event // relevant events, deduplicated, in timeline order
	// Processes lists every process node in first-seen timeline order.
	Processes []*Process
	Findings  []*Finding
	Rules     []*Rule
	// Duplicates counts records dropped because another file held the
	// same record (same host, channel, id, time and content).
	Duplicates int
	// FallbackHosts lists hosts whose process tree comes from Security 4688
	// because they have no Sysmon process creates.
	FallbackHosts []string
	// Sequences holds mode-S matches when Options.Sequence is set.
	Sequences []SequenceMatch
}

// Options tune an analysis.
type Options struct {
	Rules []*Rule // compiled; nil means SeedRules
	// Sequence also runs the rules, in order, as one EQL sequence by host
	// with MaxSpan (0 means DefaultMaxSpan): the seed rule's literal reading.
	Sequence bool
	MaxSpan  time.Duration
}

// Analyze dedupes and orders events, builds the process trees and runs the
// rules. events is consumed: the Result points into it.
func Analyze(ctx context.Context, events []Event, files []*FileCoverage, opt Options) (*Result, error) {
	rules := opt.Rules
	if rules == nil {
		var err error
		if rules, err = SeedRules(); err != nil {
			return nil, err
		}
	}
	res := &Result{Files: files, Rules: rules}
	ptrs := make([]*Event, len(events))
	for i := range events {
		ptrs[i] = &events[i]
	}
	sortTimeline(ptrs)
	ptrs, res.Duplicates = dedupe(ptrs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Security 4688 is a fallback: a host with Sysmon process creates gets
	// its tree and detections from Sysmon alone, so one start never fires
	// twice.
	sysmonHosts := map[string]bool{}
	secHosts := map[string]bool{}
	for _, e := range ptrs {
		if e.Kind == KindProcessStart {
			if e.Origin == OriginSysmon {
				sysmonHosts[e.HostKey] = true
			} else {
				secHosts[e.HostKey] = true
			}
		}
	}
	for h := range secHosts {
		if !sysmonHosts[h] {
			res.FallbackHosts = append(res.FallbackHosts, h)
		}
	}
	sort.Strings(res.FallbackHosts)

	f := newForest()
	kept := ptrs[:0]
	type candidate struct {
		e *Event
		p *Process
	}
	var starts []candidate
	for _, e := range ptrs {
		if e.Origin == OriginSecurity && sysmonHosts[e.HostKey] {
			continue
		}
		kept = append(kept, e)
		switch e.Kind {
		case KindProcessStart:
			starts = append(starts, candidate{e, f.addStart(e)})
		case KindProcessEnd:
			f.addEnd(e)
		case KindFileCreate, KindFileStream:
			f.addFile(e)
		}
	}
	res.Events = kept
	res.Processes = f.order

	for i, c := range starts {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for _, r := range rules {
			why, ok := r.Eval(c.e)
			if !ok {
				continue
			}
			fd := &Finding{Rule: r, Event: c.e, Process: c.p, Why: why, Ancestors: c.p.Ancestors()}
			fd.Descendants, fd.DescendantsTruncated = c.p.Descendants()
			res.Findings = append(res.Findings, fd)
		}
	}
	if opt.Sequence {
		span := opt.MaxSpan
		if span == 0 {
			span = DefaultMaxSpan
		}
		res.Sequences = Sequences(res.Events, rules, span)
	}
	return res, nil
}

// sortTimeline orders by (time, host, record id), then by file and offset
// so that the order never depends on the order files were given in.
func sortTimeline(ev []*Event) {
	sort.SliceStable(ev, func(i, j int) bool {
		a, b := ev[i], ev[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.HostKey != b.HostKey {
			return a.HostKey < b.HostKey
		}
		if a.RecordID != b.RecordID {
			return a.RecordID < b.RecordID
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Offset < b.Offset
	})
}

type dedupeKey struct {
	host, channel string
	id            uint64
	created       int64
	content       uint64
}

// dedupe drops records seen in more than one file (rotated logs, backups,
// copies). Record ids restart when a log is cleared, so the key is host,
// channel, id, creation time and content, never the id alone.
func dedupe(ev []*Event) ([]*Event, int) {
	seen := make(map[dedupeKey]struct{}, len(ev))
	out := ev[:0]
	dups := 0
	for _, e := range ev {
		k := dedupeKey{e.HostKey, strings.ToLower(e.Channel), e.RecordID, e.Created.UnixNano(), e.contentHash}
		if _, ok := seen[k]; ok {
			dups++
			continue
		}
		seen[k] = struct{}{}
		out = append(out, e)
	}
	return out, dups
}
