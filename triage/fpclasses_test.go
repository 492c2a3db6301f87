package triage

import (
	"reflect"
	"sort"
	"testing"

	"github.com/clicktrail/clicktrail/evtx"
)

// The false-positive classes the brief holds back, with the outcome the
// default rules are meant to give, stated so that a change to any rule that
// moves them shows up here.
func TestFalsePositiveClasses(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	g1, g0 := "{365ABB72-0000-0000-0000-000000000001}", "{365ABB72-0000-0000-0000-0000000000AA}"
	cases := []struct {
		name string
		r    evtx.Record
		want []string // "rule severity"
	}{
		// An IT install: the seed rule fires by name (its listed FP); the
		// metadata rule fires too, but at low severity because a service
		// started it.
		{"services.exe starts AnyDesk", start("WS1", 1, t0, g1, g0, `C:\Windows\System32\services.exe`,
			`C:\Program Files (x86)\AnyDesk\AnyDesk.exe`, "CommandLine", `"C:\Program Files (x86)\AnyDesk\AnyDesk.exe" --service`),
			[]string{"rat-by-metadata low", "rat-launch medium"}},
		// Spotify lives in AppData\Roaming: the seed rule fires (kept, not
		// excluded: an allowlist entry is the tuning), nothing else does.
		{"Spotify in Roaming", start("WS1", 1, t0, g1, g0, `C:\Windows\explorer.exe`, `C:\Users\bob\AppData\Roaming\Spotify\Spotify.exe`),
			[]string{"userdir-exe medium"}},
		// setup.exe is excluded by name from the seed rule, and nothing
		// else picks it up.
		{"setup.exe in Downloads", start("WS1", 1, t0, g1, g0, `C:\Windows\explorer.exe`, `C:\Users\bob\Downloads\setup.exe`), nil},
		// Chrome's native-messaging host: the seed rule fires (literal
		// match, listed FP); the ClickFix rule does not, for want of markers.
		{"chrome native messaging", start("WS1", 1, t0, g1, g0, `C:\Program Files\Google\Chrome\Application\chrome.exe`,
			`C:\Windows\System32\cmd.exe`, "CommandLine", `C:\Windows\system32\cmd.exe /d /c "C:\Program Files\Vendor\host.exe" chrome-extension://abcdef/ --parent-window=0 < \\.\pipe\chrome.nativeMessaging.in.1 > \\.\pipe\chrome.nativeMessaging.out.1`),
			[]string{"office-spawns-shell high"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := analyze(t, Options{Rules: rules}, []evtx.Record{c.r})
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.Rule.ID+" "+f.Severity)
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}
