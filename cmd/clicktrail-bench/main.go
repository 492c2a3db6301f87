// Command clicktrail-bench measures EVTX decoding throughput side by side:
// clicktrail's native decoder and golang-evtx (parse only), libevtx's
// evtxexport, clicktrail's full scan and cat of the same files, each run as
// a child process so that its peak RSS is its own. It prints MB/s,
// records/s, peak RSS and each one's time relative to cat, for one large
// file and for a folder of many small files.
//
//	go run ./cmd/clicktrail-bench [-clicktrail bin/clicktrail] [-rounds 5] [-shared ../shared]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"text/tabwriter"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "clicktrail-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "parse" { // hidden: the timed child
		fs := flag.NewFlagSet("parse", flag.ContinueOnError)
		parser := fs.String("parser", "native", "decoder")
		jobs := fs.Int("jobs", 0, "native decoder workers (0: one per CPU)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return parseOnly(ctx, *parser, *jobs, fs.Args(), stdout)
	}
	fs := flag.NewFlagSet("clicktrail-bench", flag.ContinueOnError)
	shared := fs.String("shared", defaultShared(), "folder holding bench/ and samples/")
	big := fs.String("file", "", "large file (default: SHARED/bench/sysmon-31mb.evtx)")
	copies := fs.Int("copies", 6, "copies of each Sysmon sample in the many-small-files folder")
	clicktrail := fs.String("clicktrail", "bin/clicktrail", "clicktrail binary for the full-scan row (skipped if missing)")
	rounds := fs.Int("rounds", 5, "runs per command; the fastest counts")
	scaleMB := fs.Int("scale-mb", 32, "size of the generated input for the linearity run (1x and 16x); 0 skips it")
	links := fs.Int("links", 64, "links to the large file for the many-copies memory run; 0 skips it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *big == "" {
		*big = filepath.Join(*shared, "bench", "sysmon-31mb.evtx")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "clicktrail-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	small, err := smallFiles(filepath.Join(*shared, "samples"), filepath.Join(tmp, "small"), *copies)
	if err != nil {
		return err
	}
	debug.FreeOSMemory()
	fmt.Fprintf(stdout, "clicktrail-bench: %d CPUs, %s, best of %d runs; peak RSS from wait4 (floor: this harness's own RSS)\n",
		runtime.NumCPU(), runtime.Version(), *rounds)
	for _, ds := range []struct {
		name  string
		files []string
	}{{filepath.Base(*big), []string{*big}}, {fmt.Sprintf("%d small files", len(small)), small}} {
		if err := bench(ctx, stdout, ds.name, ds.files, self, *clicktrail, filepath.Join(tmp, "out"), *rounds, false); err != nil {
			return err
		}
	}
	if *links > 0 {
		files, err := linkCopies(*big, filepath.Join(tmp, "links"), *links)
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%d links to %s (memory must not grow with copies)", *links, filepath.Base(*big))
		if err := bench(ctx, stdout, name, files, self, *clicktrail, filepath.Join(tmp, "out"), 2, true); err != nil {
			return err
		}
	}
	if *scaleMB > 0 {
		if err := linearity(ctx, stdout, self, *clicktrail, tmp, *scaleMB); err != nil {
			return err
		}
	}
	return nil
}

// linkCopies makes n hard links (symlinks where that fails) to file: the
// same bytes under n names, so scan reads them all and keeps one copy.
func linkCopies(file, dir string, n int) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 0; i < n; i++ {
		dst := filepath.Join(dir, fmt.Sprintf("copy-%02d.evtx", i))
		if err := os.Link(abs, dst); err != nil {
			if err := os.Symlink(abs, dst); err != nil {
				return nil, err
			}
		}
		out = append(out, dst)
	}
	return out, nil
}

// linearity generates mb MB and 16*mb MB of Sysmon traffic with clicktrail
// generate and times parse and scan on both: 16x the input should take at
// most about 17x the time.
func linearity(ctx context.Context, w io.Writer, self, clicktrail, tmp string, mb int) error {
	if _, err := os.Stat(clicktrail); err != nil {
		fmt.Fprintf(w, "\nlinearity: skipped (%v)\n", err)
		return nil
	}
	var secs [2]map[string]float64
	for i, mult := range []int{1, 16} {
		dir := filepath.Join(tmp, fmt.Sprintf("gen-%dx", mult))
		gen := exec.CommandContext(ctx, clicktrail, "generate", "--size", fmt.Sprintf("%dMB", mb*mult), "--seed", "1", "-o", dir)
		if out, err := gen.CombinedOutput(); err != nil {
			return fmt.Errorf("generate: %v: %s", err, out)
		}
		files, err := filepath.Glob(filepath.Join(dir, "*.evtx"))
		if err != nil || len(files) == 0 {
			return fmt.Errorf("generate wrote no .evtx in %s", dir)
		}
		name := fmt.Sprintf("generated %d MB (clicktrail generate --size %dMB --seed 1)", mb*mult, mb*mult)
		secs[i] = map[string]float64{}
		if err := benchInto(ctx, w, name, files, self, clicktrail, filepath.Join(tmp, "out"), 2, true, secs[i]); err != nil {
			return err
		}
		os.RemoveAll(dir)
	}
	fmt.Fprintln(w, "\nlinearity (time for 16x the input / time for 1x; at most 17 is linear):")
	for _, t := range []string{"native parse-only", "clicktrail scan (full)"} {
		if secs[0][t] > 0 {
			fmt.Fprintf(w, "  %-24s %.1fx\n", t, secs[1][t]/secs[0][t])
		}
	}
	return nil
}

