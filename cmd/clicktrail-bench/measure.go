package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// result is the best of several runs of one command.
type result struct {
	wall    time.Duration // fastest run
	cpu     time.Duration // least user+system time of a run; steadier than wall time on a shared machine
	maxRSS  int64         // bytes, largest over the runs
	records int           // as printed by a parse child, else -1
}

// measure runs argv rounds times as a child process with stdout discarded
// (or read, for parse children) and keeps the fastest wall time and the
// largest peak RSS the kernel reports for it.
func measure(ctx context.Context, rounds int, argv []string, capture bool) (result, error) {
	res := result{wall: -1, cpu: -1, records: -1}
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return res, err
	}
	defer devNull.Close()
	for i := 0; i < rounds; i++ {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		var out bytes.Buffer
		cmd.Stdout = devNull
		if capture {
			cmd.Stdout = &limitedWriter{buf: &out, max: 4096}
		}
		var errb bytes.Buffer
		cmd.Stderr = &limitedWriter{buf: &errb, max: 4096}
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil && !acceptableExit(argv, err) {
			return res, fmt.Errorf("%s: %v: %s", strings.Join(argv, " "), err, errb.String())
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.maxRSS = max(res.maxRSS, int64(ru.Maxrss)*1024) // Linux reports KiB
			cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			if res.cpu < 0 || cpu < res.cpu {
				res.cpu = cpu
			}
		}
		if res.wall < 0 || wall < res.wall {
			res.wall = wall
		}
		if s, ok := strings.CutPrefix(strings.TrimSpace(out.String()), "records "); ok {
			res.records, _ = strconv.Atoi(s)
		}
	}
	return res, nil
}

// acceptableExit: clicktrail scan exits 1 when it finds something, which
// is expected on these inputs.
func acceptableExit(argv []string, err error) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && ee.ExitCode() == 1 && len(argv) > 1 && argv[1] == "scan"
}

// limitedWriter keeps the first max bytes and discards the rest, so a
// command printing gigabytes of XML costs no memory in the harness.
type limitedWriter struct {
	buf *bytes.Buffer
	max int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// shArgs runs script under sh with files as "$@", which keeps file names
// intact.
func shArgs(script string, files []string) []string {
	return append([]string{"sh", "-c", script, "sh"}, files...)
}

func fileBytes(files []string) (int64, error) {
	var n int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return 0, err
		}
		n += fi.Size()
	}
	return n, nil
}
