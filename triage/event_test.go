package triage

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

func TestNormalizeSysmon(t *testing.T) {
	r := rec(ProviderSysmon, 1, "WS-042.corp.local", 7, t0.Add(5*time.Millisecond),
		"UtcTime", "2024-02-14 03:41:56.123", "ProcessGuid", "{A98268C1-1234-5678-0000-001000000001}",
		"ProcessId", "4242", "Image", `C:\Windows\System32\cmd.exe`, "ParentProcessGuid", "{00000000-0000-0000-0000-000000000000}",
		"ParentProcessId", "-", "ParentImage", "-", "ParentCommandLine", "", "User", `ACME\bob`, "LogonId", "0x3e7",
		"IntegrityLevel", "Medium", "OriginalFileName", "Cmd.Exe")
	e, ok := Normalize(&r, 3)
	if !ok {
		t.Fatal("not normalised")
	}
	want := Event{Kind: KindProcessStart, Origin: OriginSysmon, EventID: 1, Host: "WS-042.corp.local", HostKey: "ws-042.corp.local",
		Channel: r.Channel, RecordID: 7, Created: t0.Add(5 * time.Millisecond), Time: time.Date(2024, 2, 14, 3, 41, 56, 123e6, time.UTC),
		ProcessGUID: "a98268c1-1234-5678-0000-001000000001", ProcessID: 4242, Image: `C:\Windows\System32\cmd.exe`,
		User: `ACME\bob`, LogonID: "0x3e7", IntegrityLevel: "Medium", OriginalFileName: "Cmd.Exe", File: "test.evtx", FileIndex: 3}
	e.contentHash = 0
	if e != want {
		t.Fatalf("got  %+v\nwant %+v", e, want)
	}
}

func TestNormalizeTable(t *testing.T) {
	cases := []struct {
		name string
		r    evtx.Record
		ok   bool
		kind Kind
		host string
		pid  uint64
		ppid uint64
		img  string
	}{
		{"4688 hex ids", rec(ProviderSecurity, 4688, "DC1", 1, t0, "NewProcessId", "0x000023a0", "ProcessId", "0x1148", "NewProcessName", `C:\x.exe`),
			true, KindProcessStart, "dc1", 0x23a0, 0x1148, `C:\x.exe`},
		{"sysmon 11", rec(ProviderSysmon, 11, "H", 1, t0, "ProcessGuid", "ab", "TargetFilename", `C:\t`), true, KindFileCreate, "h", 0, 0, ""},
		{"sysmon 15", rec(ProviderSysmon, 15, "H", 1, t0), true, KindFileStream, "h", 0, 0, ""},
		{"sysmon 5", rec(ProviderSysmon, 5, "H", 1, t0), true, KindProcessEnd, "h", 0, 0, ""},
		{"sysmon 3 ignored", rec(ProviderSysmon, 3, "H", 1, t0), false, KindOther, "h", 0, 0, ""},
		{"security 4624 ignored", rec(ProviderSecurity, 4624, "H", 1, t0), false, KindOther, "h", 0, 0, ""},
		{"other provider id 1 ignored", rec("Microsoft-Windows-Kernel-General", 1, "H", 1, t0), false, KindOther, "h", 0, 0, ""},
		{"missing computer", rec(ProviderSysmon, 1, "", 1, t0), true, KindProcessStart, UnknownHost, 0, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, ok := Normalize(&c.r, 0)
			if ok != c.ok {
				t.Fatalf("ok=%v", ok)
			}
			if !ok {
				return
			}
			if e.Kind != c.kind || e.HostKey != c.host || e.ProcessID != c.pid || e.ParentProcessID != c.ppid || e.Image != c.img {
				t.Fatalf("got %+v", e)
			}
		})
	}
}

func TestUtcTimeFallsBackToTimeCreated(t *testing.T) {
	r := rec(ProviderSysmon, 1, "H", 1, t0, "UtcTime", "garbage")
	e, _ := Normalize(&r, 0)
	if !e.Time.Equal(t0) {
		t.Fatalf("time %v", e.Time)
	}
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{`C:\a\b.exe`: "b.exe", `b.exe`: "", `C:/a/b.exe`: "", `\\srv\x\`: ""} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogClearedAndSysmonStopped(t *testing.T) {
	clear := rec(ProviderEventlog, 1102, "TestComputer", 33072, t0, "LogFileCleared/SubjectUserName", "test",
		"LogFileCleared/SubjectDomainName", "TESTCOMPUTER", "LogFileCleared/SubjectUserSid", "S-1-5-21-1")
	clear.Channel = "Security"
	sys := rec(ProviderEventlog, 104, "TestComputer", 7, t0, "SubjectUserName", "admin", "SubjectDomainName", "CORP", "Channel", "Microsoft-Windows-Sysmon/Operational")
	sys.Channel = "System"
	stop := rec(ProviderSysmon, 4, "TestComputer", 8, t0, "UtcTime", "2024-02-14 03:41:57.000", "State", "Stopped")
	running := rec(ProviderSysmon, 4, "TestComputer", 9, t0, "State", "Started")
	res := analyze(t, Options{}, []evtx.Record{clear, sys, stop, running})
	var got []string
	for _, e := range res.Clears {
		got = append(got, e.Kind.String()+" "+e.ClearedLog+" "+e.User)
	}
	want := []string{"log_cleared Microsoft-Windows-Sysmon/Operational CORP\\admin", "log_cleared Security TESTCOMPUTER\\test", "sysmon_stopped  "}
	sort.Strings(got)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for _, id := range []uint16{1102, 104} {
		if !Wanted(ProviderEventlog, id) {
			t.Errorf("event %d is filtered out before decoding", id)
		}
	}
}
