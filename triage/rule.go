package triage

import (
	"fmt"
	"strings"
)

// Condition is "field : (patterns...)" with EQL ':' semantics: true when
// the field is not null and any pattern matches the whole value.
type Condition struct {
	Field    string
	Patterns []string

	get      fieldGetter
	compiled []Pattern
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
	// FalsePositives lists known benign causes and how to tune them.
	FalsePositives []string
	Examples       []Example
}

// Example is an event a rule must (Match) or must not fire on.
type Example struct {
	Name  string
	Event Event
	Match bool
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
	for _, set := range [][]Condition{r.When, r.Unless} {
		for i := range set {
			c := &set[i]
			g, err := lookupField(c.Field)
			if err != nil {
				return fmt.Errorf("rule %s: %w", r.ID, err)
			}
			if len(c.Patterns) == 0 {
				return fmt.Errorf("rule %s: field %s has no patterns", r.ID, c.Field)
			}
			c.get = g
			c.compiled = c.compiled[:0]
			for _, p := range c.Patterns {
				c.compiled = append(c.compiled, Compile(p))
			}
		}
	}
	return nil
}

// eval returns the first matching pattern and the field's value.
func (c *Condition) eval(e *Event) (pattern, value string, ok bool) {
	value = c.get(e)
	if value == "" {
		return "", "", false
	}
	for _, p := range c.compiled {
		if p.Match(value) {
			return p.Text, value, true
		}
	}
	return "", value, false
}

// Eval tests one event and says why it fired.
func (r *Rule) Eval(e *Event) ([]Match, bool) {
	if e.Kind != r.Kind {
		return nil, false
	}
	why := make([]Match, 0, len(r.When)+len(r.Unless))
	for i := range r.When {
		p, v, ok := r.When[i].eval(e)
		if !ok {
			return nil, false
		}
		why = append(why, Match{Field: r.When[i].Field, Pattern: p, Value: v})
	}
	for i := range r.Unless {
		c := &r.Unless[i]
		p, v, ok := c.eval(e)
		if ok || v == "" {
			return nil, false
		}
		_ = p
		why = append(why, Match{Field: c.Field, Pattern: strings.Join(c.Patterns, ", "), Value: v, Negated: true})
	}
	return why, true
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
		if _, got := r.Eval(&e); got != ex.Match {
			errs = append(errs, fmt.Errorf("rule %s example %q: fired=%v, want %v", r.ID, ex.Name, got, ex.Match))
		}
	}
	return errs
}
