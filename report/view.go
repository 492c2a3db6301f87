package report

import (
	"fmt"
	"sort"
	"strings"
	"time"
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
	Started     string
	Finished    string
	Command     string
	Zone        string
	Incidents   []incidentView
	Findings    int
	ByRule      []countRow
	ByHost      []countRow
	BySeverity  []countRow
	Files       []fileView
	Warnings    []string
	Rules       []ruleView
	Sources     []Source
	Suppressed  []suppressedView
	Sequences   []sequenceView
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

type incidentView struct {
	ID          string
	Severity    string
	Confidence  string
	Host        string
	First       string
	Last        string
	Local       string
	Sentence    string
	Rules       string
	RuleIDs     string // space-separated, for the filter script
	Techniques  string
	Tree        []nodeView
	Truncated   bool
	Findings    []findingView
	Files       []fileEventView
	Timeline    []timelineRow
	TimelineCut bool
	SearchText  string
}

type findingView struct {
	ID          string
	Rule        string
	Title       string
	Severity    string
	Confidence  string
	Technique   string
	Time        string
	Host        string
	User        string
	Image       string
	Command     string
	Sentence    string
	Why         []whyView
	Cause       *causeView
	Source      string
	Record      uint64
	Offset      int64
	Carved      bool
	FalsePos    []string
	Description string
}

type causeView struct {
	Time, Kind, Process, File, URL, Referrer, Source string
	Record                                           uint64
}

type whyView struct {
	Field, Pattern, Value string
	Negated               bool
}

type nodeView struct {
	Depth       int
	Indent      string // CSS padding, computed here so the template stays dumb
	Role        string // ancestor, hit, descendant
	Rules       string // rules that fired on this process
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
	Time, Process, Kind, Target, URL, Contents string
}

type timelineRow struct {
	Time, Kind, Process, Detail string
	Hit                         bool
}

type fileView struct {
	Path, SHA256, Parser, First, Last, FirstError, EIDs, Gaps string
	Size                                                      int64
	Records, ProcessCreates, FileCreates, Sec4688             int
	Chunks, BadChunks, Errors                                 int
	Missing                                                   uint64
	Orphans                                                   string
	Dirty, Unreadable                                         bool
}

type ruleView struct {
	ID, Title, Technique, Severity, Confidence, Description string
	Conditions                                              []string
	FalsePos                                                []string
}

type suppressedView struct {
	Rule, Time, Host, Image, Command, Entry string
}

type sequenceView struct {
	Host  string
	Steps []string
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
		Findings:   len(res.Findings),
		Sources:    in.Meta.RuleSources,
	}
	if in.Meta.Zone != nil {
		v.Zone = in.Meta.Zone.String()
	}
	v.NumEvents = len(res.Events)
	hosts := map[string]bool{}
	for _, e := range res.Events {
		hosts[e.HostKey] = true
	}
	v.NumHosts = len(hosts)
	if len(res.Events) > 0 {
		v.FirstTime = fmtTime(res.Events[0].Time)
		v.LastTime = fmtTime(res.Events[len(res.Events)-1].Time)
	}
	byRule, byHost, bySev := map[string]int{}, map[string]int{}, map[string]int{}
	for _, f := range res.Findings {
		byRule[f.Rule.ID]++
		byHost[f.Event.Host]++
	}
	for _, inc := range res.Incidents {
		bySev[inc.Severity]++
		v.Incidents = append(v.Incidents, buildIncident(res, inc, in.Meta.Zone))
	}
	v.ByRule, v.ByHost, v.BySeverity = sortedCounts(byRule), sortedCounts(byHost), sortedCounts(bySev)
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
		v.Rules = append(v.Rules, buildRule(r))
	}
	for _, s := range res.Suppressed {
		e := s.Finding.Event
		v.Suppressed = append(v.Suppressed, suppressedView{Rule: s.Finding.Rule.ID, Time: fmtTime(e.Time), Host: visible(e.Host),
			Image: visible(e.Image), Command: visible(e.CommandLine), Entry: visible(s.Entry.String())})
	}
	for _, sq := range res.Sequences {
		sv := sequenceView{Host: visible(sq.HostKey)}
		for _, e := range sq.Steps {
			sv.Steps = append(sv.Steps, visible(fmtTime(e.Time)+" "+e.Image))
		}
		v.Sequences = append(v.Sequences, sv)
	}
	return v
}

