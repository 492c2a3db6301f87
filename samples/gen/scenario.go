package gen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rule names of the seed rule's three patterns, as findings.csv names them.
const (
	RuleOfficeShell = "office-spawns-shell" // R1
	RuleRATLaunch   = "rat-launch"          // R2
	RuleUserDirExe  = "userdir-exe"         // R3
)

// Event kinds of a scenario.
const (
	KindProcess = "process" // Sysmon 1
	KindEnd     = "end"     // Sysmon 5
	KindFile    = "file"    // Sysmon 11
	KindStream  = "stream"  // Sysmon 15
	Kind4688    = "4688"    // Security 4688
)

// maxBackgroundEpisodes bounds a scenario's background activity.
const maxBackgroundEpisodes = 20000

// Scenario is a scenario file: see doc.go for the format.
type Scenario struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Host        string          `json:"host"`
	Domain      string          `json:"domain,omitempty"`
	User        string          `json:"user,omitempty"`
	Start       time.Time       `json:"start"`
	Seed        uint64          `json:"seed"`
	Background  *Background     `json:"background,omitempty"`
	Events      []ScenarioEvent `json:"events"`
	// Rules names the rules Expect is complete for (default: the seed
	// rule's three). Findings of other rules are not the scenario's claim.
	Rules  []string      `json:"rules,omitempty"`
	Expect []Expectation `json:"expect"`
}

// SeedRules are the three patterns of the seed rule.
func SeedRules() []string { return []string{RuleOfficeShell, RuleRATLaunch, RuleUserDirExe} }

// CoveredRules is Rules, or the seed rules when none are named.
func (sc *Scenario) CoveredRules() []string {
	if len(sc.Rules) > 0 {
		return sc.Rules
	}
	return SeedRules()
}

// Background asks for benign activity around the scenario's own events.
type Background struct {
	PerMinute float64  `json:"per_minute"` // episodes per minute
	Duration  Duration `json:"duration"`   // from Start
}

// Expectation is one finding the scenario is written to produce.
type Expectation struct {
	Rule  string `json:"rule"`
	Image string `json:"image"`
	Host  string `json:"host,omitempty"`
	Case  string `json:"case,omitempty"` // e.g. "5.9" for detection-semantics section 5 row 9
	Note  string `json:"note,omitempty"`
}

// ScenarioEvent is one event of a scenario. Which fields matter depends on
// Kind; unset fields are filled in realistically.
type ScenarioEvent struct {
	ID         string   `json:"id,omitempty"`
	Kind       string   `json:"kind"`
	At         Duration `json:"at"`
	Case       string   `json:"case,omitempty"`
	Note       string   `json:"note,omitempty"`
	Emit       *bool    `json:"emit,omitempty"` // false: the process exists but its record is not written
	Host       string   `json:"host,omitempty"`
	NoComputer bool     `json:"no_computer,omitempty"`

	// process and 4688
	Image            string `json:"image,omitempty"`
	CommandLine      string `json:"command_line,omitempty"`
	CurrentDirectory string `json:"current_directory,omitempty"`
	User             string `json:"user,omitempty"`
	Integrity        string `json:"integrity,omitempty"`
	OriginalFileName string `json:"original_file_name,omitempty"`
	Description      string `json:"description,omitempty"`
	Hashes           string `json:"hashes,omitempty"`
	PID              uint32 `json:"pid,omitempty"`
	Parent           string `json:"parent,omitempty"` // id of an earlier process event
	ParentImage      string `json:"parent_image,omitempty"`
	ParentCommand    string `json:"parent_command_line,omitempty"`
	ParentUser       string `json:"parent_user,omitempty"`
	ParentPID        uint32 `json:"parent_pid,omitempty"`
	ParentGUID       string `json:"parent_guid,omitempty"` // "zero" for the all-zero GUID
	Version          *int   `json:"version,omitempty"`     // 4688 version 0, 1 or 2 (default 2)

	// end, file, stream (and 4688 describing an existing process)
	Process  string `json:"process,omitempty"` // id of an earlier process event
	Target   string `json:"target,omitempty"`
	Contents string `json:"contents,omitempty"`
	Hash     string `json:"hash,omitempty"`

	rules []string // Generate: findings this event is planted to produce
	built *Event   // Generate: the record, already built, carried to the next file
}

