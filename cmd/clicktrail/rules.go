package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/clicktrail/clicktrail/report"
	"github.com/clicktrail/clicktrail/triage"
)

// loadRules builds the rule set (built-in, then each --rules file laid
// over it) and the allowlist. Any problem in any file stops the run before
// anything is read: half a rule set would give a report that looks whole.
func loadRules(ruleFiles, allowFiles []string) ([]*triage.Rule, []*triage.AllowEntry, []report.Source, error) {
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
	if len(rules) == 0 {
		return nil, nil, nil, fmt.Errorf("no rules")
	}
	return rules, allow, sources, nil
}

func sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
