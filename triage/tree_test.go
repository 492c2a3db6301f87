package triage

import (
	"fmt"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
)

func TestTreeAcrossFilesAndLoops(t *testing.T) {
	// explorer -> winword -> cmd -> powershell, split over two files, plus a
	// forged loop (a process naming its own child as parent) that must not
	// hang the walk.
	g := func(n int) string { return fmt.Sprintf("{365ABB72-0000-0000-0000-%012d}", n) }
	word := `C:\Program Files\Microsoft Office\root\Office16\WINWORD.EXE`
	a := []evtx.Record{
		start("WS1", 1, t0, g(1), g(0), `C:\Windows\System32\userinit.exe`, `C:\Windows\explorer.exe`),
		start("WS1", 2, t0.Add(time.Second), g(2), g(1), `C:\Windows\explorer.exe`, word),
	}
	b := []evtx.Record{
		start("WS1", 3, t0.Add(2*time.Second), g(3), g(2), word, `C:\Windows\System32\cmd.exe`),
		start("WS1", 4, t0.Add(3*time.Second), g(4), g(3), `C:\Windows\System32\cmd.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`),
		rec(ProviderSysmon, 11, "WS1", 5, t0.Add(4*time.Second), "UtcTime", t0.Add(4*time.Second).Format("2006-01-02 15:04:05.000"),
			"ProcessGuid", g(4), "Image", `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "TargetFilename", `C:\Users\bob\AppData\Local\Temp\p.exe`),
		start("WS1", 6, t0.Add(5*time.Second), g(9), g(10), `C:\x.exe`, `C:\y.exe`),
		start("WS1", 7, t0.Add(6*time.Second), g(10), g(9), `C:\y.exe`, `C:\x.exe`),
	}
	res := analyze(t, Options{}, a, b)
	if len(res.Findings) != 1 {
		t.Fatalf("findings %v", fired(res))
	}
	f := res.Findings[0]
	var names []string
	for _, p := range f.Ancestors {
		names = append(names, p.Name())
	}
	if fmt.Sprint(names) != "[userinit.exe explorer.exe WINWORD.EXE]" || !f.Ancestors[0].Synthesised {
		t.Fatalf("ancestors %v (root synthesised: %v)", names, f.Ancestors[0].Synthesised)
	}
	if len(f.Descendants) != 1 || f.Descendants[0].Process.Name() != "powershell.exe" || len(f.Descendants[0].Process.Files) != 1 {
		t.Fatalf("descendants %+v", f.Descendants)
	}
	for _, p := range res.Processes {
		if len(p.Ancestors()) > maxChainDepth {
			t.Fatalf("unbounded chain at %s", p.Key)
		}
		p.Descendants()
	}
}

func Test4688TreeByPID(t *testing.T) {
	r := func(id uint64, at time.Duration, pid, ppid, parent, image string) evtx.Record {
		return rec(ProviderSecurity, 4688, "DC1", id, t0.Add(at), "NewProcessId", pid, "ProcessId", ppid, "ParentProcessName", parent, "NewProcessName", image)
	}
	res := analyze(t, Options{}, []evtx.Record{
		r(1, 0, "0x10", "0x4", `C:\Windows\System32\userinit.exe`, `C:\Windows\explorer.exe`),
		r(2, time.Second, "0x20", "0x10", `C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\x.exe`),
		// pid 0x10 reused by a later process: children after it hang there.
		r(3, 2*time.Second, "0x10", "0x4", `C:\Windows\System32\userinit.exe`, `C:\Windows\System32\notepad.exe`),
		r(4, 3*time.Second, "0x30", "0x10", `C:\Windows\System32\notepad.exe`, `C:\Windows\System32\cmd.exe`),
	})
	if len(res.FallbackHosts) != 1 || res.FallbackHosts[0] != "dc1" {
		t.Fatalf("fallback hosts %v", res.FallbackHosts)
	}
	if len(res.Findings) != 1 || res.Findings[0].Ancestors[len(res.Findings[0].Ancestors)-1].Name() != "explorer.exe" {
		t.Fatalf("findings %v", fired(res))
	}
	for _, p := range res.Processes {
		if p.Name() == "cmd.exe" && (p.Parent == nil || p.Parent.Name() != "notepad.exe") {
			t.Fatalf("cmd.exe parent %+v", p.Parent)
		}
	}
}

func TestTimeGaps(t *testing.T) {
	g := func(n int) string { return fmt.Sprintf("{365ABB72-0000-0000-0000-%012d}", n) }
	res := analyze(t, Options{}, []evtx.Record{
		start("A", 1, t0, g(1), g(0), `C:\Windows\explorer.exe`, `C:\x.exe`),
		start("B", 2, t0.Add(time.Hour), g(2), g(0), `C:\Windows\explorer.exe`, `C:\x.exe`),
		start("A", 3, t0.Add(23*time.Hour), g(3), g(0), `C:\Windows\explorer.exe`, `C:\x.exe`),
		start("A", 4, t0.Add(72*time.Hour), g(4), g(0), `C:\Windows\explorer.exe`, `C:\x.exe`),
	})
	if len(res.TimeGaps) != 1 || res.TimeGaps[0].HostKey != "a" || !res.TimeGaps[0].From.Equal(t0.Add(23*time.Hour)) {
		t.Fatalf("gaps %+v", res.TimeGaps)
	}
}
