package report

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clicktrail/clicktrail/triage"
)

// The HTML is rendered from this view model, never from triage types
// directly, so the template holds no logic worth testing on its own.
type htmlView struct {
	Title       string
	Meta        Meta
	CSP         string
	Generated   string
	Started     string
	Finished    string
	Command     string
	Findings    []findingView
	ByRule      []countRow
	ByHost      []countRow
	Files       []fileView
	Warnings    []string
	Rules       []ruleView
	NumFiles    int
	NumEvents   int
	NumHosts    int
	Duplicates  int
	FirstTime   string
	LastTime    string
	Fallback    []string
	ProcStarts  int
	Orphans     int
	OrphanShare string
}

type countRow struct {
	Key   string
	Count int
}

type findingView struct {
	Index      int
	ID         string
	Rule       string
	Title      string
	Severity   string
	Technique  string
	Time       string
	Host       string
	User       string
	Image      string
	Command    string
	Sentence   string
	Why        []whyView
	Tree       []nodeView
	Truncated  bool
	Files      []fileEventView
	Source     string
	Record     uint64
	FalsePos   []string
	SearchText string
}

type whyView struct {
	Field, Pattern, Value string
	Negated               bool
}

type nodeView struct {
	Depth       int
	Indent      string // CSS padding, computed here so the template stays dumb
	Role        string // ancestor, hit, descendant
	Name        string
	Image       string
	Command     string
	User        string
	Integrity   string
	Hashes      string
	GUID        string
	PID         uint64
	Start       string
	End         string
	Synthesised bool
}

type fileEventView struct {
	Time, Process, Kind, Target, Contents string
}

type fileView struct {
	Path, SHA256, Parser, First, Last, FirstError, EIDs string
	Size                                                int64
	Records, ProcessCreates, FileCreates, Sec4688       int
	Chunks, BadChunks, Errors                           int
	Dirty, Unreadable                                   bool
}

type ruleView struct {
	ID, Title, Technique, Severity, Confidence, Description string
	Conditions                                              []string
}

