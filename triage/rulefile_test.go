package triage

import (
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

func TestDefaultRulesExamples(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) < 10 {
		t.Fatalf("only %d rules", len(rules))
	}
	for _, r := range rules {
		if len(r.FalsePositives) == 0 {
			t.Errorf("rule %s lists no false positives", r.ID)
		}
		for _, err := range r.CheckExamples() {
			t.Error(err)
		}
	}
}

func TestParseRulesErrors(t *testing.T) {
	good := `version: 1
rules:
- id: x
  title: X
  technique: T1204
  severity: low
  event: process_start
  when:
    - field: process.name
      any: [x.exe]
  examples:
    - {name: yes, match: true, event: {process.executable: 'C:\x.exe'}}
    - {name: no, match: false, event: {process.executable: 'C:\y.exe'}}
`
	if _, err := ParseRules("good.yaml", []byte(good)); err != nil {
		t.Fatalf("good file: %v", err)
	}
	cases := []struct{ name, src, want string }{
		{"unknown key", strings.Replace(good, "  title: X", "  titel: X", 1), "good.yaml: yaml: unmarshal errors:\n  line 4: field titel not found"},
		{"no examples", good[:strings.Index(good, "  examples:")], "good.yaml:3: rule x: no examples"},
		{"example that fails", strings.Replace(good, "match: false, event: {process.executable: 'C:\\y.exe'}", "match: false, event: {process.executable: 'C:\\x.exe'}", 1), `good.yaml:3: rule x example "no": fired=true, want false`},
		{"only matching examples", strings.Replace(good, "match: false, event: {process.executable: 'C:\\y.exe'}", "match: true, event: {process.executable: 'C:\\x.exe'}", 1), "needs examples that match and examples that do not"},
		{"bad field", strings.Replace(good, "field: process.name", "field: proc.name", 1), `good.yaml:3: rule x: unknown field "proc.name"`},
		{"bad severity", strings.Replace(good, "severity: low", "severity: urgent", 1), `severity "urgent"`},
		{"bad event", strings.Replace(good, "event: process_start", "event: registry", 1), `event "registry"`},
		{"bad version", strings.Replace(good, "version: 1", "version: 2", 1), "good.yaml:1: version 2"},
		{"duplicate id", good + good[strings.Index(good, "- id: x"):], "defined twice"},
		{"example field", strings.Replace(good, "process.executable: 'C:\\y.exe'", "process.name: 'y.exe'", 1), `example field "process.name" cannot be set`},
	}
	for _, c := range cases {
		_, err := ParseRules("good.yaml", []byte(c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}

func TestMergeRulesOverrides(t *testing.T) {
	base, _ := SeedRules()
	src := `version: 1
rules:
- id: rat-launch
  title: tuned
  technique: T1219
  severity: low
  event: process_start
  when: [{field: process.name, any: [anydesk.exe]}]
  unless: [{field: process.parent.name, any: [services.exe]}]
  examples:
    - {name: scam, match: true, event: {process.parent.executable: 'C:\Windows\explorer.exe', process.executable: 'C:\AnyDesk.exe'}}
    - {name: service, match: false, event: {process.parent.executable: 'C:\Windows\System32\services.exe', process.executable: 'C:\AnyDesk.exe'}}
`
	extra, err := ParseRules("tune.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	merged := MergeRules(base, extra)
	if len(merged) != 3 || merged[1].Title != "tuned" {
		t.Fatalf("merge: %d rules, [1]=%s", len(merged), merged[1].Title)
	}
}

func TestChainRulesAndIncidents(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	ts := func(d time.Duration) string { return t0.Add(d).Format("2006-01-02 15:04:05.000") }
	g := func(n string) string { return "{365ABB72-0000-0000-0000-0000000000" + n + "}" }
	file := func(id uint64, d time.Duration, eid uint16, guid, image, target, contents string) evtx.Record {
		return rec(ProviderSysmon, eid, "WS1", id, t0.Add(d), "UtcTime", ts(d), "ProcessGuid", guid, "Image", image,
			"TargetFilename", target, "Contents", contents)
	}
	word := `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	records := []evtx.Record{
		start("WS1", 1, t0, g("01"), g("00"), `C:\Windows\explorer.exe`, word),
		start("WS1", 2, t0.Add(time.Second), g("02"), g("01"), word, `C:\Windows\System32\cmd.exe`),
		start("WS1", 3, t0.Add(2*time.Second), g("03"), g("02"), `C:\Windows\System32\cmd.exe`, `C:\Windows\System32\curl.exe`),
		file(4, 3*time.Second, 11, g("03"), `C:\Windows\System32\curl.exe`, `C:\Users\bob\Downloads\AnyDesk.exe`, ""),
		file(5, 3*time.Second, 15, g("03"), `C:\Windows\System32\curl.exe`, `C:\Users\bob\Downloads\AnyDesk.exe:Zone.Identifier`,
			"[ZoneTransfer]  ZoneId=3  HostUrl=https://download.example/AnyDesk.exe"),
		start("WS1", 6, t0.Add(time.Minute), g("04"), g("00"), `C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\AnyDesk.exe`),
	}
	res := analyze(t, Options{Rules: rules}, records)
	got := map[string]*Finding{}
	for _, f := range res.Findings {
		got[f.Rule.ID] = f
	}
	for _, id := range []string{"office-spawns-shell", "download-then-run", "internet-file-run", "rat-launch", "rat-by-metadata", "userdir-exe"} {
		if got[id] == nil {
			t.Errorf("%s did not fire; fired %v", id, fired(res))
		}
	}
	if f := got["internet-file-run"]; f != nil {
		if f.Cause == nil || !strings.Contains(f.Cause.Contents, "download.example") || f.Severity != "high" {
			t.Errorf("internet-file-run cause %+v severity %s", f.Cause, f.Severity)
		}
	}
	if f := got["rat-by-metadata"]; f != nil && f.Severity != "high" {
		t.Errorf("RAT from Downloads by explorer: severity %s, want high", f.Severity)
	}
	// The macro chain and the AnyDesk start are separate chains: two incidents.
	if len(res.Incidents) != 2 || res.Incidents[0].Severity != "high" || len(res.Incidents[1].Findings) < 4 {
		for _, in := range res.Incidents {
			t.Logf("%s %s %v", in.ID, in.Severity, in.Rules())
		}
		t.Fatalf("%d incidents", len(res.Incidents))
	}
	// A download more than the window before the start does not join.
	late := append([]evtx.Record(nil), records...)
	late[5] = start("WS1", 6, t0.Add(800*time.Hour), g("04"), g("00"), `C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\AnyDesk.exe`)
	for _, f := range analyze(t, Options{Rules: rules}, late).Findings {
		if f.Rule.ID == "download-then-run" || f.Rule.ID == "internet-file-run" {
			t.Errorf("%s joined a download 800h earlier", f.Rule.ID)
		}
	}
}

func TestAllowlist(t *testing.T) {
	src := `version: 1
allow:
  - reason: IT installs AnyDesk as a service
    rule: rat-launch
    parent: services.exe
    host: ws*
  - reason: old exception
    child: '*.exe'
    expires: 2020-01-01
`
	allow, err := ParseAllowlist("allow.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if allow[0].Line != 3 || allow[1].Line != 7 {
		t.Errorf("lines %d %d", allow[0].Line, allow[1].Line)
	}
	records := []evtx.Record{
		start("WS1", 1, t0, "{365ABB72-0000-0000-0000-000000000001}", "{365ABB72-0000-0000-0000-000000000000}", `C:\Windows\System32\services.exe`, `C:\Program Files (x86)\AnyDesk\AnyDesk.exe`),
		start("WS1", 2, t0, "{365ABB72-0000-0000-0000-000000000002}", "{365ABB72-0000-0000-0000-000000000003}", `C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\AnyDesk.exe`),
	}
	seed, _ := SeedRules()
	res := analyze(t, Options{Rules: seed, Allow: allow, Now: t0}, records)
	if len(res.Suppressed) != 1 || res.Suppressed[0].Entry != allow[0] || res.Suppressed[0].Finding.Event.RecordID != 1 {
		t.Fatalf("suppressed %+v", res.Suppressed)
	}
	if len(res.Findings) != 2 { // the Downloads AnyDesk: rat-launch and userdir-exe
		t.Fatalf("findings %v", fired(res))
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "expired on 2020-01-01") {
		t.Fatalf("warnings %v", res.Warnings)
	}
	for _, bad := range []string{"version: 1\nallow:\n  - rule: x\n", "version: 1\nallow:\n  - reason: r\n", "version: 1\nallow:\n  - reason: r\n    child: x\n    expires: soon\n", "version: 1\nallow:\n  - reason: r\n    colour: red\n"} {
		if _, err := ParseAllowlist("a.yaml", []byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestRecordGaps(t *testing.T) {
	chunks := []evtx.ChunkStatus{
		{FirstRecordID: 201, LastRecordID: 300, HeaderCRCValid: true},
		{FirstRecordID: 1, LastRecordID: 100, HeaderCRCValid: true},
		{Empty: true},
		{FirstRecordID: 101, LastRecordID: 150, HeaderCRCValid: true},
		{FirstRecordID: 151, LastRecordID: 180, HeaderCRCValid: false}, // unreadable header: not trusted
	}
	gaps, missing := recordGaps(chunks)
	if len(gaps) != 1 || gaps[0] != (RecordGap{After: 150, Before: 201}) || missing != 50 {
		t.Fatalf("gaps %v missing %d", gaps, missing)
	}
}
