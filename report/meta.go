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
	// RuleSources names every rule and allowlist file in force with its
	// SHA-256, so a report can be reproduced with the same rules.
	RuleSources []Source
	// Zone, when set, adds a local display time next to every UTC time in
	// the HTML (never instead of it).
	Zone *time.Location
}

// Source is one configuration input of a run.
type Source struct {
	Name   string
	SHA256 string
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

// causeURL is where a chain rule's download came from, when the
// Zone.Identifier stream says.
func causeURL(f *triage.Finding) string {
	if f.Cause == nil {
		return ""
	}
	return zoneURL(f.Cause.Contents)
}

// zoneURL is where a file came from: HostUrl, else ReferrerUrl.
func zoneURL(contents string) string {
	if u := triage.ZoneValue(contents, "HostUrl"); u != "" {
		return u
	}
	return triage.ZoneValue(contents, "ReferrerUrl")
}

func incidentID(f *triage.Finding) string {
	if f.Incident == nil {
		return ""
	}
	return f.Incident.ID
}

// sentence tells a finding in words: "EXCEL.EXE on host WS-042 started
// cmd.exe (cmd /c ...), 2024-02-14T03:41:56Z, user ACME\bob".
func sentence(f *triage.Finding) string {
	e := f.Event
	parent := "an unknown process"
	if e.ParentImage != "" {
		if parent = triage.Name(e.ParentImage); parent == "" {
			parent = e.ParentImage
		}
	}
	name := f.Process.Name()
	if name == "" {
		name = e.Image
	}
	s := parent + " on host " + e.Host + " started " + name
	if e.CommandLine != "" {
		s += " (" + clip(e.CommandLine, 160) + ")"
	}
	s += ", " + fmtTime(e.Time)
	if e.User != "" {
		s += ", user " + e.User
	}
	if f.Cause != nil {
		s += "; the file was written by " + triage.Name(f.Cause.Image)
		if u := causeURL(f); u != "" {
			s += " from " + u
		}
	}
	return s
}