func defaultShared() string {
	if s := os.Getenv("CLICKTRAIL_SHARED"); s != "" {
		return s
	}
	return filepath.Join("..", "shared")
}

// tool is one row of the table.
type tool struct {
	name    string
	argv    []string
	capture bool // a parse child that prints its record count
}

func bench(ctx context.Context, w io.Writer, name string, files []string, self, clicktrail, outDir string, rounds int, quick bool) error {
	return benchInto(ctx, w, name, files, self, clicktrail, outDir, rounds, quick, nil)
}

// benchInto runs the rows and, when secs is set, records each row's time.
// quick keeps cat, the native parse and the full scan: the slow readers
// would take minutes on the large runs.
func benchInto(ctx context.Context, w io.Writer, name string, files []string, self, clicktrail, outDir string, rounds int, quick bool, secsOut map[string]float64) error {
	size, err := fileBytes(files)
	if err != nil {
		return err
	}
	tools := []tool{
		{"cat", append([]string{"cat"}, files...), false},
		{"native parse-only", append([]string{self, "parse", "-parser", "native"}, files...), true},
	}
	if !quick {
		tools = append(tools,
			tool{"native parse-only, 1 worker", append([]string{self, "parse", "-parser", "native", "-jobs", "1"}, files...), true},
			tool{"golang-evtx v1.2.9 parse-only", append([]string{self, "parse", "-parser", "golang-evtx"}, files...), true})
	}
	if _, err := exec.LookPath("evtxexport"); err == nil && !quick {
		tools = append(tools, tool{"libevtx evtxexport -f xml", shArgs(`for f in "$@"; do evtxexport -f xml "$f" >/dev/null 2>&1; done; true`, files), false})
	}
	if fi, err := os.Stat(clicktrail); err == nil && !fi.IsDir() {
		tools = append(tools, tool{"clicktrail scan (full)", append([]string{clicktrail, "scan", "-o", outDir}, files...), false})
	}
	// Warm the page cache so every row reads from memory.
	if _, err := measure(ctx, 1, tools[0].argv, false); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "\n%s: %d file(s), %.1f MB\n", name, len(files), float64(size)/1e6)
	fmt.Fprintln(tw, "tool\tMB/s\trecords/s\tpeak RSS MiB\tseconds\ttime / cat\tCPU s\tMB per CPU s\t")
	var catWall float64
	records := -1
	for _, t := range tools {
		r, err := measure(ctx, rounds, t.argv, t.capture)
		if err != nil {
			fmt.Fprintf(tw, "%s\tfailed: %v\t\t\t\t\t\t\t\n", t.name, err)
			continue
		}
		secs := r.wall.Seconds()
		if secsOut != nil {
			secsOut[t.name] = secs
		}
		if t.name == "cat" {
			catWall = secs
		}
		if t.name == "native parse-only" {
			records = r.records
		}
		n := r.records
		if n < 0 {
			n = records // tools that do not count are credited with the native count
		}
		recs := "-"
		if n >= 0 {
			recs = fmt.Sprintf("%.0f", float64(n)/secs)
		}
		cpu := r.cpu.Seconds()
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t%.1f\t%.3f\t%.1fx\t%.3f\t%.0f\t\n", t.name, float64(size)/1e6/secs, recs,
			float64(r.maxRSS)/(1<<20), secs, secs/catWall, cpu, float64(size)/1e6/max(cpu, 1e-3))
	}
	return tw.Flush()
}

// smallFiles fills dir with copies of every Sysmon sample (positives,
// related, benign), the many-small-files case of a triage collection.
func smallFiles(samples, dir string, copies int) ([]string, error) {
	var src []string
	for _, sub := range []string{"positives", "related", "benign"} {
		m, err := filepath.Glob(filepath.Join(samples, sub, "*.evtx"))
		if err != nil {
			return nil, err
		}
		src = append(src, m...)
	}
	if len(src) == 0 {
		return nil, fmt.Errorf("no samples under %s", samples)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for c := 0; c < copies; c++ {
		for i, s := range src {
			dst := filepath.Join(dir, fmt.Sprintf("%02d-%03d.evtx", c, i))
			if err := copyFile(dst, s); err != nil {
				return nil, err
			}
			out = append(out, dst)
		}
	}
	return out, nil
}

// copyFile streams, keeping the harness small: a child's peak RSS as the
// kernel reports it can include the parent's at the moment of the fork.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
