package main

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/clicktrail/clicktrail/triage"
	"github.com/olekukonko/tablewriter"
)

// printSummary prints what a responder needs at a glance: findings by rule
// and host, and how sound the input was.
func printSummary(w io.Writer, res *triage.Result, written []string) {
	type key struct{ rule, host string }
	counts := map[key]int{}
	for _, f := range res.Findings {
		counts[key{f.Rule.ID, f.Event.Host}]++
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].rule != keys[j].rule {
			return keys[i].rule < keys[j].rule
		}
		return keys[i].host < keys[j].host
	})
	if len(keys) > 0 {
		fmt.Fprintf(w, "%d finding(s) in %d incident(s)\n", len(res.Findings), len(res.Incidents))
		it := tablewriter.NewWriter(w)
		it.Header("incident", "severity", "host", "first (UTC)", "rules")
		for _, in := range res.Incidents {
			_ = it.Append([]string{in.ID, in.Severity, in.Host, in.First.UTC().Format("2006-01-02 15:04:05Z"), strings.Join(in.Rules(), ", ")})
		}
		_ = it.Render()
		fmt.Fprintln(w, "\nFindings")
		t := tablewriter.NewWriter(w)
		t.Header("rule", "host", "findings")
		for _, k := range keys {
			_ = t.Append([]string{k.rule, k.host, strconv.Itoa(counts[k])})
		}
		_ = t.Render()
	} else {
		fmt.Fprintln(w, "No findings.")
	}

	var records, starts, damaged, unreadable int
	for _, c := range res.Files {
		records += c.Records
		starts += c.SysmonProcessCreates + c.Security4688
		switch {
		case c.ReadError != "":
			unreadable++
		case c.BadChunks > 0 || len(c.Errors) > 0:
			damaged++
		}
	}
	fmt.Fprintln(w, "\nInput")
	t := tablewriter.NewWriter(w)
	t.Header("files", "records", "process starts", "damaged files", "unreadable files", "duplicates dropped")
	_ = t.Append([]string{strconv.Itoa(len(res.Files)), strconv.Itoa(records), strconv.Itoa(starts),
		strconv.Itoa(damaged), strconv.Itoa(unreadable), strconv.Itoa(res.Duplicates)})
	_ = t.Render()
	if starts == 0 {
		fmt.Fprintln(w, "\nWarning: no process-creation events (Sysmon EID 1 or Security 4688) in the input:\nthese logs cannot show whether a user ran something.")
	}
	if damaged+unreadable > 0 {
		fmt.Fprintln(w, "\nSome input was damaged or unreadable: see coverage.csv and the report's coverage section.")
	}
	for _, e := range res.Clears {
		if e.Kind == triage.KindLogCleared {
			fmt.Fprintf(w, "\nWarning: host %s: the %s log was cleared at %s: earlier events are gone.\n", e.Host, e.ClearedLog, e.Time.UTC().Format("2006-01-02 15:04:05Z"))
		} else {
			fmt.Fprintf(w, "\nWarning: host %s: Sysmon stopped at %s.\n", e.Host, e.Time.UTC().Format("2006-01-02 15:04:05Z"))
		}
	}
	if len(res.Suppressed) > 0 {
		fmt.Fprintf(w, "\n%d finding(s) suppressed by the allowlist: listed in the report.\n", len(res.Suppressed))
	}
	for _, warn := range res.Warnings {
		fmt.Fprintln(w, "\nWarning:", warn)
	}
	fmt.Fprintln(w)
	for _, p := range written {
		fmt.Fprintln(w, "wrote", p)
	}
}
