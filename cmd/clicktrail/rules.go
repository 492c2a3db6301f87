package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"strings"

	"github.com/clicktrail/clicktrail/report"
	"github.com/clicktrail/clicktrail/triage"
)

// loadRules builds the rule set (built-in, then each --rules file laid
// over it) and the allowlist. Any problem in any file stops the run before
// anything is read: half a rule set would give a report that looks whole.
func loadRules(ruleFiles, allowFiles []string, only string) ([]*triage.Rule, []*triage.AllowEntry, []report.Source, error) {
	rules, err := triage.DefaultRules()
	if err != nil {
		return nil, nil, nil, err
	}
	sources := []report.Source{{Name: triage.DefaultRulesFile, SHA256: sha(triage.DefaultRulesYAML())}}
	for _, path := range ruleFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, nil, usageError("rules: %v", err)
		}
		extra, err := triage.ParseRules(path, data)
		if err != nil {
			return nil, nil, nil, usageError("%v", err)
		}
		rules = triage.MergeRules(rules, extra)
		sources = append(sources, report.Source{Name: path, SHA256: sha(data)})
	}
	var allow []*triage.AllowEntry
	for _, path := range allowFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, nil, usageError("allowlist: %v", err)
		}
		entries, err := triage.ParseAllowlist(path, data)
		if err != nil {
			return nil, nil, nil, usageError("%v", err)
		}
		allow = append(allow, entries...)
		sources = append(sources, report.Source{Name: path + " (allowlist)", SHA256: sha(data)})
	}
	if only != "" {
		var err error
		if rules, err = selectRules(rules, only); err != nil {
			return nil, nil, nil, err
		}
	}
	return rules, allow, sources, nil
}

// selectRules keeps the rules whose ids match one of the comma-separated
// patterns ("office-*,rat-launch"); a pattern that matches nothing is an
// error, so a typo cannot silently switch detections off.
func selectRules(rules []*triage.Rule, only string) ([]*triage.Rule, error) {
	var keep []*triage.Rule
	taken := map[*triage.Rule]bool{}
	for _, pat := range strings.Split(only, ",") {
		pat = strings.TrimSpace(pat)
		if pat == "" {
			continue
		}
		p := triage.Compile(pat)
		n := 0
		for _, r := range rules {
			if p.Match(r.ID) {
				n++
				if !taken[r] {
					taken[r] = true
					keep = append(keep, r)
				}
			}
		}
		if n == 0 {
			return nil, usageError("--only: no rule matches %q", pat)
		}
	}
	if len(keep) == 0 {
		return nil, usageError("--only selects no rule")
	}
	return keep, nil
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
