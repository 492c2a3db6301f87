package triage

import (
	"fmt"
	"strings"
	"time"
)

// Condition is "field : (patterns...)" with EQL ':' semantics: true when
// the field is not null and any pattern matches the whole value.
type Condition struct {
	Field    string
	Patterns []string
	// SameAs, instead of Patterns, holds when Field equals another field
	// (case-insensitively), e.g. a process name against its PE original
	// file name.
	SameAs string
	// OneOf, instead of all the above, holds when any of its conditions
	// does: the one place a rule needs an "or" across fields.
	OneOf []Condition

	field, other int // indexes into ecsFields; other is -1 without SameAs
	// Patterns without wildcards are looked up by folded value; the rest
	// are tried in order.
	exact map[string]*Pattern
	wild  []Pattern
}

// SeverityIf raises (or lowers) a finding's severity when its conditions
// hold, e.g. a remote-access tool started by a browser rather than a service.
type SeverityIf struct {
	When     []Condition
	Severity string
}

// Step is an earlier event a rule needs on the same host: a file written
// (EID 11) or marked as downloaded (EID 15) at the path the process was
// started from, no more than Within before the start.
type Step struct {
	Kind   Kind
	When   []Condition
	Within time.Duration
}

// Rule is one detection. Every When condition must hold and no Unless
// condition may hold. A null field makes its condition false either way,
// as EQL's three-valued logic does for "not (null : x)".
type Rule struct {
	ID          string
	Title       string
	Description string
	Technique   string // ATT&CK id, e.g. T1204.002
	Severity    string // low, medium, high, critical
	Confidence  string // low, medium, high
	Kind        Kind   // the event kind the rule reads
	When        []Condition
	Unless      []Condition
	SeverityIf  []SeverityIf
	// After, when set, makes the rule a chain: it fires on a process start
	// only if a matching file event for the started image came first.
	After *Step
	// FalsePositives lists known benign causes and how to tune them.
	FalsePositives []string
	Examples       []Example
}

// Example is an event a rule must (Match) or must not fire on; Before is
// the earlier file event for chain rules.
type Example struct {
	Name   string
	Event  Event
	Before *Event
	Match  bool
}

// Match is one reason a rule fired: the field, the pattern and the value.
type Match struct {
	Field   string
	Pattern string
	Value   string
	Negated bool // an Unless condition that held by not matching
}

func (m Match) String() string {
	if m.Negated {
		return fmt.Sprintf("%s %q is not %s", m.Field, m.Value, m.Pattern)
	}
	return fmt.Sprintf("%s %q matches %s", m.Field, m.Value, m.Pattern)
}

// Compile resolves fields and patterns. It must be called before Eval.
func (r *Rule) Compile() error {
	if r.ID == "" {
		return fmt.Errorf("rule without id")
	}
	if len(r.When) == 0 {
		return fmt.Errorf("rule %s: no conditions", r.ID)
	}
	if len(r.Examples) == 0 {
		return fmt.Errorf("rule %s: no examples", r.ID)
	}
	if !validSeverity(r.Severity) {
		return fmt.Errorf("rule %s: severity %q is not low, medium, high or critical", r.ID, r.Severity)
	}
	sets := [][]Condition{r.When, r.Unless}
	for _, s := range r.SeverityIf {
		if !validSeverity(s.Severity) {
			return fmt.Errorf("rule %s: severity_if severity %q is not low, medium, high or critical", r.ID, s.Severity)
		}
		sets = append(sets, s.When)
	}
	if r.After != nil {
		if r.After.Kind != KindFileCreate && r.After.Kind != KindFileStream {
			return fmt.Errorf("rule %s: 'after' must be a file_create or file_stream event", r.ID)
		}
		if r.After.Within <= 0 {
			return fmt.Errorf("rule %s: 'after' needs a positive 'within'", r.ID)
		}
		sets = append(sets, r.After.When)
	}
	for _, set := range sets {
		for i := range set {
			if err := set[i].compile(); err != nil {
				return fmt.Errorf("rule %s: %w", r.ID, err)
			}
		}
	}
	return nil
}

func validSeverity(s string) bool {
	return LevelRank(s) > 0
}

// LevelRank orders severities and confidences (low < medium < high <
// critical); 0 means unknown.
func LevelRank(s string) int {
	switch s {
	case "low":
		return 1
	case "medium":
		return 2
	case "high":
		return 3
	case "critical":
		return 4
	}
	return 0
}

func (c *Condition) compile() error {
	if len(c.OneOf) > 0 {
		if c.Field != "" || len(c.Patterns) > 0 || c.SameAs != "" {
			return fmt.Errorf("one_of stands alone: no field, any or same_as beside it")
		}
		for i := range c.OneOf {
			if len(c.OneOf[i].OneOf) > 0 {
				return fmt.Errorf("one_of cannot nest")
			}
			if err := c.OneOf[i].compile(); err != nil {
				return err
			}
		}
		return nil
	}
	var err error
	if c.field, err = lookupField(c.Field); err != nil {
		return err
	}
	c.other = -1
	if c.SameAs != "" {
		if len(c.Patterns) > 0 {
			return fmt.Errorf("field %s: give either patterns or same_as, not both", c.Field)
		}
		if c.other, err = lookupField(c.SameAs); err != nil {
			return err
		}
		return nil
	}
	if len(c.Patterns) == 0 {
		return fmt.Errorf("field %s has no patterns", c.Field)
	}
	c.exact, c.wild = map[string]*Pattern{}, nil
	for _, text := range c.Patterns {
		p := Compile(text)
		if !p.exact {
			c.wild = append(c.wild, p)
			continue
		}
		if _, dup := c.exact[p.lower]; !dup { // the first spelling is the one quoted
			c.exact[p.lower] = &p
		}
	}
	return nil
}

