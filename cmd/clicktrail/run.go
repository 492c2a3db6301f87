package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"sort"
	"strings"
)

// env is what every verb gets from the process: its streams.
type env struct {
	stdout, stderr io.Writer
	// isTerminal says whether stderr is an interactive terminal, which
	// decides whether a progress bar is drawn.
	isTerminal bool
}

// verb is one sub-command: its usage line, one-line summary and body.
type verb struct {
	usage string
	short string
	run   func(ctx context.Context, e *env, args []string) error
}

func verbs() map[string]verb {
	return map[string]verb{
		"scan": {"scan [flags] PATH...", "find user-execution (T1204) activity in .evtx files and folders", runScan},
		"dump": {"dump [flags] FILE...", "print every record of .evtx files as JSON lines", runDump},
		"version": {"version", "print the version", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "clicktrail", version())
			return nil
		}},
		"generate": {"generate [flags]", "write synthetic Sysmon .evtx files from scenarios or at scale", runGenerate},
	}
}

// run is the whole program: parse the verb, run it, map its error to an
// exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, isTerminal: isTerminal(stderr)}
	if len(args) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "--help", "help":
		printHelp(stdout)
		return exitOK
	case "--version", "-version":
		args = []string{"version"}
	}
	v, ok := verbs()[args[0]]
	if !ok {
		return exitCode(usageError("unknown command %q", args[0]), stderr)
	}
	return exitCode(v.run(ctx, e, args[1:]), stderr)
}

func printHelp(w io.Writer) {
	fmt.Fprintf(w, "clicktrail %s: was a user tricked into running something, and what happened next?\n\nUsage:\n", version())
	vs := verbs()
	names := make([]string, 0, len(vs))
	for n := range vs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  clicktrail %-28s %s\n", vs[n].usage, vs[n].short)
	}
	fmt.Fprint(w, "\nExit codes: 0 nothing found, 1 findings, 2 usage, 3 no readable input,\n"+
		"4 some input unreadable (no findings), 5 failure, 130 interrupted.\n"+
		"Run 'clicktrail COMMAND --help' for a command's flags.\n")
}

// buildCommit is set by the Makefile (-ldflags -X) where the toolchain
// cannot stamp VCS data itself (GOFLAGS=-buildvcs=false, source tarballs).
var buildCommit string

// version reports the module version and VCS revision the binary was built
// from, so a report can name exactly what produced it.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := bi.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		rev = buildCommit
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev != "" {
		v += " (" + rev + dirty + ")"
	}
	return strings.TrimSpace(v)
}
