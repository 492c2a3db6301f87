package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
	"github.com/clicktrail/clicktrail/report"
	"github.com/clicktrail/clicktrail/triage"
	"github.com/spf13/pflag"
)

type scanOptions struct {
	out        string
	parser     string
	jobs       int
	noProgress bool
	quiet      bool
	carve      bool
	rulesFiles []string
	allowFiles []string
	sequence   bool
	maxspan    time.Duration
	tz         string
	format     string
	only       string
}

func runScan(ctx context.Context, e *env, args []string) error {
	started := time.Now().UTC()
	var o scanOptions
	fs := pflag.NewFlagSet("scan", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVarP(&o.out, "output", "o", "clicktrail-report", "folder to write report.html, findings.csv, findings.jsonl and coverage.csv into")
	fs.StringVar(&o.parser, "parser", "", "EVTX decoder: native or golang-evtx (default: the native decoder when built in)")
	fs.IntVar(&o.jobs, "jobs", runtime.NumCPU(), "files read in parallel")
	fs.BoolVar(&o.noProgress, "no-progress", false, "never draw a progress bar")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print only where the report is")
	fs.BoolVar(&o.carve, "carve", false, "also carve event records from raw bytes: an image's free clusters and unpartitioned space, or any file named")
	fs.StringArrayVar(&o.rulesFiles, "rules", nil, "YAML rule file that adds rules or replaces built-in ones by id (repeatable)")
	fs.StringVar(&o.only, "only", "", "run only these rules: comma-separated ids or patterns (e.g. office-spawns-shell,rat-launch,userdir-exe)")
	fs.StringArrayVar(&o.allowFiles, "allow", nil, "YAML allowlist: matching findings move to the report's suppressed section (repeatable)")
	fs.BoolVar(&o.sequence, "sequence", false, "also run the seed rule literally: sequence by host with maxspan [office-spawns-shell] [rat-launch] [userdir-exe]")
	fs.DurationVar(&o.maxspan, "maxspan", triage.DefaultMaxSpan, "maxspan of --sequence (inclusive)")
	fs.StringVar(&o.tz, "tz", "", "IANA time zone (e.g. Europe/Berlin) shown next to UTC in report.html; UTC stays the reference")
	fs.StringVar(&o.format, "format", "ecs", "findings.jsonl flavour: ecs (Elastic Common Schema) or timesketch")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: clicktrail scan [flags] PATH...\n\nPATH is any mix of .evtx files, folders (searched recursively for *.evtx) and raw disk\nimages (MBR, GPT or bare NTFS volume; read without mounting).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == pflag.ErrHelp {
			return nil
		}
		return usageError("%v", err)
	}
	if fs.NArg() == 0 {
		return usageError("scan needs at least one .evtx file or folder")
	}
	parser, err := evtx.New(o.parser)
	if err != nil {
		return usageError("%v", err)
	}
	rules, allow, sources, err := loadRules(o.rulesFiles, o.allowFiles, o.only)
	if err != nil {
		return err
	}
	var zone *time.Location
	if o.tz != "" {
		if zone, err = time.LoadLocation(o.tz); err != nil {
			return usageError("--tz: %v", err)
		}
	}
	if o.format != "ecs" && o.format != "timesketch" {
		return usageError("--format must be ecs or timesketch, not %q", o.format)
	}

	cp := &carveProgress{e: e, want: !o.noProgress && !o.quiet}
	ins := collectInputs(ctx, fs.Args(), collectOptions{carve: o.carve, progress: cp.set})
	cp.finish()
	var total int64
	readable := 0
	for _, in := range ins {
		total += in.size
		if in.err == nil {
			readable++
		}
	}
	if readable == 0 {
		for _, in := range ins {
			fmt.Fprintf(e.stderr, "clicktrail: %s: %v\n", in.path, in.err)
		}
		return fmt.Errorf("%w: no .evtx file found in %v", errNoInput, fs.Args())
	}

	defer tuneGC(total)()
	bar := newProgress(e, total, !o.noProgress && !o.quiet)
	coll := triage.NewCollector()
	results, err := readAll(ctx, parser, ins, o.jobs, coll, bar.set)
	bar.finish()
	if err != nil {
		return err
	}

	files := make([]*triage.FileCoverage, len(results))
	for i, r := range results {
		files[i] = r.cov
	}
	events, dups := coll.Take()
	res, err := triage.AnalyzeEvents(ctx, events, files, triage.Options{Rules: rules, Allow: allow, Now: started,
		Sequence: o.sequence, MaxSpan: o.maxspan, Duplicates: dups, Deduplicated: true})
	if err != nil {
		return err
	}
	in := &report.Input{Result: res, Meta: report.Meta{
		Version: version(), Command: append([]string{"clicktrail", "scan"}, args...),
		Started: started, Finished: time.Now().UTC(), Parser: parser.Name(), RuleSources: sources, Zone: zone,
	}}
	written, err := writeReports(o.out, in, o.format)
	if err != nil {
		return err
	}
	if o.quiet {
		fmt.Fprintln(e.stdout, filepath.Join(o.out, "report.html"))
	} else {
		printSummary(e.stdout, res, written)
	}

	unreadable := 0
	for _, c := range res.Files {
		if c.ReadError != "" {
			unreadable++
		}
	}
	switch {
	case len(res.Findings) > 0:
		return errFindings
	case unreadable > 0:
		return fmt.Errorf("%w: %d of %d files", errPartial, unreadable, len(res.Files))
	}
	return nil
}

// tuneGC trades memory for speed where there is little to hold: decoding
// makes many short-lived strings, and on a small input collecting a quarter
// as often saves about a fifth of the run. On large inputs the default
// keeps the heap near what is live. GOGC in the environment always wins.
// The returned func puts the setting back.
func tuneGC(total int64) (restore func()) {
	if os.Getenv("GOGC") != "" || total >= 256<<20 {
		return func() {}
	}
	prev := debug.SetGCPercent(400)
	return func() { debug.SetGCPercent(prev) }
}

// writeReports writes every output file into dir, each through a temporary
// file renamed into place, so a crash never leaves a half report that looks
// whole.
func writeReports(dir string, in *report.Input, format string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output folder: %w", err)
	}
	html, err := report.NewHTML()
	if err != nil {
		return nil, err
	}
	outputs := []struct {
		name  string
		write func(*os.File) error
	}{
		{"report.html", func(f *os.File) error { return html.Write(f, in) }},
		{"findings.csv", func(f *os.File) error { return report.WriteFindingsCSV(f, in) }},
		{"findings.jsonl", func(f *os.File) error {
			if format == "timesketch" {
				return report.WriteTimesketchJSONL(f, in)
			}
			return report.WriteFindingsJSONL(f, in)
		}},
		{"coverage.csv", func(f *os.File) error { return report.WriteCoverageCSV(f, in) }},
	}
	var written []string
	for _, o := range outputs {
		path := filepath.Join(dir, o.name)
		if err := writeFileAtomic(path, o.write); err != nil {
			return written, fmt.Errorf("writing %s: %w", path, err)
		}
		written = append(written, path)
	}
	return written, nil
}

func writeFileAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
