package triage

import (
	"fmt"
	"sort"
	"time"
)

// Incident rolls up the findings on one process chain: a finding whose
// process is the same as, or a descendant of, another finding's process
// belongs to that finding's incident. Two payloads started side by side by
// the same explorer.exe stay two incidents.
type Incident struct {
	ID         string // INC-0001, numbered by first time
	HostKey    string
	Host       string
	First      time.Time
	Last       time.Time
	Severity   string // the highest of its findings
	Confidence string // the highest rule confidence among its findings
	Findings   []*Finding
	// Root is the finding highest up the chain (earliest on a tie).
	Root *Finding
}

// Rules lists the distinct rule ids of the incident's findings, in order.
func (in *Incident) Rules() []string {
	return in.distinct(func(r *Rule) string { return r.ID })
}

// Techniques lists the distinct ATT&CK techniques, in order.
func (in *Incident) Techniques() []string {
	return in.distinct(func(r *Rule) string { return r.Technique })
}

func (in *Incident) distinct(of func(*Rule) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range in.Findings {
		if v := of(f.Rule); !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// buildIncidents groups findings (already in timeline order) and sets each
// finding's Incident.
func buildIncidents(findings []*Finding) []*Incident {
	parent := make([]int, len(findings))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		if ra, rb := find(a), find(b); ra != rb {
			if ra < rb {
				parent[rb] = ra
			} else {
				parent[ra] = rb
			}
		}
	}
	byProc := map[*Process]int{}
	for i, f := range findings {
		if j, ok := byProc[f.Process]; ok {
			union(i, j)
		} else {
			byProc[f.Process] = i
		}
		for _, a := range f.Ancestors {
			if j, ok := byProc[a]; ok {
				union(i, j)
			}
		}
	}
	groups := map[int]*Incident{}
	var out []*Incident
	for i, f := range findings {
		r := find(i)
		in, ok := groups[r]
		if !ok {
			in = &Incident{HostKey: f.Event.HostKey, Host: f.Event.Host, First: f.Event.Time, Last: f.Event.Time,
				Severity: f.Severity, Root: f}
			groups[r] = in
			out = append(out, in)
		}
		in.Findings = append(in.Findings, f)
		f.Incident = in
		if f.Event.Time.Before(in.First) {
			in.First = f.Event.Time
		}
		if f.Event.Time.After(in.Last) {
			in.Last = f.Event.Time
		}
		if LevelRank(f.Severity) > LevelRank(in.Severity) {
			in.Severity = f.Severity
		}
		if LevelRank(f.Rule.Confidence) > LevelRank(in.Confidence) {
			in.Confidence = f.Rule.Confidence
		}
		if len(f.Ancestors) < len(in.Root.Ancestors) {
			in.Root = f
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].First.Before(out[j].First) })
	for i, in := range out {
		in.ID = fmt.Sprintf("INC-%04d", i+1)
	}
	return out
}

// Timeline returns the host's events from before to after the incident,
// at most limit of them, centred on the incident.
func (res *Result) Timeline(in *Incident, before, after time.Duration, limit int) (events []*Event, truncated bool) {
	from, to := in.First.Add(-before), in.Last.Add(after)
	lo := sort.Search(len(res.Events), func(i int) bool { return !res.Events[i].Time.Before(from) })
	for i := lo; i < len(res.Events) && !res.Events[i].Time.After(to); i++ {
		e := res.Events[i]
		if e.HostKey != in.HostKey {
			continue
		}
		if len(events) >= limit {
			return events, true
		}
		events = append(events, e)
	}
	return events, false
}
