// Package report writes triage results as files a responder attaches to a
// ticket: findings.csv, coverage.csv, findings.jsonl and one self-contained
// report.html. It only formats; every judgement is made in triage.
//
// Everything taken from a log was written by the attacker: the HTML escapes
// it through html/template and the CSV neutralises cells a spreadsheet
// would run as formulas.
package report
