package report

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/report/browsertest"
)

// TestBrowserRunsNoInjectedScript opens a report built from hostile
// evidence in a real browser: our own filter script must run, nothing the
// attacker wrote may, and the attacker's text must be there to read.
func TestBrowserRunsNoInjectedScript(t *testing.T) {
	in := fixture(t)
	hostile := []string{
		`<script>document.title='PWNED-1';document.body.setAttribute('data-pwned','1')</script>`,
		`<img src=x onerror="document.title='PWNED-2';document.body.setAttribute('data-pwned','2')">`,
		`"><svg onload="document.body.setAttribute('data-pwned','3')">`,
		`javascript:document.body.setAttribute('data-pwned','4')`,
		"</code></td></tr></table><script>document.body.setAttribute('data-pwned','5')</script>",
	}
	for i, f := range in.Result.Findings {
		f.Event.CommandLine = hostile[i%len(hostile)] + " " + f.Event.CommandLine
		f.Event.User = hostile[(i+1)%len(hostile)]
	}
	for _, p := range in.Result.Processes {
		p.CommandLine = hostile[2] + p.CommandLine
	}
	page := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(page, renderHTML(t, in), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := browsertest.DumpDOM(t, page)
	if strings.Contains(dom, "<body data-pwned") || strings.Contains(dom, "<title>PWNED") {
		t.Fatalf("injected script ran")
	}
	n := len(in.Result.Incidents)
	if want := strconv.Itoa(n) + " of " + strconv.Itoa(n) + " shown"; !strings.Contains(dom, want) {
		t.Errorf("the report's own script did not run (no %q in the DOM)", want)
	}
	for _, text := range []string{"&lt;script&gt;document.title='PWNED-1'", "&lt;img src=x onerror=", "&lt;/script&gt;"} {
		if !strings.Contains(dom, text) {
			t.Errorf("hostile text %q not shown as text", text)
		}
	}
}
