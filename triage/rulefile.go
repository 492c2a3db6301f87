package triage

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed rules/default.yaml
var defaultRulesFS embed.FS

// DefaultRulesFile is the name the embedded rules are reported under.
const DefaultRulesFile = "rules/default.yaml (built in)"

// The rule file format (documented in the README and at the top of
// rules/default.yaml). Decoding is strict: an unknown key is an error.
type ruleFileSpec struct {
	Version int        `yaml:"version"`
	Rules   []ruleSpec `yaml:"rules"`
}

type ruleSpec struct {
	ID             string         `yaml:"id"`
	Title          string         `yaml:"title"`
	Description    string         `yaml:"description"`
	Technique      string         `yaml:"technique"`
	Severity       string         `yaml:"severity"`
	Confidence     string         `yaml:"confidence"`
	Event          string         `yaml:"event"`
	When           []condSpec     `yaml:"when"`
	Unless         []condSpec     `yaml:"unless"`
	SeverityIf     []severitySpec `yaml:"severity_if"`
	After          *stepSpec      `yaml:"after"`
	FalsePositives []string       `yaml:"false_positives"`
	Examples       []exampleSpec  `yaml:"examples"`
}

type condSpec struct {
	Field  string     `yaml:"field"`
	Any    []string   `yaml:"any"`
	SameAs string     `yaml:"same_as"`
	OneOf  []condSpec `yaml:"one_of"`
}

type severitySpec struct {
	When     []condSpec `yaml:"when"`
	Severity string     `yaml:"severity"`
}

type stepSpec struct {
	Event  string     `yaml:"event"`
	When   []condSpec `yaml:"when"`
	Within string     `yaml:"within"`
}

type exampleSpec struct {
	Name   string            `yaml:"name"`
	Match  *bool             `yaml:"match"`
	Event  map[string]string `yaml:"event"`
	Before map[string]string `yaml:"before"`
}

// RuleError locates a problem in a rule file.
type RuleError struct {
	File string
	Line int
	Err  error
}

func (e *RuleError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *RuleError) Unwrap() error { return e.Err }

// DefaultRulesYAML returns the embedded rule file as shipped.
func DefaultRulesYAML() []byte {
	data, _ := defaultRulesFS.ReadFile("rules/default.yaml")
	return data
}

// DefaultRules returns the embedded rules, compiled.
func DefaultRules() ([]*Rule, error) {
	data, err := defaultRulesFS.ReadFile("rules/default.yaml")
	if err != nil {
		return nil, err
	}
	return ParseRules(DefaultRulesFile, data)
}

// SeedRules returns the three rules of the seed rule.
func SeedRules() ([]*Rule, error) {
	all, err := DefaultRules()
	if err != nil {
		return nil, err
	}
	var seed []*Rule
	for _, r := range all {
		switch r.ID {
		case RuleOfficeSpawnsShell, RuleRATLaunch, RuleUserDirExe:
			seed = append(seed, r)
		}
	}
	return seed, nil
}

