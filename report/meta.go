package report

import (
	"strings"
	"time"

	"github.com/clicktrail/clicktrail/triage"
)

// Meta is the provenance of a run.
type Meta struct {
	Version  string
	Command  []string // the exact argv
	Started  time.Time
	Finished time.Time
	Parser   string
}

// Input bundles what every reporter writes from.
type Input struct {
	Meta   Meta
	Result *triage.Result
}

// timeFormat is UTC with Windows' full 100 ns precision and an explicit Z;
// fixed width, so the text sorts as the time does.
const timeFormat = "2006-01-02T15:04:05.0000000Z"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// guid renders a canonical GUID the way Sysmon writes it, with braces.
func guid(g string) string {
	if g == "" {
		return ""
	}
	return "{" + g + "}"
}

// chain renders ancestors and the process as "a.exe > b.exe > c.exe".
func chain(f *triage.Finding) string {
	parts := make([]string, 0, len(f.Ancestors)+1)
	for _, a := range f.Ancestors {
		parts = append(parts, procLabel(a))
	}
	parts = append(parts, procLabel(f.Process))
	return strings.Join(parts, " > ")
}

func procLabel(p *triage.Process) string {
	name := p.Name()
	if name == "" {
		name = p.Image
	}
	if name == "" {
		name = "(unknown)"
	}
	if p.Synthesised {
		name += "*"
	}
	return name
}

func why(f *triage.Finding) string {
	parts := make([]string, len(f.Why))
	for i, m := range f.Why {
		parts[i] = m.String()
	}
	return strings.Join(parts, "; ")
}
