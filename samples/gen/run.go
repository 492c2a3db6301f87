package gen

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"
)

// ScenarioOptions tune WriteScenario.
type ScenarioOptions struct {
	Seed    uint64 // 0 keeps the scenario's own seed
	Hostile bool   // decorate command lines and file targets with hostile strings
	// OnRecord, when set, sees every record as it is written.
	OnRecord func(Placed, *Event)
}

// Summary says what one file holds.
type Summary struct {
	Records int    `json:"records"`
	Chunks  int    `json:"chunks"`
	FirstID uint64 `json:"first_record_id"`
	LastID  uint64 `json:"last_record_id"`
	Bytes   int64  `json:"bytes"`
}

// WriteScenario writes a scenario's records to w as one .evtx file. Sysmon
// and Security records share the file, as they do in a forwarded-events
// log; each keeps its own channel.
func WriteScenario(ctx context.Context, w io.WriteSeeker, sc *Scenario, opt ScenarioOptions) (Summary, error) {
	var sum Summary
	seed := sc.Seed
	if opt.Seed != 0 {
		seed = opt.Seed
	}
	b := newBuilder(NewSchemas(), seed, sc.Start, sc.Domain, sc.User)
	b.hostile = opt.Hostile
	events := scenarioEvents(b, sc)
	wr, err := NewWriter(w, 1)
	if err != nil {
		return sum, err
	}
	for i := range events {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return sum, err
			}
		}
		ev, err := b.event(&events[i])
		if err != nil {
			return sum, fmt.Errorf("scenario %s: %w", sc.Name, err)
		}
		if ev == nil {
			continue
		}
		pl, err := wr.Write(ev)
		if err != nil {
			return sum, fmt.Errorf("scenario %s event %d: %w", sc.Name, i, err)
		}
		if sum.Records == 0 {
			sum.FirstID = pl.RecordID
		}
		sum.Records++
		sum.LastID = pl.RecordID
		if opt.OnRecord != nil {
			opt.OnRecord(pl, ev)
		}
	}
	sum.Chunks = wr.Chunks()
	sum.Bytes = wr.Bytes()
	return sum, wr.Close()
}

// scenarioEvents is the scenario's events with hosts filled in and its
// background activity merged in by time. The scenario's own order is kept
// (it may step the clock back on purpose).
func scenarioEvents(b *builder, sc *Scenario) []ScenarioEvent {
	own := make([]ScenarioEvent, len(sc.Events))
	copy(own, sc.Events)
	for i := range own {
		if own[i].Host == "" {
			own[i].Host = sc.Host
		}
	}
	if sc.Background == nil {
		return own
	}
	bg := &background{b: b, host: sc.Host}
	var extra []ScenarioEvent
	gap := time.Duration(float64(time.Minute) / sc.Background.PerMinute)
	for at := time.Duration(0); at < time.Duration(sc.Background.Duration); at += gap {
		jitter := time.Duration(b.rng.Int64N(int64(gap)/2 + 1))
		extra = append(extra, bg.episode(at+jitter)...)
	}
	sort.SliceStable(extra, func(i, j int) bool { return extra[i].At < extra[j].At })
	out := make([]ScenarioEvent, 0, len(own)+len(extra))
	j := 0
	for _, e := range own {
		for j < len(extra) && extra[j].At < e.At {
			out = append(out, extra[j])
			j++
		}
		out = append(out, e)
	}
	return append(out, extra[j:]...)
}
