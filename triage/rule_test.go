package triage

import (
	"strings"
	"testing"
)

func TestSeedRuleExamples(t *testing.T) {
	rules, err := SeedRules()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range rules {
		ids[r.ID] = true
		for _, err := range r.checkExampleBalance() {
			t.Error(err)
		}
	}
	for _, id := range []string{RuleOfficeSpawnsShell, RuleRATLaunch, RuleUserDirExe} {
		if !ids[id] {
			t.Errorf("seed rule %s missing", id)
		}
	}
}

func TestCompileRejects(t *testing.T) {
	ok := Condition{Field: "process.name", Patterns: []string{"x"}}
	ex := []Example{{Name: "e", Match: true}}
	cases := []struct {
		name string
		r    Rule
		want string
	}{
		{"no id", Rule{When: []Condition{ok}, Examples: ex}, "without id"},
		{"no conditions", Rule{ID: "r", Examples: ex}, "no conditions"},
		{"no examples", Rule{ID: "r", When: []Condition{ok}}, "no examples"},
		{"unknown field", Rule{ID: "r", Severity: "low", When: []Condition{{Field: "process.nam", Patterns: []string{"x"}}}, Examples: ex}, "unknown field"},
		{"no patterns", Rule{ID: "r", Severity: "low", When: []Condition{{Field: "process.name"}}, Examples: ex}, "no patterns"},
	}
	for _, c := range cases {
		if err := c.r.Compile(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.name, err, c.want)
		}
	}
}

func TestWhySaysWhatMatched(t *testing.T) {
	rules, _ := SeedRules()
	e := Event{Kind: KindProcessStart, ParentImage: `C:\Windows\explorer.exe`, Image: `C:\Users\bob\Downloads\Invoice.exe`}
	why, ok := rules[2].Eval(&e)
	if !ok {
		t.Fatal("no match")
	}
	got := make([]string, len(why))
	for i, m := range why {
		got[i] = m.String()
	}
	want := []string{
		`process.parent.name "explorer.exe" matches explorer.exe`,
		`process.executable "C:\\Users\\bob\\Downloads\\Invoice.exe" matches *\Downloads\*`,
		`process.name "Invoice.exe" matches *.exe`,
		`process.name "Invoice.exe" is not setup.exe`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("why:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
