package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/clicktrail/clicktrail/samples/gen"
)

// TestGenerateThenScan runs every built-in scenario through the whole tool:
// 'clicktrail generate --scenario NAME' then 'clicktrail scan', and checks
// that findings.csv holds exactly the (rule, image) rows the scenario was
// written to produce, as a multiset (a duplicate alert is a failure), for
// the rules the scenario covers (Scenario.CoveredRules: the seed rule's
// three unless it names others). A scenario with no expectations must
// produce no finding of any rule.
func TestGenerateThenScan(t *testing.T) {
	for _, name := range gen.Builtins() {
		for _, hostile := range []bool{false, true} {
			args := []string{"generate", "--scenario", name}
			label := name
			if hostile {
				// Hostile strings go only into fields the rules do not read.
				args = append(args, "--hostile")
				label += "/hostile"
			}
			t.Run(label, func(t *testing.T) { checkScenarioFindings(t, name, args, hostile) })
		}
	}
}

// chainRules read file targets, which --hostile rewrites: their rows are
// left out of the hostile variants.
var chainRules = map[string]bool{"download-then-run": true, "internet-file-run": true, "office-written-run": true}

func checkScenarioFindings(t *testing.T, name string, genArgs []string, hostile bool) {
	ctx := context.Background()
	sc, err := gen.Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, name+".evtx")
	var out, errb bytes.Buffer
	if code := run(ctx, append(genArgs, "-o", file), &out, &errb); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errb.String())
	}
	outDir := filepath.Join(dir, "out")
	errb.Reset()
	code := run(ctx, []string{"scan", file, "-o", outDir, "--no-progress"}, &out, &errb)
	wantCode := exitOK
	if len(sc.Expect) > 0 {
		wantCode = exitFindings
	}
	if code != wantCode {
		t.Fatalf("scan: exit %d, want %d: %s", code, wantCode, errb.String())
	}
	var want []string
	for _, x := range sc.Expect {
		if !(hostile && chainRules[x.Rule]) {
			want = append(want, x.Rule+" | "+asDecoded(x.Image))
		}
	}
	covered := sc.CoveredRules()
	if hostile {
		covered = nil
		for _, r := range sc.CoveredRules() {
			if !chainRules[r] {
				covered = append(covered, r)
			}
		}
	}
	got := findingRows(t, filepath.Join(outDir, "findings.csv"), nil, covered)
	if len(sc.Expect) == 0 {
		got = findingRows(t, filepath.Join(outDir, "findings.csv"), nil, nil)
	}
	compareRows(t, got, want)
}

// TestGenerateScaleThenScan checks the planted findings of a small
// --records run (two rotated files) against expected.json, by rule and
// process GUID.
func TestGenerateScaleThenScan(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	gdir := filepath.Join(dir, "gen")
	var out, errb bytes.Buffer
	if code := run(ctx, []string{"generate", "--records", "6000", "--rotate", "2", "--finding-every", "700", "-o", gdir}, &out, &errb); code != exitOK {
		t.Fatalf("generate: exit %d: %s", code, errb.String())
	}
	data, err := os.ReadFile(filepath.Join(gdir, gen.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var man gen.Manifest
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatal(err)
	}
	args := []string{"scan"}
	for _, f := range man.Files {
		args = append(args, filepath.Join(gdir, f.Name))
	}
	outDir := filepath.Join(dir, "out")
	args = append(args, "-o", outDir, "--no-progress")
	if code := run(ctx, args, &out, &errb); code != exitFindings {
		t.Fatalf("scan: exit %d, want %d: %s", code, exitFindings, errb.String())
	}
	var want []string
	for _, f := range man.Findings {
		want = append(want, f.Rule+" | "+canonGUID(f.ProcessGUID))
	}
	got := findingRows(t, filepath.Join(outDir, "findings.csv"), []string{"rule", "process_guid"}, gen.SeedRules())
	compareRows(t, got, want)
}

// findingRows reads findings.csv as "rule | image" (or the given columns),
// keeping only rows of the given rules (nil: all).
func findingRows(t *testing.T, path string, cols []string, rules []string) []string {
	t.Helper()
	if cols == nil {
		cols = []string{"rule", "image"}
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header", path)
	}
	idx := map[string]int{}
	for i, h := range recs[0] {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var pos []int
	for _, c := range cols {
		i, ok := idx[c]
		if !ok {
			t.Fatalf("%s: no %q column in %v", path, c, recs[0])
		}
		pos = append(pos, i)
	}
	keep := map[string]bool{}
	for _, r := range rules {
		keep[r] = true
	}
	var rows []string
	for _, r := range recs[1:] {
		if len(keep) > 0 && !keep[r[idx["rule"]]] {
			continue
		}
		var parts []string
		for k, i := range pos {
			v := r[i]
			if cols[k] == "process_guid" {
				v = canonGUID(v)
			}
			parts = append(parts, v)
		}
		rows = append(rows, strings.Join(parts, " | "))
	}
	return rows
}

func compareRows(t *testing.T, got, want []string) {
	t.Helper()
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings differ\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func canonGUID(s string) string { return strings.ToLower(strings.Trim(s, "{} ")) }

// asDecoded is an expected image as a UTF-16 decoder shows it: a scenario
// may write unpaired surrogates (hostile), which decode to U+FFFD.
func asDecoded(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var units []uint16
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0xe0 && c < 0xf0 && i+2 < len(s) { // three-byte form, surrogates included
			units = append(units, uint16(c&0x0f)<<12|uint16(s[i+1]&0x3f)<<6|uint16(s[i+2]&0x3f))
			i += 3
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		units = utf16.AppendRune(units, r)
		i += n
	}
	return string(utf16.Decode(units))
}
