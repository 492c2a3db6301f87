package triage

import (
	"reflect"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

// The required cases of ../shared/docs/detection-semantics.md section 5,
// mode I (one finding per matching event). Numbers are the brief's.
func TestSemanticsCasesModeI(t *testing.T) {
	const (
		word     = `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
		explorer = `C:\Windows\explorer.exe`
		g1       = "{365ABB72-0000-0000-0000-000000000001}"
		g0       = "{365ABB72-0000-0000-0000-0000000000AA}"
	)
	one := func(parent, image string, kv ...string) [][]evtx.Record {
		return [][]evtx.Record{{start("WS1", 10, t0, g1, g0, parent, image, kv...)}}
	}
	cases := []struct {
		n     string
		files [][]evtx.Record
		want  []string
	}{
		{"1 Winword -> CMD.EXE", one(`C:\Program Files\Microsoft Office\Office16\Winword.exe`, `C:\Windows\System32\CMD.EXE`),
			[]string{`office-spawns-shell C:\Windows\System32\CMD.EXE`}},
		{"2 conhost not a child", one(word, `C:\Windows\System32\conhost.exe`), nil},
		{"3 renamed powershell unseen", one(word, `C:\Users\bob\Downloads\inv.exe`, "OriginalFileName", "PowerShell.EXE"), nil},
		{"4 chrome native messaging", one(`C:\Program Files\Google\Chrome\Application\chrome.exe`, `C:\Windows\System32\cmd.exe`,
			"CommandLine", `C:\Windows\system32\cmd.exe /d /c "C:\Program Files\x\host.exe" chrome-extension://abc/`),
			[]string{`office-spawns-shell C:\Windows\System32\cmd.exe`}},
		{"5 olk.exe", one(`C:\Program Files\WindowsApps\Microsoft.OutlookForWindows\olk.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`), nil},
		{"5 FoxitPDFReader", one(`C:\Program Files\Foxit Software\Foxit PDF Reader\FoxitPDFReader.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`), nil},
		{"6 services -> AnyDesk", one(`C:\Windows\System32\services.exe`, `C:\Program Files (x86)\AnyDesk\AnyDesk.exe`, "CommandLine", `"C:\Program Files (x86)\AnyDesk\AnyDesk.exe" --service`),
			[]string{`rat-launch C:\Program Files (x86)\AnyDesk\AnyDesk.exe`}},
		{"7 TeamViewer_Service", one(`C:\Windows\System32\services.exe`, `C:\Program Files\TeamViewer\TeamViewer_Service.exe`), nil},
		{"7 ScreenConnect.ClientService", one(`C:\Windows\System32\services.exe`, `C:\Program Files (x86)\ScreenConnect Client (x)\ScreenConnect.ClientService.exe`), nil},
		{"7 AteraAgent", one(`C:\Windows\System32\services.exe`, `C:\Program Files\ATERA Networks\AteraAgent\AteraAgent.exe`), nil},
		{"7 client32", one(`C:\Windows\System32\services.exe`, `C:\Program Files (x86)\NetSupport\NetSupport Manager\client32.exe`), nil},
		{"8 TeamViewer_Service -> TeamViewer", one(`C:\Program Files\TeamViewer\TeamViewer_Service.exe`, `C:\Program Files\TeamViewer\TeamViewer.exe`),
			[]string{`rat-launch C:\Program Files\TeamViewer\TeamViewer.exe`}},
		{"9 Invoice.EXE", one(explorer, `C:\Users\bob\Downloads\Invoice.EXE`), []string{`userdir-exe C:\Users\bob\Downloads\Invoice.EXE`}},
		{"10 SETUP.EXE excluded", one(explorer, `C:\Users\bob\Downloads\SETUP.EXE`), nil},
		{"10 setup (1).exe", one(explorer, `C:\Users\bob\Downloads\setup (1).exe`), []string{`userdir-exe C:\Users\bob\Downloads\setup (1).exe`}},
		{"11 .pdf.scr", one(explorer, `C:\Users\bob\Downloads\inv.pdf.scr`), nil},
		{"12 Jürgen", one(explorer, `C:\Users\Jürgen\Downloads\Rechnung.exe`), []string{`userdir-exe C:\Users\Jürgen\Downloads\Rechnung.exe`}},
		{"12 JÜRGEN upper", one(explorer, `C:\USERS\JÜRGEN\DOWNLOADS\RECHNUNG.EXE`), []string{`userdir-exe C:\USERS\JÜRGEN\DOWNLOADS\RECHNUNG.EXE`}},
		{"13 8.3 user", one(explorer, `C:\Users\JRGEN~1\Downloads\x.exe`), []string{`userdir-exe C:\Users\JRGEN~1\Downloads\x.exe`}},
		{"13 8.3 folder (known FN)", one(explorer, `C:\Users\bob\DOWNLO~1\x.exe`), nil},
		{"14 device path", one(explorer, `\Device\HarddiskVolume3\Users\bob\Downloads\x.exe`), []string{`userdir-exe \Device\HarddiskVolume3\Users\bob\Downloads\x.exe`}},
		{"15 UNC", one(explorer, `\\srv\share\Users\Public\x.exe`), []string{`userdir-exe \\srv\share\Users\Public\x.exe`}},
		{"16 forward slashes", one(explorer, `C:/Users/bob/Downloads/x.exe`), nil},
		{"17 7zFM parent", one(`C:\Program Files\7-Zip\7zFM.exe`, `C:\Users\bob\AppData\Local\Temp\7zO1A2\x.exe`), nil},
		{"17 explorer zip", one(explorer, `C:\Users\bob\AppData\Local\Temp\Temp1_a.zip\x.exe`), []string{`userdir-exe C:\Users\bob\AppData\Local\Temp\Temp1_a.zip\x.exe`}},
		{"18 Spotify (FP class)", one(explorer, `C:\Users\bob\AppData\Roaming\Spotify\Spotify.exe`), []string{`userdir-exe C:\Users\bob\AppData\Roaming\Spotify\Spotify.exe`}},
		{"19 placeholder parent: shell", [][]evtx.Record{{start("WS1", 10, t0, g1, "{00000000-0000-0000-0000-000000000000}", "-", `C:\Windows\System32\cmd.exe`)}}, nil},
		{"19 placeholder parent: explorer-less exe", [][]evtx.Record{{start("WS1", 10, t0, g1, "{00000000-0000-0000-0000-000000000000}", "-", `C:\Users\bob\Downloads\x.exe`)}}, nil},
		{"19 placeholder parent: RAT still", [][]evtx.Record{{start("WS1", 10, t0, g1, "{00000000-0000-0000-0000-000000000000}", "-", `C:\Users\bob\Downloads\AnyDesk.exe`)}},
			[]string{`rat-launch C:\Users\bob\Downloads\AnyDesk.exe`}},
		{"22 same record in two files", [][]evtx.Record{
			{start("WS1", 10, t0, g1, g0, word, `C:\Windows\System32\cmd.exe`)},
			{start("WS1", 10, t0, g1, g0, word, `C:\Windows\System32\cmd.exe`)}},
			[]string{`office-spawns-shell C:\Windows\System32\cmd.exe`}},
		{"22 same id and host, other time: two records", [][]evtx.Record{
			{start("WS1", 10, t0, g1, g0, word, `C:\Windows\System32\cmd.exe`)},
			{start("WS1", 10, t0.Add(time.Hour), "{365ABB72-0000-0000-0000-000000000002}", g0, word, `C:\Windows\System32\cmd.exe`)}},
			[]string{`office-spawns-shell C:\Windows\System32\cmd.exe`, `office-spawns-shell C:\Windows\System32\cmd.exe`}},
		{"26 Sysmon and 4688 for one process", [][]evtx.Record{
			{start("WS1", 10, t0, g1, g0, word, `C:\Windows\System32\cmd.exe`)},
			{rec(ProviderSecurity, 4688, "WS1", 99, t0, "NewProcessName", `C:\Windows\System32\cmd.exe`, "NewProcessId", "0x64",
				"ProcessId", "0x32", "ParentProcessName", word)}},
			[]string{`office-spawns-shell C:\Windows\System32\cmd.exe`}},
		{"27 4688 v2 explorer -> Downloads", [][]evtx.Record{{rec(ProviderSecurity, 4688, "WS2", 99, t0,
			"NewProcessName", `C:\Users\bob\Downloads\x.exe`, "NewProcessId", "0x64", "ProcessId", "0x32", "ParentProcessName", explorer)}},
			[]string{`userdir-exe C:\Users\bob\Downloads\x.exe`}},
		{"27 4688 v1 (no parent name): RAT only", [][]evtx.Record{{
			rec(ProviderSecurity, 4688, "WS2", 98, t0, "NewProcessName", `C:\Users\bob\Downloads\x.exe`, "NewProcessId", "0x64", "ProcessId", "0x32"),
			rec(ProviderSecurity, 4688, "WS2", 99, t0.Add(time.Second), "NewProcessName", `C:\Users\bob\Downloads\AnyDesk.exe`, "NewProcessId", "0x68", "ProcessId", "0x32")}},
			[]string{`rat-launch C:\Users\bob\Downloads\AnyDesk.exe`}},
		{"28 EID 5 with AnyDesk", [][]evtx.Record{{rec(ProviderSysmon, 5, "WS1", 10, t0, "ProcessGuid", g1, "Image", `C:\AnyDesk.exe`)}}, nil},
		{"28 EID 7 and 10 with AnyDesk", [][]evtx.Record{{
			rec(ProviderSysmon, 7, "WS1", 10, t0, "ProcessGuid", g1, "Image", `C:\AnyDesk.exe`),
			rec(ProviderSysmon, 10, "WS1", 11, t0, "SourceProcessGUID", g1, "SourceImage", `C:\AnyDesk.exe`, "TargetImage", `C:\AnyDesk.exe`)}}, nil},
	}
	for _, c := range cases {
		t.Run(c.n, func(t *testing.T) {
			got := fired(analyze(t, Options{}, c.files...))
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("fired %q, want %q", got, c.want)
			}
		})
	}
}

