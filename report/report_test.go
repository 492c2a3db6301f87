package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/triage"
)

var update = flag.Bool("update", false, "rewrite golden files")

var t0 = time.Date(2024, 2, 14, 3, 41, 56, 123e6, time.UTC)

func proc(host string, id uint64, at time.Duration, guid, pguid, parent, image, cmd string) triage.Event {
	return triage.Event{Kind: triage.KindProcessStart, Origin: triage.OriginSysmon, EventID: 1, Host: host,
		HostKey: strings.ToLower(host), Channel: "Microsoft-Windows-Sysmon/Operational", RecordID: id,
		Created: t0.Add(at), Time: t0.Add(at), ProcessGUID: guid, ParentProcessGUID: pguid, ProcessID: id * 4,
		ParentProcessID: id*4 - 4, HasParentPID: true, Image: image, ParentImage: parent, CommandLine: cmd,
		User: `ACME\bob`, IntegrityLevel: "Medium", Hashes: "SHA256=00FF", File: `C:\cases\42\Sysmon.evtx`, Chunk: 0, Offset: 4608 + int64(id)*512}
}

// fixture is a fixed scenario: a macro chain, a RAT started by a service,
// and a payload run from Downloads whose command line is hostile.
func fixture(t *testing.T) *Input {
	t.Helper()
	word := `C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE`
	evs := []triage.Event{
		proc("WS-042", 1, 0, "a1", "a0", `C:\Windows\explorer.exe`, word, `"EXCEL.EXE" C:\Users\bob\Downloads\invoice.xlsm`),
		proc("WS-042", 2, time.Second, "a2", "a1", word, `C:\Windows\System32\cmd.exe`, `cmd.exe /c powershell -enc SQBFAFgA`),
		proc("WS-042", 3, 2*time.Second, "a3", "a2", `C:\Windows\System32\cmd.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `powershell -enc SQBFAFgA`),
		proc("WS-042", 4, 3*time.Second, "a4", "s0", `C:\Windows\System32\services.exe`, `C:\Program Files (x86)\AnyDesk\AnyDesk.exe`, `"AnyDesk.exe" --service`),
		proc("WS-007", 5, 4*time.Second, "b1", "b0", `C:\Windows\explorer.exe`, "C:\\Users\\eve\\Downloads\\<script>alert(1)</script>\u202Egpj.exe",
			`=cmd|' /C calc'!A0 <img src=x onerror=alert(2)>`),
		{Kind: triage.KindFileCreate, Origin: triage.OriginSysmon, EventID: 11, Host: "WS-042", HostKey: "ws-042",
			Channel: "Microsoft-Windows-Sysmon/Operational", RecordID: 6, Created: t0.Add(2500 * time.Millisecond),
			Time: t0.Add(2500 * time.Millisecond), ProcessGUID: "a3", Image: `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`,
			TargetFilename: `C:\Users\bob\AppData\Local\Temp\stage2.exe`, File: `C:\cases\42\Sysmon.evtx`, Offset: 9000},
	}
	cov := triage.NewFileCoverage(`C:\cases\42\Sysmon.evtx`)
	cov.SHA256, cov.Size, cov.Parser, cov.Records = strings.Repeat("ab", 32), 69632, "native", 6
	cov.SysmonProcessCreates, cov.SysmonFileCreates, cov.Chunks = 5, 1, 1
	cov.SysmonEIDs[1], cov.SysmonEIDs[11] = 5, 1
	cov.FirstTime, cov.LastTime = t0, t0.Add(4*time.Second)
	bad := triage.NewFileCoverage(`C:\cases\42\broken.evtx`)
	bad.ReadError = "not an EVTX file (bad file signature)"
	res, err := triage.Analyze(context.Background(), evs, []*triage.FileCoverage{cov, bad}, triage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &Input{Result: res, Meta: Meta{Version: "v0.0.0-test", Command: []string{"clicktrail", "scan", `C:\cases\42`},
		Started: time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC), Finished: time.Date(2024, 3, 1, 10, 0, 2, 0, time.UTC), Parser: "native"}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file; run 'go test ./report -update' and review the diff", name)
	}
}

func TestGoldenOutputs(t *testing.T) {
	in := fixture(t)
	h, err := NewHTML()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"findings.csv", func(b *bytes.Buffer) error { return WriteFindingsCSV(b, in) }},
		{"coverage.csv", func(b *bytes.Buffer) error { return WriteCoverageCSV(b, in) }},
		{"findings.jsonl", func(b *bytes.Buffer) error { return WriteFindingsJSONL(b, in) }},
		{"findings.timesketch.jsonl", func(b *bytes.Buffer) error { return WriteTimesketchJSONL(b, in) }},
		{"report.html", func(b *bytes.Buffer) error { return h.Write(b, in) }},
	} {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		golden(t, c.name, b.Bytes())
	}
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	in := fixture(t)
	var b bytes.Buffer
	if err := WriteFindingsCSV(&b, in); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(rows[0], ","), strings.Join(FindingsColumns(), ","); got != want {
		t.Fatalf("header %s", got)
	}
	found := false
	for _, row := range rows[1:] {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell starts with a formula character: %q", cell)
			}
			if cell == `'=cmd|' /C calc'!A0 <img src=x onerror=alert(2)>` {
				found = true
			}
		}
	}
	if !found {
		t.Error("hostile command line not kept visible behind a quote")
	}
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx",
		"  =1": "'  =1", "＝1": "'＝1", "C:\\x": "C:\\x", "": "", "a=b": "a=b",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// renderHTML renders in's report.html.
func renderHTML(t *testing.T, in *Input) []byte {
	t.Helper()
	h, err := NewHTML()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := h.Write(&b, in); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHTMLEscapesEvidence(t *testing.T) {
	page := string(renderHTML(t, fixture(t)))
	for _, bad := range []string{"<script>alert(1)", "<img src=x", "\u202E", `src="http`, `href="http`, "url(", "@import", "<link", "<iframe", "<object"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "[U&#43;202E]", "Content-Security-Policy", "default-src &#39;none&#39;"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d script elements, want exactly our own", n)
	}
}

func TestJSONLIsECS(t *testing.T) {
	in := fixture(t)
	var b bytes.Buffer
	if err := WriteFindingsJSONL(&b, in); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != len(in.Result.Findings) {
		t.Fatalf("%d lines for %d findings", len(lines), len(in.Result.Findings))
	}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"@timestamp", "host", "process", "rule", "threat", "event"} {
			if _, ok := m[k]; !ok {
				t.Errorf("missing %s in %s", k, l)
			}
		}
	}
}
