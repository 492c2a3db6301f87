package gen

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestScenarioExpectations checks every built-in scenario's expect list
// against a small, independent reading of the seed rule
// (detection-semantics.md section 5, mode I) applied to the records the
// scenario writes. It keeps the scenario files honest; the end-to-end test
// in cmd/clicktrail holds clicktrail itself to the same lists.
func TestScenarioExpectations(t *testing.T) {
	dir := t.TempDir()
	for _, name := range Builtins() {
		t.Run(name, func(t *testing.T) {
			_, recs, sc := writeBuiltin(t, dir, name, false)
			got := oracle(recs)
			// The oracle knows the seed rule only; the other rules' rows are
			// held to clicktrail by the end-to-end test.
			seed := map[string]bool{}
			for _, r := range SeedRules() {
				seed[r] = true
			}
			var want []string
			for _, x := range sc.Expect {
				if seed[x.Rule] {
					want = append(want, x.Rule+" "+x.Image)
				}
			}
			sort.Strings(want)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("rules give:\n  %s\nscenario expects:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
	// Planted findings of the scale generator, too.
	scale, man := writeScale(t, dir, 5000, false)
	var all []written
	for _, r := range scale {
		all = append(all, r...)
	}
	var want []string
	for _, f := range man.Findings {
		want = append(want, f.Rule+" "+f.Image)
	}
	sort.Strings(want)
	if got := oracle(all); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scale sample: rules give %q, manifest lists %q", got, want)
	}
	if len(man.Findings) < 5 {
		t.Errorf("scale sample planted only %d findings", len(man.Findings))
	}
}

// oracle returns sorted "rule image" lines for the process starts in recs.
func oracle(recs []written) []string {
	type start struct{ host, image, parent string }
	var starts []start
	sysmonPIDs := map[string]bool{} // host|pid|image of Sysmon process starts
	for _, w := range recs {
		if w.schema.EventID == 1 && w.schema.Provider == sysmonProvider {
			v := func(n string) string { return w.values[w.schema.Index(n)].Text() }
			sysmonPIDs[strings.ToLower(w.computer)+"|"+v("ProcessId")+"|"+strings.ToLower(v("Image"))] = true
		}
	}
	for _, w := range recs {
		v := func(n string) string {
			if i := w.schema.Index(n); i >= 0 {
				return w.values[i].Text()
			}
			return ""
		}
		switch {
		case w.schema.EventID == 1 && w.schema.Provider == sysmonProvider:
			starts = append(starts, start{w.computer, v("Image"), v("ParentImage")})
		case w.schema.EventID == 4688:
			pid := fmt.Sprint(w.values[w.schema.Index("NewProcessId")].U)
			if sysmonPIDs[strings.ToLower(w.computer)+"|"+pid+"|"+strings.ToLower(v("NewProcessName"))] {
				continue // Sysmon saw this start; 4688 is only the fallback (case 26)
			}
			starts = append(starts, start{w.computer, v("NewProcessName"), v("ParentProcessName")})
		}
	}
	r1Parents := "winword.exe excel.exe powerpnt.exe outlook.exe mspub.exe onenote.exe visio.exe acrord32.exe acrobat.exe foxitreader.exe chrome.exe msedge.exe firefox.exe iexplore.exe opera.exe"
	r1Children := "cmd.exe powershell.exe pwsh.exe wscript.exe cscript.exe mshta.exe rundll32.exe regsvr32.exe certutil.exe bitsadmin.exe"
	rats := "anydesk.exe teamviewer.exe screenconnect.exe connectwisecontrol.exe splashtopstreamer.exe ultraviewer.exe rustdesk.exe supremo.exe radmin.exe atera_agent.exe"
	in := func(list, name string) bool { return name != "" && strings.Contains(" "+list+" ", " "+name+" ") }
	name := func(p string) string { // no backslash: no name (ECS)
		if p == "-" || p == "" {
			return ""
		}
		i := strings.LastIndexByte(p, '\\')
		if i < 0 {
			return ""
		}
		return strings.ToLower(p[i+1:])
	}
	var out []string
	for _, s := range starts {
		n, pn := name(s.image), name(s.parent)
		low := strings.ToLower(s.image)
		if in(r1Parents, pn) && in(r1Children, n) {
			out = append(out, RuleOfficeShell+" "+s.image)
		}
		if in(rats, n) {
			out = append(out, RuleRATLaunch+" "+s.image)
		}
		userDir := false
		for _, d := range []string{`\downloads\`, `\desktop\`, `\appdata\local\temp\`, `\appdata\roaming\`, `\users\public\`} {
			userDir = userDir || strings.Contains(low, d)
		}
		if pn == "explorer.exe" && userDir && strings.HasSuffix(n, ".exe") && n != "setup.exe" {
			out = append(out, RuleUserDirExe+" "+s.image)
		}
	}
	sort.Strings(out)
	return out
}
