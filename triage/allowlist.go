package triage

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// AllowEntry suppresses findings it matches. Every field given must match
// (patterns use the same ':' semantics as rules); a Reason is required so
// the report can say why a finding was set aside.
type AllowEntry struct {
	File        string
	Line        int
	Reason      string
	Rule        string // rule id pattern
	Parent      string // process.parent.name pattern
	Child       string // process.name pattern
	Path        string // process.executable pattern
	CommandLine string // process.command_line pattern
	Hash        string // a hash value that must appear in the event's Hashes
	Host        string // host name pattern
	User        string // user.name pattern
	Expires     time.Time

	pats map[string]Pattern
}

// Suppressed is a finding set aside by an allowlist entry.
type Suppressed struct {
	Finding *Finding
	Entry   *AllowEntry
}

type allowFileSpec struct {
	Version int         `yaml:"version"`
	Allow   []allowSpec `yaml:"allow"`
}

type allowSpec struct {
	Reason      string `yaml:"reason"`
	Rule        string `yaml:"rule"`
	Parent      string `yaml:"parent"`
	Child       string `yaml:"child"`
	Path        string `yaml:"path"`
	CommandLine string `yaml:"command_line"`
	Hash        string `yaml:"hash"`
	Host        string `yaml:"host"`
	User        string `yaml:"user"`
	Expires     string `yaml:"expires"`
}

// ParseAllowlist decodes an allowlist file strictly; problems name the line.
func ParseAllowlist(name string, data []byte) ([]*AllowEntry, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var spec allowFileSpec
	if err := dec.Decode(&spec); err != nil {
		return nil, &RuleError{File: name, Err: err}
	}
	if spec.Version != 1 {
		return nil, &RuleError{File: name, Line: 1, Err: fmt.Errorf("version %d is not supported (want 1)", spec.Version)}
	}
	lines := sectionLines(data, "allow")
	var out []*AllowEntry
	for i, s := range spec.Allow {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		a := &AllowEntry{File: name, Line: line, Reason: strings.TrimSpace(s.Reason), Rule: s.Rule, Parent: s.Parent,
			Child: s.Child, Path: s.Path, CommandLine: s.CommandLine, Hash: strings.TrimSpace(s.Hash), Host: s.Host, User: s.User}
		if a.Reason == "" {
			return nil, &RuleError{File: name, Line: line, Err: fmt.Errorf("allow entry needs a reason")}
		}
		if s.Expires != "" {
			t, err := time.Parse("2006-01-02", s.Expires)
			if err != nil {
				return nil, &RuleError{File: name, Line: line, Err: fmt.Errorf("expires %q is not a date like 2027-01-31", s.Expires)}
			}
			a.Expires = t.Add(24 * time.Hour) // valid through the day named
		}
		a.pats = map[string]Pattern{}
		for k, v := range map[string]string{"rule": a.Rule, "parent": a.Parent, "child": a.Child, "path": a.Path,
			"command_line": a.CommandLine, "host": a.Host, "user": a.User} {
			if v != "" {
				a.pats[k] = Compile(v)
			}
		}
		if len(a.pats) == 0 && a.Hash == "" {
			return nil, &RuleError{File: name, Line: line, Err: fmt.Errorf("allow entry matches everything: give at least one of rule, parent, child, path, command_line, hash, host, user")}
		}
		out = append(out, a)
	}
	return out, nil
}

// sectionLines finds the line each item of the top-level list key starts
// on, for error messages.
func sectionLines(data []byte, key string) []int {
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			var lines []int
			for _, n := range m.Content[i+1].Content {
				lines = append(lines, n.Line)
			}
			return lines
		}
	}
	return nil
}

// String names the entry in reports.
func (a *AllowEntry) String() string {
	return fmt.Sprintf("%s:%d (%s)", a.File, a.Line, a.Reason)
}

func (a *AllowEntry) matches(f *Finding) bool {
	e := f.Event
	vals := map[string]string{"rule": f.Rule.ID, "parent": Name(e.ParentImage), "child": Name(e.Image), "path": e.Image,
		"command_line": e.CommandLine, "host": e.Host, "user": e.User}
	for k, p := range a.pats {
		if v := vals[k]; v == "" || !p.Match(v) {
			return false
		}
	}
	if a.Hash != "" && !strings.Contains(fold(e.Hashes), fold(a.Hash)) {
		return false
	}
	return true
}

type allowList []*AllowEntry

// activeAllow drops expired entries, warning about each.
func activeAllow(entries []*AllowEntry, now time.Time, res *Result) allowList {
	if now.IsZero() {
		now = time.Now()
	}
	var out allowList
	for _, a := range entries {
		if !a.Expires.IsZero() && !now.Before(a.Expires) {
			res.Warnings = append(res.Warnings, fmt.Sprintf("allowlist entry %s expired on %s and was not applied",
				a, a.Expires.Add(-24*time.Hour).Format("2006-01-02")))
			continue
		}
		out = append(out, a)
	}
	return out
}

func (l allowList) match(f *Finding) *AllowEntry {
	for _, a := range l {
		if a.matches(f) {
			return a
		}
	}
	return nil
}