// eval returns the first matching pattern and the field's value.
func (c *Condition) eval(fc *foldCache) (pattern, value string, ok bool) {
	if len(c.OneOf) > 0 {
		return c.evalOneOf(fc)
	}
	value = fc.value(c.field)
	if value == "" {
		return "", "", false
	}
	if c.other >= 0 {
		other := fc.value(c.other)
		return c.SameAs + " (" + other + ")", value, other != "" && fc.foldedValue(c.other) == fc.foldedValue(c.field)
	}
	fv := fc.foldedValue(c.field)
	if p, ok := c.exact[fv]; ok {
		return p.Text, value, true
	}
	for i := range c.wild {
		if c.wild[i].matchFolded(fv) {
			return c.wild[i].Text, value, true
		}
	}
	return "", value, false
}

// evalOneOf returns the first alternative that holds, naming its field in
// the pattern so the reason stays readable.
func (c *Condition) evalOneOf(fc *foldCache) (pattern, value string, ok bool) {
	for i := range c.OneOf {
		if p, v, ok := c.OneOf[i].eval(fc); ok {
			return c.OneOf[i].Field + " : " + p, v, true
		}
	}
	return "", "", false
}

// label names a condition in reasons.
func (c *Condition) label() string {
	if len(c.OneOf) == 0 {
		return c.Field
	}
	names := make([]string, len(c.OneOf))
	for i := range c.OneOf {
		names[i] = c.OneOf[i].Field
	}
	return "one of (" + strings.Join(names, ", ") + ")"
}

// Eval tests one event on its own (a chain rule's earlier step is checked
// by the caller) and says why it fired.
func (r *Rule) Eval(e *Event) ([]Match, bool) {
	return r.eval(newFoldCache().reset(e))
}

func (r *Rule) eval(fc *foldCache) ([]Match, bool) {
	e := fc.e
	if e.Kind != r.Kind {
		return nil, false
	}
	why, ok := evalAll(r.When, fc, nil)
	if !ok {
		return nil, false
	}
	for i := range r.Unless {
		c := &r.Unless[i]
		_, v, ok := c.eval(fc)
		if ok || (v == "" && len(c.OneOf) == 0) {
			return nil, false
		}
		pat := strings.Join(c.Patterns, ", ")
		switch {
		case c.SameAs != "":
			pat = c.SameAs + " (" + fc.value(c.other) + ")"
		case len(c.OneOf) > 0:
			continue // a failed "or" has no single value worth quoting
		}
		why = append(why, Match{Field: c.Field, Pattern: pat, Value: v, Negated: true})
	}
	return why, true
}

// evalAll requires every condition and appends what matched to why.
func evalAll(conds []Condition, fc *foldCache, why []Match) ([]Match, bool) {
	for i := range conds {
		p, v, ok := conds[i].eval(fc)
		if !ok {
			return nil, false
		}
		why = append(why, Match{Field: conds[i].label(), Pattern: p, Value: v})
	}
	return why, true
}

// StepMatches says whether an earlier file event satisfies the rule's
// After step for the process start e.
func (r *Rule) StepMatches(before, e *Event) ([]Match, bool) {
	s := r.After
	if s == nil || before.Kind != s.Kind || before.HostKey != e.HostKey {
		return nil, false
	}
	if d := e.Time.Sub(before.Time); d < 0 || d > s.Within {
		return nil, false
	}
	if fold(streamHost(before.TargetFilename)) != fold(e.Image) {
		return nil, false
	}
	why, ok := evalAll(s.When, newFoldCache().reset(before), nil)
	if !ok {
		return nil, false
	}
	for i := range why {
		why[i].Field = "before: " + why[i].Field
	}
	return append(why, Match{Field: "before: file.path", Pattern: "= process.executable", Value: before.TargetFilename}), true
}

// SeverityFor is the rule's severity for one event: the highest severity_if
// whose conditions hold, else the rule's own.
func (r *Rule) SeverityFor(e *Event) string {
	return r.severityFor(newFoldCache().reset(e))
}

func (r *Rule) severityFor(fc *foldCache) string {
	sev := r.Severity
	for _, s := range r.SeverityIf {
		if _, ok := evalAll(s.When, fc, nil); ok {
			sev = s.Severity
		}
	}
	return sev
}

// CheckExamples runs a rule's own examples and returns every one that does
// not come out as the rule says.
func (r *Rule) CheckExamples() []error {
	var errs []error
	for _, ex := range r.Examples {
		e := ex.Event
		if e.Kind == KindOther {
			e.Kind = r.Kind
		}
		_, got := r.Eval(&e)
		if got && r.After != nil {
			got = false
			if ex.Before != nil {
				b := *ex.Before
				if b.Kind == KindOther {
					b.Kind = r.After.Kind
				}
				_, got = r.StepMatches(&b, &e)
			}
		}
		if got != ex.Match {
			errs = append(errs, fmt.Errorf("rule %s example %q: fired=%v, want %v", r.ID, ex.Name, got, ex.Match))
		}
	}
	return errs
}
