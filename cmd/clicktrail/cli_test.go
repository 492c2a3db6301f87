package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/clicktrail -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestCLIExitCodes(t *testing.T) {
	empty := t.TempDir()
	junk := filepath.Join(t.TempDir(), "junk.evtx")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not an event log ", 500)), 0o644); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join("..", "..", "samples", "evtx", "related", "e2m__ID4688-Edge_payload_download_via_command.evtx")
	hit := filepath.Join("..", "..", "samples", "evtx", "positives", "omer__sysmon.evtx")
	cases := []struct {
		name string
		args []string
		want int
		says string
	}{
		{"no arguments", nil, exitUsage, "Usage"},
		{"unknown verb", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"help", []string{"help"}, exitOK, ""},
		{"version", []string{"--version"}, exitOK, ""},
		{"scan without paths", []string{"scan"}, exitUsage, "at least one"},
		{"scan bad flag", []string{"scan", "--nope", good}, exitUsage, "unknown flag"},
		{"scan bad parser", []string{"scan", "--parser", "nope", good}, exitUsage, "unknown parser"},
		{"scan unknown rule", []string{"scan", "--only", "office-*,nope", good}, exitUsage, `no rule matches "nope"`},
		{"scan bad time zone", []string{"scan", "--tz", "Mars/Olympus", good}, exitUsage, "--tz"},
		{"scan bad format", []string{"scan", "--format", "xml", good}, exitUsage, "--format"},
		{"missing path", []string{"scan", filepath.Join(empty, "nope")}, exitInput, "no .evtx"},
		{"empty folder", []string{"scan", empty}, exitInput, "no .evtx"},
		{"only a junk file", []string{"scan", junk}, exitPartial, ""},
		{"clean file, nothing found", []string{"scan", good}, exitOK, ""},
		{"findings win over a junk file", []string{"scan", hit, junk}, exitFindings, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := c.args
			if len(args) > 0 && args[0] == "scan" {
				args = append([]string{"scan", "--no-progress", "-o", t.TempDir()}, args[1:]...)
			}
			code := run(context.Background(), args, &out, &errb)
			if code != c.want {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, c.want, out.String(), errb.String())
			}
			if c.says != "" && !strings.Contains(out.String()+errb.String(), c.says) {
				t.Fatalf("output lacks %q:\n%s%s", c.says, out.String(), errb.String())
			}
		})
	}
}

func TestScanWritesAllOutputs(t *testing.T) {
	dir, code, stdout, _ := scanInto(t, filepath.Join("..", "..", "samples", "evtx"))
	if code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"report.html", "findings.csv", "findings.jsonl", "coverage.csv"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
		if !strings.Contains(stdout, name) {
			t.Errorf("summary does not say where %s is", name)
		}
	}
	if !strings.Contains(stdout, "userdir-exe") {
		t.Errorf("summary lacks the findings table:\n%s", stdout)
	}
	cov := readCSV(t, filepath.Join(dir, "coverage.csv"))
	if len(cov) != 9 {
		t.Errorf("%d coverage rows, want one per shipped file (9)", len(cov))
	}
	for _, c := range cov {
		if len(c["sha256"]) != 64 {
			t.Errorf("%s: sha256 %q", c["file"], c["sha256"])
		}
	}
}

func TestOnlySelectsRules(t *testing.T) {
	dir, code, _, _ := scanInto(t, "--only", "userdir-*", filepath.Join("..", "..", "samples", "evtx"))
	if code != exitFindings {
		t.Fatalf("exit %d", code)
	}
	rows := readCSV(t, filepath.Join(dir, "findings.csv"))
	if len(rows) != 3 {
		t.Errorf("%d findings, want the 3 userdir-exe hits of the shipped samples", len(rows))
	}
	for _, r := range rows {
		if r["rule"] != "userdir-exe" {
			t.Errorf("rule %s ran", r["rule"])
		}
	}
}

func TestScanIsDeterministic(t *testing.T) {
	root := filepath.Join("..", "..", "samples", "evtx")
	a, _, _, _ := scanInto(t, root)
	// The same files named in another order, one twice.
	b, _, _, _ := scanInto(t, filepath.Join(root, "related"), filepath.Join(root, "positives"), filepath.Join(root, "broken"), root)
	for _, name := range []string{"findings.csv", "findings.jsonl", "coverage.csv"} {
		x, _ := os.ReadFile(filepath.Join(a, name))
		y, _ := os.ReadFile(filepath.Join(b, name))
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs with input order", name)
		}
	}
}

func TestDumpPrintsSystemAndData(t *testing.T) {
	file := filepath.Join("..", "..", "samples", "evtx", "broken", "velocidex__Security_1_record.evtx")
	for _, parser := range []string{"native", "golang-evtx"} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"dump", "--parser", parser, file}, &out, &errb); code != exitOK {
			t.Fatalf("%s: exit %d: %s", parser, code, errb.String())
		}
		for _, want := range []string{`"record_id":33072`, `"event_id":1102`, `"level":4`, `"task":104`,
			`"keywords":"0x4020000000000000"`, `"process_id":1188`, `"LogFileCleared/SubjectUserName":"test"`} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: dump lacks %s:\n%s", parser, want, out.String())
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"dump", "--xml", file}, &out, &errb); code != exitOK || !strings.HasPrefix(out.String(), "<Event xmlns=") {
		t.Fatalf("dump --xml: exit %d: %.200s", code, out.String())
	}
}
