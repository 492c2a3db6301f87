package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/clicktrail/clicktrail/samples/gen"
	"github.com/spf13/pflag"
)

func runGenerate(ctx context.Context, e *env, args []string) error {
	fs := pflag.NewFlagSet("generate", pflag.ContinueOnError)
	fs.SetOutput(e.stderr)
	scenario := fs.String("scenario", "", "built-in scenario NAME or a scenario FILE (.json)")
	list := fs.Bool("list", false, "list the built-in scenarios and exit")
	seed := fs.Uint64("seed", 0, "random seed (0: the scenario's own; 1 for --size/--records)")
	size := fs.String("size", "", "write this much mixed Sysmon traffic (e.g. 256MB, 1GB) into the -o folder")
	records := fs.Int64("records", 0, "write this many records of mixed Sysmon traffic into the -o folder")
	rotate := fs.Int("rotate", 1, "split --size/--records output into N rotated files")
	every := fs.Int("finding-every", 0, "records between planted findings in --size/--records output (default 20000)")
	hostile := fs.Bool("hostile", false, "put hostile strings (markup, formulas, RLO, lone surrogates, NUL, 32 KiB) into command lines and file paths")
	out := fs.StringP("output", "o", "", "output: a .evtx file for --scenario, a folder for --size/--records")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("generate takes no arguments (got %q)", fs.Args())
	}
	if *list {
		for _, n := range gen.Builtins() {
			sc, err := gen.Builtin(n)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%-16s %d events, %d expected findings: %s\n", n, len(sc.Events), len(sc.Expect), sc.Description)
		}
		return nil
	}
	modes := 0
	for _, set := range []bool{*scenario != "", *size != "", *records > 0} {
		if set {
			modes++
		}
	}
	if modes != 1 {
		return usageError("generate needs exactly one of --scenario, --size, --records (or --list)")
	}
	if *out == "" {
		return usageError("generate needs -o")
	}
	if *scenario != "" {
		return generateScenario(ctx, e, *scenario, *out, *seed, *hostile)
	}
	opt := gen.Options{Records: *records, Seed: *seed, Rotate: *rotate, Hostile: *hostile, FindingEvery: *every}
	if *size != "" {
		n, err := parseSize(*size)
		if err != nil {
			return usageError("--size: %v", err)
		}
		opt.Size = n
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	man, err := gen.Generate(ctx, func(name string) (gen.File, error) {
		return os.Create(filepath.Join(*out, name))
	}, opt)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "clicktrail: wrote %d records (%d bytes) in %d file(s) to %s, %d planted findings listed in %s\n",
		man.Records, man.Bytes, len(man.Files), *out, len(man.Findings), filepath.Join(*out, gen.ManifestName))
	return nil
}

func generateScenario(ctx context.Context, e *env, name, out string, seed uint64, hostile bool) error {
	var sc *gen.Scenario
	var err error
	if strings.HasSuffix(name, ".json") || strings.ContainsRune(name, os.PathSeparator) {
		data, rerr := os.ReadFile(name)
		if rerr != nil {
			return usageError("%v", rerr)
		}
		sc, err = gen.ParseScenario(data)
	} else {
		sc, err = gen.Builtin(name)
	}
	if err != nil {
		return usageError("%v", err)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	sum, err := gen.WriteScenario(ctx, f, sc, gen.ScenarioOptions{Seed: seed, Hostile: hostile})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return err
	}
	fmt.Fprintf(e.stderr, "clicktrail: wrote %s: scenario %s, %d records in %d chunk(s), %d expected findings\n",
		out, sc.Name, sum.Records, sum.Chunks, len(sc.Expect))
	return nil
}

// parseSize reads 256MB, 1GB, 512KiB, 1000000 (bytes). K/M/G are binary
// multiples, as file sizes are usually meant.
func parseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suf string
		m   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suf) {
			t, mult = strings.TrimSuffix(t, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 256MB or 1GB)", s)
	}
	return int64(n * float64(mult)), nil
}