func TestCase20MissingParentIsSynthesised(t *testing.T) {
	word := `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	r := start("WS1", 10, t0, "{365ABB72-0000-0000-0000-000000000001}", "{365ABB72-0000-0000-0000-0000000000AA}", word, `C:\Windows\System32\cmd.exe`,
		"ParentCommandLine", `"WINWORD.EXE" /n invoice.docm`)
	res := analyze(t, Options{}, []evtx.Record{r})
	if len(res.Findings) != 1 || res.Findings[0].Rule.ID != RuleOfficeSpawnsShell {
		t.Fatalf("findings %v", fired(res))
	}
	anc := res.Findings[0].Ancestors
	if len(anc) != 1 || !anc[0].Synthesised || anc[0].Image != word || anc[0].CommandLine != `"WINWORD.EXE" /n invoice.docm` || anc[0].PID != 50 {
		t.Fatalf("ancestors %+v", anc)
	}
}

func TestCase21MissingComputer(t *testing.T) {
	explorer := `C:\Windows\explorer.exe`
	r := start("", 10, t0, "{365ABB72-0000-0000-0000-000000000001}", "{365ABB72-0000-0000-0000-0000000000AA}", explorer, `C:\Users\bob\Downloads\x.exe`)
	res := analyze(t, Options{Sequence: true}, []evtx.Record{r})
	if len(res.Findings) != 1 || res.Findings[0].Event.HostKey != UnknownHost {
		t.Fatalf("want one finding on host %q, got %v", UnknownHost, fired(res))
	}
	// Mode S: a null key joins nothing, even for a full chain.
	chain := seqChain("", 0, 2*time.Second, 5*time.Second)
	if res := analyze(t, Options{Sequence: true}, chain...); len(res.Sequences) != 0 {
		t.Fatalf("sequence joined on a null host: %+v", res.Sequences)
	}
}

func TestCase23EndInOtherFile(t *testing.T) {
	g := "{365ABB72-0000-0000-0000-000000000001}"
	a := []evtx.Record{start("WS1", 10, t0, g, "{365ABB72-0000-0000-0000-0000000000AA}", `C:\Windows\explorer.exe`, `C:\Users\bob\Desktop\x.exe`)}
	b := []evtx.Record{rec(ProviderSysmon, 5, "WS1", 11, t0.Add(time.Minute), "UtcTime", t0.Add(time.Minute).Format("2006-01-02 15:04:05.000"),
		"ProcessGuid", g, "Image", `C:\Users\bob\Desktop\x.exe`)}
	res := analyze(t, Options{}, a, b)
	if len(res.Findings) != 1 || !res.Findings[0].Process.End.Equal(t0.Add(time.Minute)) {
		t.Fatalf("findings %v", fired(res))
	}
}

func TestCase24FileOrderDoesNotMatter(t *testing.T) {
	word := `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	a := []evtx.Record{start("WS1", 10, t0, "{365ABB72-0000-0000-0000-000000000001}", "{365ABB72-0000-0000-0000-0000000000AA}", word, `C:\Windows\System32\cmd.exe`)}
	a[0].File = "a.evtx"
	b := []evtx.Record{start("WS1", 11, t0.Add(time.Second), "{365ABB72-0000-0000-0000-000000000002}", "{365ABB72-0000-0000-0000-000000000001}",
		`C:\Windows\System32\cmd.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`)}
	b[0].File = "b.evtx"
	fwd := analyze(t, Options{}, a, b)
	rev := analyze(t, Options{}, b, a)
	if !reflect.DeepEqual(fired(fwd), fired(rev)) || len(fwd.Findings) != 1 {
		t.Fatalf("forward %v, reverse %v", fired(fwd), fired(rev))
	}
	if d := fwd.Findings[0].Descendants; len(d) != 1 || d[0].Process.Name() != "powershell.exe" {
		t.Fatalf("descendants %+v", d)
	}
}

