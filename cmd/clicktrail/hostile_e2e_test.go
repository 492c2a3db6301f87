package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/report/browsertest"
)

// hostileScenario puts script-planting strings where the rules read them
// (images, so they fire and reach every part of the report) and where they
// do not (command lines, users, file targets). If any of them ran in a
// browser it would mark the page's <body>.
const hostileScenario = `{
  "name": "hostile-dom",
  "host": "WS-<b>EVIL</b>-01",
  "user": "eve<script>document.body.setAttribute('data-pwned','user')</script>",
  "start": "2026-06-01T10:00:00Z",
  "seed": 666,
  "events": [
    {"id": "w", "kind": "process", "at": "0s", "image": "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
     "command_line": "WINWORD.EXE \"C:\\Users\\eve\\Downloads\\<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">.docm\""},
    {"id": "c", "kind": "process", "at": "2s", "parent": "w", "image": "C:\\Windows\\System32\\cmd.exe",
     "command_line": "cmd /c \"</code></td></tr></table><script>document.body.setAttribute('data-pwned','break')</script>\" =HYPERLINK(\"javascript:document.body.setAttribute('data-pwned','link')\")"},
    {"kind": "file", "at": "3s", "process": "c", "target": "C:\\Users\\eve\\Downloads\\\"><svg onload=\"document.body.setAttribute('data-pwned','svg')\">.exe"},
    {"id": "x", "kind": "process", "at": "4s", "image": "C:\\Users\\eve\\Downloads\\<script>document.body.setAttribute('data-pwned','image')</script>\u202Egpj.exe",
     "command_line": "=cmd|' /C calc'!A0"}
  ],
  "expect": [
    {"rule": "office-spawns-shell", "image": "C:\\Windows\\System32\\cmd.exe"},
    {"rule": "userdir-exe", "image": "C:\\Users\\eve\\Downloads\\<script>document.body.setAttribute('data-pwned','image')</script>\u202Egpj.exe"}
  ]
}`

// TestHostileLogsReportSafely runs attacker-written logs from the writer
// through the whole tool, then opens report.html in headless Chromium and
// findings.csv as a spreadsheet would read it.
func TestHostileLogsReportSafely(t *testing.T) {
	browsertest.Chromium(t) // before the work: skip or fail early without a browser
	dir := t.TempDir()
	scen := filepath.Join(dir, "hostile-dom.json")
	if err := os.WriteFile(scen, []byte(hostileScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out, errb bytes.Buffer
	logs := []string{filepath.Join(dir, "dom.evtx"), filepath.Join(dir, "builtin-hostile.evtx")}
	for i, args := range [][]string{{"generate", "--scenario", scen}, {"generate", "--scenario", "hostile", "--hostile"}} {
		if code := run(ctx, append(args, "-o", logs[i]), &out, &errb); code != exitOK {
			t.Fatalf("generate: exit %d: %s", code, errb.String())
		}
	}
	rep := filepath.Join(dir, "out")
	if code := run(ctx, append([]string{"scan", "--no-progress", "-o", rep}, logs...), &out, &errb); code != exitFindings {
		t.Fatalf("scan: exit %d: %s", code, errb.String())
	}

	page := browsertest.DumpDOM(t, filepath.Join(rep, "report.html"))
	if strings.Contains(page, "<body data-pwned") {
		i := strings.Index(page, "<body")
		t.Fatalf("an injected script ran: %s", page[i:i+60])
	}
	if !strings.Contains(page, " shown</span>") {
		t.Error("the report's own filter script did not run")
	}
	for _, text := range []string{"&lt;script&gt;document.body.setAttribute", "&lt;img src=x onerror=", "[U+202E]gpj.exe", "WS-&lt;b&gt;EVIL&lt;/b&gt;-01"} {
		if !strings.Contains(page, text) {
			t.Errorf("hostile text %q is not shown as text", text)
		}
	}

	for _, name := range []string{"findings.csv", "coverage.csv"} {
		f, err := os.Open(filepath.Join(rep, name))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(rows) < 2 {
			t.Fatalf("%s: no rows", name)
		}
		for _, row := range rows {
			for _, cell := range row {
				if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
					t.Errorf("%s: cell starts with a formula character: %.60q", name, cell)
				}
			}
		}
	}
}
