package triage

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

var t0 = time.Date(2024, 2, 14, 3, 41, 56, 0, time.UTC)

// rec builds a record the way a parser yields it.
func rec(provider string, eid uint16, host string, id uint64, created time.Time, kv ...string) evtx.Record {
	r := evtx.Record{File: "test.evtx", Provider: provider, EventID: eid, Computer: host, RecordID: id,
		TimeCreated: created, Channel: "Microsoft-Windows-Sysmon/Operational"}
	if provider == ProviderSecurity {
		r.Channel = "Security"
	}
	for i := 0; i+1 < len(kv); i += 2 {
		r.Data = append(r.Data, evtx.Field{Name: kv[i], Value: kv[i+1]})
	}
	return r
}

// start is a Sysmon EID 1 with the fields the rules read.
func start(host string, id uint64, at time.Time, guid, parentGUID, parentImage, image string, kv ...string) evtx.Record {
	base := []string{"UtcTime", at.Format("2006-01-02 15:04:05.000"), "ProcessGuid", guid, "ProcessId", "100",
		"Image", image, "CommandLine", image, "ParentProcessGuid", parentGUID, "ParentProcessId", "50",
		"ParentImage", parentImage, "User", `CORP\bob`}
	return rec(ProviderSysmon, 1, host, id, at.Add(8*time.Millisecond), append(base, kv...)...)
}

func analyze(t *testing.T, opt Options, files ...[]evtx.Record) *Result {
	t.Helper()
	var evs []Event
	var covs []*FileCoverage
	for i, f := range files {
		covs = append(covs, NewFileCoverage("f"))
		for j := range f {
			if e, ok := Normalize(&f[j], i); ok {
				evs = append(evs, e)
			}
		}
	}
	if opt.Rules == nil {
		seed, err := SeedRules()
		if err != nil {
			t.Fatal(err)
		}
		opt.Rules = seed
	}
	res, err := Analyze(context.Background(), evs, covs, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// fired lists "rule image" per finding, sorted.
func fired(res *Result) []string {
	var out []string
	for _, f := range res.Findings {
		out = append(out, f.Rule.ID+" "+f.Event.Image)
	}
	sort.Strings(out)
	return out
}