func TestCase25GUIDForms(t *testing.T) {
	word := `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	parent := start("WS1", 9, t0, "{AB000000-0000-0000-0000-0000000000AA}", "", `C:\Windows\explorer.exe`, word)
	child := start("WS1", 10, t0.Add(time.Second), "{365ABB72-0000-0000-0000-000000000001}", "ab000000-0000-0000-0000-0000000000aa", word, `C:\Windows\System32\cmd.exe`)
	res := analyze(t, Options{}, []evtx.Record{parent, child})
	if len(res.Findings) != 1 {
		t.Fatalf("findings %v", fired(res))
	}
	anc := res.Findings[0].Ancestors
	if len(anc) != 1 || anc[0].Synthesised || anc[0].StartEvent == nil {
		t.Fatalf("parent not joined across GUID forms: %+v", anc)
	}
}

// seqChain is R1 at t0+a, R2 at t0+b, R3 at t0+c on host, record ids n.
func seqChain(host string, a, b, c time.Duration) [][]evtx.Record {
	word := `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	return [][]evtx.Record{{
		start(host, 100, t0.Add(a), "{365ABB72-0000-0000-0000-000000000001}", "{365ABB72-0000-0000-0000-0000000000AA}", word, `C:\Windows\System32\cmd.exe`),
		start(host, 101, t0.Add(b), "{365ABB72-0000-0000-0000-000000000002}", "{365ABB72-0000-0000-0000-0000000000AB}", `C:\Windows\System32\services.exe`, `C:\Program Files (x86)\AnyDesk\AnyDesk.exe`),
		start(host, 102, t0.Add(c), "{365ABB72-0000-0000-0000-000000000003}", "{365ABB72-0000-0000-0000-0000000000AC}", `C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\x.exe`),
	}}
}

