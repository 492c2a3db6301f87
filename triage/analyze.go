package triage

import (
	"context"
	"sort"
	"time"
)

// Finding is one rule firing on one event, with the evidence around it.
type Finding struct {
	Rule     *Rule
	Event    *Event
	Process  *Process
	Severity string // the rule's, raised by its severity_if where they hold
	// Cause is the earlier file event a chain rule joined (the download or
	// the Office-written file); nil for single-event rules.
	Cause *Event
	// Incident is the roll-up this finding belongs to.
	Incident *Incident
	Why      []Match
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
	Incidents []*Incident
	Rules     []*Rule
	// Duplicates counts records dropped because another file held the
	// same record (same host, channel, id, time and content).
	Duplicates int
	// FallbackHosts lists hosts whose process tree comes from Security 4688
	// because they have no Sysmon process creates.
	FallbackHosts []string
	// Sequences holds mode-S matches when Options.Sequence is set.
	Sequences []SequenceMatch
	// Suppressed lists findings an allowlist entry matched; they are never
	// silently dropped.
	Suppressed []Suppressed
	// Warnings are conditions of the run a reader must know (expired
	// allowlist entries, ...).
	Warnings []string
	// Clears lists logs cleared and Sysmon stopping, in time order.
	Clears []*Event
	// TimeGaps are stretches of more than MaxQuietGap without any process or
	// file event on a host, inside the span its logs cover.
	TimeGaps []TimeGap
}

// TimeGap is a stretch of time a host's logs are silent about.
type TimeGap struct {
	HostKey  string
	From, To time.Time
}

// MaxQuietGap is the silence on a host worth a warning: a workstation with
// Sysmon logs process activity every day it is on, so a longer quiet may
// be a cleared log, a stopped service or a rolled-over file.
const MaxQuietGap = 24 * time.Hour

// Options tune an analysis.
type Options struct {
	Rules []*Rule // compiled; nil means DefaultRules
	// Allow suppresses matching findings into Result.Suppressed; entries
	// past their expiry date (judged at Now) no longer apply and warn.
	Allow []*AllowEntry
	Now   time.Time
	// Sequence also runs the rules, in order, as one EQL sequence by host
	// with MaxSpan (0 means DefaultMaxSpan): the seed rule's literal reading.
	Sequence bool
	MaxSpan  time.Duration
	// Duplicates already dropped upstream (by a Collector), added to the
	// result's count; Deduplicated says the events need no second pass.
	Duplicates   int
	Deduplicated bool
}

// Analyze dedupes and orders events, builds the process trees and runs the
// rules. events is consumed: the Result points into it.
func Analyze(ctx context.Context, events []Event, files []*FileCoverage, opt Options) (*Result, error) {
	ptrs := make([]*Event, len(events))
	for i := range events {
		ptrs[i] = &events[i]
	}
	return AnalyzeEvents(ctx, ptrs, files, opt)
}

// AnalyzeEvents is Analyze over events held elsewhere (a Collector's).
func AnalyzeEvents(ctx context.Context, ptrs []*Event, files []*FileCoverage, opt Options) (*Result, error) {
	rules := opt.Rules
	if rules == nil {
		var err error
		if rules, err = DefaultRules(); err != nil {
			return nil, err
		}
	}
	res := &Result{Files: files, Rules: rules}
	sortTimeline(ptrs)
	if !opt.Deduplicated {
		ptrs, res.Duplicates = dedupe(ptrs)
	}
	res.Duplicates += opt.Duplicates
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
		case KindLogCleared, KindSysmonStopped:
			res.Clears = append(res.Clears, e)
		}
	}
	res.Events = kept
	res.Processes = f.order
	for _, p := range f.order {
		if p.StartEvent == nil || p.StartEvent.FileIndex < 0 || p.StartEvent.FileIndex >= len(files) || files[p.StartEvent.FileIndex] == nil {
			continue
		}
		cov := files[p.StartEvent.FileIndex]
		cov.ProcessStarts++
		if p.Parent == nil || p.Parent.Synthesised {
			cov.OrphanStarts++
		}
	}
	res.TimeGaps = timeGaps(kept)
	fileIdx := indexFiles(kept)
	allow := activeAllow(opt.Allow, opt.Now, res)

	fc := newFoldCache()
	for i, c := range starts {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if p := c.p.Parent; p != nil && p.Parent != nil {
			c.e.GrandparentImage = p.Parent.Image
		}
		fc.reset(c.e)
		for _, r := range rules {
			why, ok := r.eval(fc)
			if !ok {
				continue
			}
			var cause *Event
			if r.After != nil {
				var stepWhy []Match
				if cause, stepWhy = fileIdx.cause(r, c.e); cause == nil {
					continue
				}
				why = append(stepWhy, why...)
			}
			fd := &Finding{Rule: r, Event: c.e, Process: c.p, Severity: r.severityFor(fc), Cause: cause, Why: why,
				Ancestors: c.p.Ancestors()}
			fd.Descendants, fd.DescendantsTruncated = c.p.Descendants()
			if a := allow.match(fd); a != nil {
				res.Suppressed = append(res.Suppressed, Suppressed{Finding: fd, Entry: a})
				continue
			}
			res.Findings = append(res.Findings, fd)
		}
	}
	res.Incidents = buildIncidents(res.Findings)
	if opt.Sequence {
		span := opt.MaxSpan
		if span == 0 {
			span = DefaultMaxSpan
		}
		res.Sequences = Sequences(res.Events, seedSteps(rules), span)
	}
	return res, nil
}

// seedSteps picks the seed rule's three patterns, in order, for mode S.
func seedSteps(rules []*Rule) []*Rule {
	var steps []*Rule
	for _, id := range []string{RuleOfficeSpawnsShell, RuleRATLaunch, RuleUserDirExe} {
		for _, r := range rules {
			if r.ID == id {
				steps = append(steps, r)
			}
		}
	}
	return steps
}

// fileIndex finds file events by host and the file they are about.
type fileIndex map[string][]*Event

func indexFiles(events []*Event) fileIndex {
	idx := fileIndex{}
	for _, e := range events {
		if e.Kind == KindFileCreate || e.Kind == KindFileStream {
			k := e.HostKey + "|" + fold(streamHost(e.TargetFilename))
			idx[k] = append(idx[k], e)
		}
	}
	return idx
}

// cause returns the latest earlier file event that satisfies r's step for
// the process start e.
func (idx fileIndex) cause(r *Rule, e *Event) (*Event, []Match) {
	cands := idx[e.HostKey+"|"+fold(e.Image)]
	for i := len(cands) - 1; i >= 0; i-- {
		if why, ok := r.StepMatches(cands[i], e); ok {
			return cands[i], why
		}
	}
	return nil, nil
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
		if a.Carved != b.Carved {
			return !a.Carved // a live log's copy is the one kept and cited
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
		k := keyOf(e)
		if _, ok := seen[k]; ok {
			dups++
			continue
		}
		seen[k] = struct{}{}
		out = append(out, e)
	}
	return out, dups
}

// timeGaps finds the quiet stretches of each host (events are in time
// order).
func timeGaps(events []*Event) []TimeGap {
	last := map[string]time.Time{}
	var gaps []TimeGap
	for _, e := range events {
		if prev, ok := last[e.HostKey]; ok && e.Time.Sub(prev) > MaxQuietGap {
			gaps = append(gaps, TimeGap{HostKey: e.HostKey, From: prev, To: e.Time})
		}
		last[e.HostKey] = e.Time
	}
	sort.SliceStable(gaps, func(i, j int) bool { return gaps[i].HostKey < gaps[j].HostKey })
	return gaps
}