// visible makes attacker-chosen text safe to look at as well as to render:
// bidirectional overrides, NULs and other control characters become
// visible escapes, so a right-to-left override cannot disguise a file name
// and a NUL cannot hide the rest of a command line. Invalid UTF-8 shows as
// U+FFFD.
func visible(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || isHidden(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i, w := 0, 0; i < len(s); i += w {
		r, size := utf8.DecodeRuneInString(s[i:])
		w = size
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, "\\x%02X", s[i])
		case isHidden(r):
			fmt.Fprintf(&b, "[U+%04X]", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isHidden(r rune) bool {
	switch {
	case r == '\t':
		return false
	case r < 0x20, r == 0x7f:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0xfeff:
		return true
	}
	return unicode.Is(unicode.Cf, r) && r != 0xad
}

func buildView(in *Input, csp string) *htmlView {
	res := in.Result
	v := &htmlView{
		Title:      "clicktrail report",
		Meta:       in.Meta,
		CSP:        csp,
		Started:    fmtTime(in.Meta.Started),
		Finished:   fmtTime(in.Meta.Finished),
		Command:    visible(strings.Join(quoteArgs(in.Meta.Command), " ")),
		NumFiles:   len(res.Files),
		Duplicates: res.Duplicates,
		Fallback:   res.FallbackHosts,
	}
	v.NumEvents = len(res.Events)
	hosts := map[string]bool{}
	byRule := map[string]int{}
	byHost := map[string]int{}
	for _, e := range res.Events {
		hosts[e.HostKey] = true
	}
	v.NumHosts = len(hosts)
	if len(res.Events) > 0 {
		v.FirstTime = fmtTime(res.Events[0].Time)
		v.LastTime = fmtTime(res.Events[len(res.Events)-1].Time)
	}
	for i, f := range res.Findings {
		byRule[f.Rule.ID]++
		byHost[f.Event.Host]++
		v.Findings = append(v.Findings, buildFinding(i+1, f))
	}
	v.ByRule = sortedCounts(byRule)
	v.ByHost = sortedCounts(byHost)
	for _, p := range res.Processes {
		if p.StartEvent == nil {
			continue
		}
		v.ProcStarts++
		if p.Parent == nil || p.Parent.Synthesised {
			v.Orphans++
		}
	}
	if v.ProcStarts > 0 {
		v.OrphanShare = fmt.Sprintf("%.1f%%", 100*float64(v.Orphans)/float64(v.ProcStarts))
	}
	sysmonStarts := 0
	for _, c := range res.Files {
		sysmonStarts += c.SysmonProcessCreates
		v.Files = append(v.Files, buildFile(c))
	}
	v.Warnings = warnings(res, sysmonStarts)
	for _, r := range res.Rules {
		rv := ruleView{ID: r.ID, Title: r.Title, Technique: r.Technique, Severity: r.Severity,
			Confidence: r.Confidence, Description: r.Description}
		for _, c := range r.When {
			rv.Conditions = append(rv.Conditions, c.Field+" : ("+strings.Join(c.Patterns, ", ")+")")
		}
		for _, c := range r.Unless {
			rv.Conditions = append(rv.Conditions, "not "+c.Field+" : ("+strings.Join(c.Patterns, ", ")+")")
		}
		v.Rules = append(v.Rules, rv)
	}
	return v
}

func warnings(res *triage.Result, sysmonStarts int) []string {
	var w []string
	if len(res.Files) == 0 {
		w = append(w, "No input file was found: nothing was examined.")
	}
	if sysmonStarts == 0 && len(res.Files) > 0 {
		if len(res.FallbackHosts) > 0 {
			w = append(w, "No Sysmon process-create events (Event ID 1) were found; process activity comes from Security 4688 only, which has no process GUIDs, hashes or (before Windows 10) parent names.")
		} else {
			w = append(w, "No process-creation events (Sysmon Event ID 1 or Security 4688) were found: these logs cannot show whether a user ran something. An empty result here is not evidence of absence.")
		}
	}
	for _, c := range res.Files {
		if c.ReadError != "" {
			w = append(w, fmt.Sprintf("%s could not be read: %s", visible(c.Path), visible(c.ReadError)))
		} else if len(c.Errors) > 0 || c.BadChunks > 0 {
			w = append(w, fmt.Sprintf("%s is damaged: %d bad chunk(s), %d error(s); records that could be read were used.", visible(c.Path), c.BadChunks, len(c.Errors)))
		}
	}
	return w
}

func buildFinding(i int, f *triage.Finding) findingView {
	e := f.Event
	fv := findingView{
		Index: i, ID: fmt.Sprintf("f%d", i), Rule: f.Rule.ID, Title: f.Rule.Title, Severity: f.Rule.Severity,
		Technique: f.Rule.Technique, Time: fmtTime(e.Time), Host: visible(e.Host), User: visible(e.User),
		Image: visible(e.Image), Command: visible(e.CommandLine), Source: visible(e.File), Record: e.RecordID,
		FalsePos: f.Rule.FalsePositives, Truncated: f.DescendantsTruncated,
	}
	parent := "an unknown process"
	if e.ParentImage != "" {
		parent = triage.Name(e.ParentImage)
		if parent == "" {
			parent = e.ParentImage
		}
	}
	name := f.Process.Name()
	if name == "" {
		name = e.Image
	}
	fv.Sentence = visible(fmt.Sprintf("%s on host %s started %s", parent, e.Host, name))
	if e.CommandLine != "" {
		fv.Sentence += visible(" (" + clip(e.CommandLine, 160) + ")")
	}
	fv.Sentence += ", " + fmtTime(e.Time)
	if e.User != "" {
		fv.Sentence += visible(", user " + e.User)
	}
	for _, m := range f.Why {
		fv.Why = append(fv.Why, whyView{Field: m.Field, Pattern: m.Pattern, Value: visible(m.Value), Negated: m.Negated})
	}
	for _, a := range f.Ancestors {
		fv.Tree = append(fv.Tree, node(a, len(fv.Tree), "ancestor"))
	}
	base := len(fv.Tree)
	fv.Tree = append(fv.Tree, node(f.Process, base, "hit"))
	procs := append(append([]*triage.Process(nil), f.Ancestors...), f.Process)
	for _, d := range f.Descendants {
		fv.Tree = append(fv.Tree, node(d.Process, base+d.Depth, "descendant"))
		procs = append(procs, d.Process)
	}
	for _, p := range procs {
		for _, fe := range p.Files {
			fv.Files = append(fv.Files, fileEventView{Time: fmtTime(fe.Time), Process: visible(p.Name()),
				Kind: fe.Kind.String(), Target: visible(fe.TargetFilename), Contents: visible(fe.Contents)})
		}
	}
	fv.SearchText = strings.ToLower(strings.Join([]string{fv.Rule, fv.Host, fv.User, fv.Image, fv.Command, fv.Severity}, " "))
	return fv
}

func node(p *triage.Process, depth int, role string) nodeView {
	n := nodeView{Depth: depth, Indent: fmt.Sprintf("%.1fem", 1.4*float64(depth)), Role: role,
		Name: visible(p.Name()), Image: visible(p.Image), Command: visible(p.CommandLine), User: visible(p.User),
		Integrity: visible(p.IntegrityLevel), Hashes: visible(p.Hashes), GUID: guid(p.GUID), PID: p.PID,
		Start: fmtTime(p.Start), End: fmtTime(p.End), Synthesised: p.Synthesised}
	if n.Name == "" {
		n.Name = n.Image
	}
	if n.Name == "" {
		n.Name = "(unknown process)"
	}
	return n
}

func buildFile(c *triage.FileCoverage) fileView {
	fv := fileView{Path: visible(c.Path), SHA256: c.SHA256, Parser: c.Parser, Size: c.Size, Records: c.Records,
		ProcessCreates: c.SysmonProcessCreates, FileCreates: c.SysmonFileCreates, Sec4688: c.Security4688,
		Chunks: c.Chunks, BadChunks: c.BadChunks, Errors: len(c.Errors), Dirty: c.Dirty,
		First: fmtTime(c.FirstTime), Last: fmtTime(c.LastTime), Unreadable: c.ReadError != ""}
	if c.ReadError != "" {
		fv.FirstError = visible(c.ReadError)
		fv.Errors++
	} else if len(c.Errors) > 0 {
		fv.FirstError = visible(c.Errors[0])
	}
	ids := make([]int, 0, len(c.SysmonEIDs))
	for id := range c.SysmonEIDs {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprintf("%d×%d", id, c.SysmonEIDs[uint16(id)])
	}
	fv.EIDs = strings.Join(parts, " ")
	return fv
}

func sortedCounts(m map[string]int) []countRow {
	rows := make([]countRow, 0, len(m))
	for k, n := range m {
		rows = append(rows, countRow{Key: visible(k), Count: n})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Count != rows[j].Count {
			return rows[i].Count > rows[j].Count
		}
		return rows[i].Key < rows[j].Key
	})
	return rows
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func quoteArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'\\$`") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[i] = a
	}
	return out
}