func buildRule(r *triage.Rule) ruleView {
	rv := ruleView{ID: r.ID, Title: r.Title, Technique: r.Technique, Severity: r.Severity,
		Confidence: r.Confidence, Description: r.Description, FalsePos: r.FalsePositives}
	cond := func(prefix string, c triage.Condition) string {
		switch {
		case len(c.OneOf) > 0:
			parts := make([]string, len(c.OneOf))
			for i, o := range c.OneOf {
				parts[i] = o.Field + " : (" + strings.Join(o.Patterns, ", ") + ")"
			}
			return prefix + "one of: " + strings.Join(parts, " OR ")
		case c.SameAs != "":
			return prefix + c.Field + " == " + c.SameAs
		}
		return prefix + c.Field + " : (" + strings.Join(c.Patterns, ", ") + ")"
	}
	if r.After != nil {
		for _, c := range r.After.When {
			rv.Conditions = append(rv.Conditions, cond("before ("+r.After.Kind.String()+" of the same file, within "+r.After.Within.String()+"): ", c))
		}
	}
	for _, c := range r.When {
		rv.Conditions = append(rv.Conditions, cond("", c))
	}
	for _, c := range r.Unless {
		rv.Conditions = append(rv.Conditions, cond("not ", c))
	}
	for _, s := range r.SeverityIf {
		for _, c := range s.When {
			rv.Conditions = append(rv.Conditions, cond("severity "+s.Severity+" if ", c))
		}
	}
	return rv
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
		switch {
		case c.ReadError != "":
			w = append(w, fmt.Sprintf("%s could not be read: %s", visible(c.Path), visible(c.ReadError)))
		case len(c.Errors) > 0 || c.BadChunks > 0:
			w = append(w, fmt.Sprintf("%s is damaged: %d bad chunk(s), %d error(s); every record that could be read was used.", visible(c.Path), c.BadChunks, len(c.Errors)))
		}
		if c.MissingRecords > 0 {
			w = append(w, fmt.Sprintf("%s has gaps in its EventRecordIDs (%d record(s) missing: %s): records were cleared, overwritten or sit in unreadable chunks, and events in those gaps are not in this report.",
				visible(c.Path), c.MissingRecords, gapList(c.RecordGaps)))
		}
	}
	for _, e := range res.Clears {
		who := ""
		if e.User != "" {
			who = " by " + e.User
		}
		switch e.Kind {
		case triage.KindLogCleared:
			w = append(w, visible(fmt.Sprintf("Host %s: the %s log was cleared%s at %s (event %d, record %d in %s): what it held before then is gone, and its absence here proves nothing.",
				e.Host, e.ClearedLog, who, fmtTime(e.Time), e.EventID, e.RecordID, e.File)))
		case triage.KindSysmonStopped:
			w = append(w, visible(fmt.Sprintf("Host %s: the Sysmon service stopped at %s (record %d in %s): nothing after that is logged until it starts again.",
				e.Host, fmtTime(e.Time), e.RecordID, e.File)))
		}
	}
	perHost := map[string]int{}
	for _, g := range res.TimeGaps {
		if perHost[g.HostKey]++; perHost[g.HostKey] > 3 {
			continue // the coverage table has the spans; three make the point
		}
		w = append(w, fmt.Sprintf("Host %s: no process or file event from %s to %s (%s): a cleared or rolled-over log, a stopped Sysmon, or the machine was off; nothing in that time can be seen.",
			visible(g.HostKey), fmtTime(g.From), fmtTime(g.To), g.To.Sub(g.From).Round(time.Hour)))
	}
	hosts := make([]string, 0, len(perHost))
	for h := range perHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		if n := perHost[h]; n > 3 {
			w = append(w, fmt.Sprintf("Host %s: %d more such gaps.", visible(h), n-3))
		}
	}
	for _, s := range res.Warnings {
		w = append(w, visible(s))
	}
	return w
}