func TestSemanticsCasesModeS(t *testing.T) {
	swapped := func(files [][]evtx.Record) [][]evtx.Record {
		files[0][0], files[0][1] = files[0][1], files[0][0]
		return files
	}
	moved := func(files [][]evtx.Record, i int, host string) [][]evtx.Record {
		files[0][i].Computer = host
		return files
	}
	cases := []struct {
		n     string
		files [][]evtx.Record
		want  int
	}{
		{"29 R3 at +5.000s (maxspan inclusive)", seqChain("WS1", 0, 2*time.Second, 5*time.Second), 1},
		{"30 R3 at +5.001s", seqChain("WS1", 0, 2*time.Second, 5001*time.Millisecond), 0},
		// Written last, but its UtcTime is before R1: ordered by time, it
		// comes first and cannot complete the sequence.
		{"31 clock step", seqChain("WS1", 0, 2*time.Second, -time.Second), 0},
		{"32 R1 on A, R2 and R3 on B", moved(moved(seqChain("WS1", 0, time.Second, 2*time.Second), 1, "WS2"), 2, "WS2"), 0},
		// Given in the opposite order: the record id must put R1 first.
		{"33 R1 and R2 in the same millisecond", swapped(seqChain("WS1", 0, 0, time.Second)), 1},
	}
	for _, c := range cases {
		t.Run(c.n, func(t *testing.T) {
			res := analyze(t, Options{Sequence: true}, c.files...)
			if len(res.Sequences) != c.want {
				t.Fatalf("%d sequences, want %d", len(res.Sequences), c.want)
			}
			// Mode I is unaffected by mode S.
			if len(res.Findings) != 3 {
				t.Fatalf("mode I fired %v", fired(res))
			}
		})
	}
}