// Duration is a time.Duration written as a Go duration string ("1.5s").
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"1.5s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// ParseScenario decodes and checks a scenario file. Unknown keys are errors.
func ParseScenario(data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	if dec.More() {
		return nil, errors.New("scenario: trailing data after the JSON object")
	}
	if err := sc.expandEscapes(); err != nil {
		return nil, err
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

// Validate checks references, kinds and expectations.
func (sc *Scenario) Validate() error {
	if sc.Name == "" {
		return errors.New("scenario: name is required")
	}
	if sc.Host == "" {
		return fmt.Errorf("scenario %s: host is required", sc.Name)
	}
	if sc.Start.IsZero() {
		return fmt.Errorf("scenario %s: start is required", sc.Name)
	}
	procs := map[string]bool{}
	ended := map[string]bool{}
	for i, ev := range sc.Events {
		where := fmt.Sprintf("scenario %s event %d", sc.Name, i)
		if ev.ID != "" {
			where += " (" + ev.ID + ")"
		}
		switch ev.Kind {
		case KindProcess:
			if ev.Image == "" {
				return fmt.Errorf("%s: process needs an image", where)
			}
			if ev.Process != "" {
				return fmt.Errorf("%s: process events take parent, not process", where)
			}
		case Kind4688:
			if ev.Image == "" && ev.Process == "" {
				return fmt.Errorf("%s: 4688 needs an image or a process reference", where)
			}
			if ev.Version != nil && (*ev.Version < 0 || *ev.Version > 2) {
				return fmt.Errorf("%s: 4688 version must be 0, 1 or 2", where)
			}
		case KindEnd, KindFile, KindStream:
			if ev.Process == "" {
				return fmt.Errorf("%s: %s needs a process reference", where, ev.Kind)
			}
			if ev.Kind != KindEnd && ev.Target == "" {
				return fmt.Errorf("%s: %s needs a target", where, ev.Kind)
			}
		default:
			return fmt.Errorf("%s: unknown kind %q (want process, end, file, stream or 4688)", where, ev.Kind)
		}
		for _, ref := range []string{ev.Parent, ev.Process} {
			if ref != "" && !procs[ref] {
				return fmt.Errorf("%s: reference %q is not an earlier process", where, ref)
			}
			if ended[ref] {
				return fmt.Errorf("%s: process %q has already ended", where, ref)
			}
		}
		if ev.Kind == KindEnd {
			ended[ev.Process] = true
		}
		if ev.ParentGUID != "" && ev.ParentGUID != "zero" {
			if _, err := ParseGUID(ev.ParentGUID); err != nil {
				return fmt.Errorf("%s: parent_guid: %w", where, err)
			}
		}
		if ev.ID != "" {
			if procs[ev.ID] {
				return fmt.Errorf("%s: duplicate id", where)
			}
			if ev.Kind == KindProcess || ev.Kind == Kind4688 {
				procs[ev.ID] = true
			}
		}
	}
	covered := map[string]bool{}
	for _, r := range sc.CoveredRules() {
		if r == "" || strings.Trim(r, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return fmt.Errorf("scenario %s: bad rule name %q", sc.Name, r)
		}
		covered[r] = true
	}
	for i, x := range sc.Expect {
		if !covered[x.Rule] {
			return fmt.Errorf("scenario %s expect %d: rule %q is not among the covered rules %v", sc.Name, i, x.Rule, sc.CoveredRules())
		}
		if x.Image == "" {
			return fmt.Errorf("scenario %s expect %d: image is required", sc.Name, i)
		}
	}
	if bg := sc.Background; bg != nil {
		if bg.PerMinute <= 0 || bg.Duration <= 0 {
			return fmt.Errorf("scenario %s: background needs per_minute > 0 and a duration", sc.Name)
		}
		// A scenario is held in memory; scale runs are Generate's job.
		if episodes := bg.PerMinute * time.Duration(bg.Duration).Minutes(); episodes > maxBackgroundEpisodes {
			return fmt.Errorf("scenario %s: background asks for %.0f episodes (at most %d; use --size for more)", sc.Name, episodes, maxBackgroundEpisodes)
		}
	}
	return nil
}

// expandEscapes turns {{U+XXXX}} in string fields into that UTF-16 code
// unit. JSON cannot carry an unpaired surrogate (decoders replace it), so
// hostile scenarios spell them this way.
func (sc *Scenario) expandEscapes() error {
	var err error
	fix := func(p *string) {
		if err != nil || !strings.Contains(*p, "{{") {
			return
		}
		*p, err = expandEscapes(*p)
	}
	for i := range sc.Events {
		ev := &sc.Events[i]
		for _, p := range []*string{&ev.Image, &ev.CommandLine, &ev.CurrentDirectory, &ev.User, &ev.ParentImage,
			&ev.ParentCommand, &ev.ParentUser, &ev.Target, &ev.Contents, &ev.OriginalFileName, &ev.Description} {
			fix(p)
		}
	}
	for i := range sc.Expect {
		fix(&sc.Expect[i].Image)
	}
	if err != nil {
		return fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	return nil
}

// expandEscapes replaces {{U+XXXX}} (one UTF-16 code unit, surrogates
// allowed) and {{REPEAT:N:C}} (N copies of the ASCII character C).
func expandEscapes(s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		tok := s[i+2 : i+j]
		s = s[i+j+2:]
		switch {
		case strings.HasPrefix(tok, "U+"):
			v, err := strconv.ParseUint(tok[2:], 16, 16)
			if err != nil {
				return "", fmt.Errorf("bad escape {{%s}}", tok)
			}
			if v >= 0xd800 && v <= 0xdfff {
				b.WriteString(LoneSurrogate(uint16(v)))
			} else {
				b.WriteRune(rune(v))
			}
		case strings.HasPrefix(tok, "REPEAT:"):
			parts := strings.SplitN(tok, ":", 3)
			n, err := strconv.Atoi(parts[1])
			if err != nil || len(parts) != 3 || len(parts[2]) != 1 || n < 0 || n > 32767 {
				return "", fmt.Errorf("bad escape {{%s}}", tok)
			}
			b.WriteString(strings.Repeat(parts[2], n))
		default:
			b.WriteString("{{" + tok + "}}")
		}
	}
}