// ParseRules decodes, compiles and checks a rule file: every rule must
// carry examples that match and examples that do not, and they must come
// out as stated. Any problem fails the whole file, with its line.
func ParseRules(name string, data []byte) ([]*Rule, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var spec ruleFileSpec
	if err := dec.Decode(&spec); err != nil {
		return nil, &RuleError{File: name, Err: err}
	}
	if spec.Version != 1 {
		return nil, &RuleError{File: name, Line: 1, Err: fmt.Errorf("version %d is not supported (want 1)", spec.Version)}
	}
	lines := ruleLines(data)
	seen := map[string]int{}
	rules := make([]*Rule, 0, len(spec.Rules))
	for i, rs := range spec.Rules {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		if prev, dup := seen[rs.ID]; dup {
			return nil, &RuleError{File: name, Line: line, Err: fmt.Errorf("rule %s is defined twice (first at line %d)", rs.ID, prev)}
		}
		seen[rs.ID] = line
		r, err := rs.build()
		if err == nil {
			err = r.Compile()
		}
		if err == nil {
			if errs := r.checkExampleBalance(); len(errs) > 0 {
				err = errors.Join(errs...)
			}
		}
		if err != nil {
			return nil, &RuleError{File: name, Line: line, Err: err}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// MergeRules overlays extra rules on base: a rule with an existing id
// replaces it, a new id is added at the end.
func MergeRules(base, extra []*Rule) []*Rule {
	idx := map[string]int{}
	out := append([]*Rule(nil), base...)
	for i, r := range out {
		idx[r.ID] = i
	}
	for _, r := range extra {
		if i, ok := idx[r.ID]; ok {
			out[i] = r
			continue
		}
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	return out
}

func (r *Rule) checkExampleBalance() []error {
	var pos, neg int
	for _, ex := range r.Examples {
		if ex.Match {
			pos++
		} else {
			neg++
		}
	}
	var errs []error
	if pos == 0 || neg == 0 {
		errs = append(errs, fmt.Errorf("rule %s needs examples that match and examples that do not (has %d and %d)", r.ID, pos, neg))
	}
	return append(errs, r.CheckExamples()...)
}

// ruleLines finds the line each rule starts on, for error messages.
func ruleLines(data []byte) []int { return sectionLines(data, "rules") }

func parseKind(s string) (Kind, error) {
	switch s {
	case "process_start":
		return KindProcessStart, nil
	case "process_end":
		return KindProcessEnd, nil
	case "file_create":
		return KindFileCreate, nil
	case "file_stream":
		return KindFileStream, nil
	}
	return KindOther, fmt.Errorf("event %q is not process_start, process_end, file_create or file_stream", s)
}

func conds(specs []condSpec) []Condition {
	out := make([]Condition, len(specs))
	for i, c := range specs {
		out[i] = Condition{Field: c.Field, Patterns: c.Any, SameAs: c.SameAs, OneOf: conds(c.OneOf)}
	}
	return out
}

func (rs ruleSpec) build() (*Rule, error) {
	kind, err := parseKind(rs.Event)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", rs.ID, err)
	}
	r := &Rule{ID: rs.ID, Title: rs.Title, Description: strings.TrimSpace(rs.Description), Technique: rs.Technique,
		Severity: rs.Severity, Confidence: rs.Confidence, Kind: kind, When: conds(rs.When), Unless: conds(rs.Unless),
		FalsePositives: rs.FalsePositives}
	if r.Title == "" || r.Technique == "" {
		return nil, fmt.Errorf("rule %s: title and technique are required", rs.ID)
	}
	for _, s := range rs.SeverityIf {
		r.SeverityIf = append(r.SeverityIf, SeverityIf{When: conds(s.When), Severity: s.Severity})
	}
	if rs.After != nil {
		k, err := parseKind(rs.After.Event)
		if err != nil {
			return nil, fmt.Errorf("rule %s: after: %w", rs.ID, err)
		}
		within, err := time.ParseDuration(rs.After.Within)
		if err != nil {
			return nil, fmt.Errorf("rule %s: after.within: %w", rs.ID, err)
		}
		r.After = &Step{Kind: k, When: conds(rs.After.When), Within: within}
	}
	for _, ex := range rs.Examples {
		if ex.Match == nil {
			return nil, fmt.Errorf("rule %s: example %q needs match: true or false", rs.ID, ex.Name)
		}
		e, err := exampleEvent(ex.Event)
		if err != nil {
			return nil, fmt.Errorf("rule %s: example %q: %w", rs.ID, ex.Name, err)
		}
		x := Example{Name: ex.Name, Event: e, Match: *ex.Match}
		if ex.Before != nil {
			b, err := exampleEvent(ex.Before)
			if err != nil {
				return nil, fmt.Errorf("rule %s: example %q before: %w", rs.ID, ex.Name, err)
			}
			x.Before = &b
		}
		r.Examples = append(r.Examples, x)
	}
	return r, nil
}

// exampleSetters fill an example event from the same ECS names rules use.
func exampleSetters() map[string]func(*Event, string) {
	return map[string]func(*Event, string){
		"process.executable":               func(e *Event, v string) { e.Image = v },
		"process.command_line":             func(e *Event, v string) { e.CommandLine = v },
		"process.pe.original_file_name":    func(e *Event, v string) { e.OriginalFileName = v },
		"process.pe.company":               func(e *Event, v string) { e.Company = v },
		"process.pe.product":               func(e *Event, v string) { e.Product = v },
		"process.pe.description":           func(e *Event, v string) { e.Description = v },
		"process.working_directory":        func(e *Event, v string) { e.CurrentDirectory = v },
		"process.parent.executable":        func(e *Event, v string) { e.ParentImage = v },
		"process.parent.command_line":      func(e *Event, v string) { e.ParentCommandLine = v },
		"process.parent.parent.executable": func(e *Event, v string) { e.GrandparentImage = v },
		"user.name":                        func(e *Event, v string) { e.User = v },
		"host.name":                        func(e *Event, v string) { e.HostKey = strings.ToLower(v) },
		"file.path":                        func(e *Event, v string) { e.TargetFilename = v },
		"file.zone.contents":               func(e *Event, v string) { e.Contents = v },
	}
}

func exampleEvent(fields map[string]string) (Event, error) {
	set := exampleSetters()
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var e Event
	for _, k := range keys {
		f, ok := set[k]
		if !ok {
			return e, fmt.Errorf("example field %q cannot be set (use one of the source fields, e.g. process.executable rather than process.name)", k)
		}
		f(&e, fields[k])
	}
	return e, nil
}