func buildIncident(res *triage.Result, inc *triage.Incident, zone *time.Location) incidentView {
	iv := incidentView{ID: inc.ID, Severity: inc.Severity, Host: visible(inc.Host), First: fmtTime(inc.First),
		Last: fmtTime(inc.Last), Rules: strings.Join(inc.Rules(), ", "), RuleIDs: strings.Join(inc.Rules(), " "), Techniques: strings.Join(inc.Techniques(), ", ")}
	if zone != nil {
		iv.Local = inc.First.In(zone).Format("2006-01-02 15:04:05 MST")
	}
	iv.Sentence = visible(sentence(inc.Root))
	iv.Confidence = inc.Confidence
	hitRules := map[*triage.Process][]string{}
	for i, f := range inc.Findings {
		iv.Findings = append(iv.Findings, buildFinding(fmt.Sprintf("%s-%d", inc.ID, i+1), f))
		hitRules[f.Process] = append(hitRules[f.Process], f.Rule.ID)
	}
	root := inc.Root
	for _, a := range root.Ancestors {
		iv.Tree = append(iv.Tree, node(a, len(iv.Tree), "ancestor", hitRules[a]))
	}
	base := len(iv.Tree)
	iv.Tree = append(iv.Tree, node(root.Process, base, "hit", hitRules[root.Process]))
	procs := append(append([]*triage.Process(nil), root.Ancestors...), root.Process)
	for _, d := range root.Descendants {
		role := "descendant"
		if len(hitRules[d.Process]) > 0 {
			role = "hit"
		}
		iv.Tree = append(iv.Tree, node(d.Process, base+d.Depth, role, hitRules[d.Process]))
		procs = append(procs, d.Process)
	}
	iv.Truncated = root.DescendantsTruncated
	for _, p := range procs {
		for _, fe := range p.Files {
			iv.Files = append(iv.Files, fileEventView{Time: fmtTime(fe.Time), Process: visible(p.Name()),
				Kind: fe.Kind.String(), Target: visible(fe.TargetFilename), URL: visible(zoneURL(fe.Contents)), Contents: visible(fe.Contents)})
		}
	}
	hits := map[*triage.Event]bool{}
	for _, f := range inc.Findings {
		hits[f.Event] = true
	}
	events, cut := res.Timeline(inc, 5*time.Minute, 15*time.Minute, 200)
	for _, e := range events {
		row := timelineRow{Time: fmtTime(e.Time), Kind: e.Kind.String(), Process: visible(triage.Name(e.Image)), Hit: hits[e]}
		switch e.Kind {
		case triage.KindProcessStart:
			row.Detail = visible(clip(e.CommandLine, 300))
			if row.Detail == "" {
				row.Detail = visible(e.Image)
			}
			row.Process = visible(triage.Name(e.ParentImage) + " → " + triage.Name(e.Image))
		case triage.KindFileCreate, triage.KindFileStream:
			row.Detail = visible(e.TargetFilename)
		default:
			row.Detail = visible(e.Image)
		}
		iv.Timeline = append(iv.Timeline, row)
	}
	iv.TimelineCut = cut
	iv.SearchText = strings.ToLower(visible(strings.Join([]string{inc.ID, iv.Rules, inc.Host, inc.Severity, sentence(inc.Root)}, " ")))
	return iv
}

func buildFinding(id string, f *triage.Finding) findingView {
	e := f.Event
	fv := findingView{
		ID: id, Rule: f.Rule.ID, Title: f.Rule.Title, Severity: f.Severity, Confidence: f.Rule.Confidence,
		Technique: f.Rule.Technique, Time: fmtTime(e.Time), Host: visible(e.Host), User: visible(e.User),
		Image: visible(e.Image), Command: visible(e.CommandLine), Source: visible(e.File), Record: e.RecordID,
		Offset: e.Offset, Carved: e.Carved, FalsePos: f.Rule.FalsePositives, Description: f.Rule.Description,
		Sentence: visible(sentence(f)),
	}
	for _, m := range f.Why {
		fv.Why = append(fv.Why, whyView{Field: m.Field, Pattern: visible(m.Pattern), Value: visible(m.Value), Negated: m.Negated})
	}
	if c := f.Cause; c != nil {
		fv.Cause = &causeView{Time: fmtTime(c.Time), Kind: c.Kind.String(), Process: visible(c.Image), File: visible(c.TargetFilename),
			URL: visible(causeURL(f)), Source: visible(c.File), Record: c.RecordID}
	}
	return fv
}

func node(p *triage.Process, depth int, role string, rules []string) nodeView {
	n := nodeView{Depth: depth, Indent: fmt.Sprintf("%.1fem", 1.4*float64(depth)), Role: role, Rules: strings.Join(rules, ", "),
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
		First: fmtTime(c.FirstTime), Last: fmtTime(c.LastTime), Unreadable: c.ReadError != "",
		Missing: c.MissingRecords, Gaps: gapList(c.RecordGaps)}
	if c.ProcessStarts > 0 {
		fv.Orphans = fmt.Sprintf("%d of %d (%.0f%%)", c.OrphanStarts, c.ProcessStarts, 100*float64(c.OrphanStarts)/float64(c.ProcessStarts))
	}
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
