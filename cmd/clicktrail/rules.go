package main

import (
	"fmt"
	"os"

	"github.com/clicktrail/clicktrail/triage"
)

// loadRules builds the rule set (built-in, then each --rules file laid
// over it) and the allowlist. Any problem in any file stops the run before
// anything is read: half a rule set would give a report that looks whole.
func loadRules(ruleFiles, allowFiles []string) ([]*triage.Rule, []*triage.AllowEntry, error) {
	rules, err := triage.DefaultRules()
	if err != nil {
		return nil, nil, err
	}
	for _, path := range ruleFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, usageError("rules: %v", err)
		}
		extra, err := triage.ParseRules(path, data)
		if err != nil {
			return nil, nil, usageError("%v", err)
		}
		rules = triage.MergeRules(rules, extra)
	}
	var allow []*triage.AllowEntry
	for _, path := range allowFiles {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, usageError("allowlist: %v", err)
		}
		entries, err := triage.ParseAllowlist(path, data)
		if err != nil {
			return nil, nil, usageError("%v", err)
		}
		allow = append(allow, entries...)
	}
	if len(rules) == 0 {
		return nil, nil, fmt.Errorf("no rules")
	}
	return rules, allow, nil
}
