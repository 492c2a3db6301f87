package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkScanFile is the whole pipeline (hash, parse, normalise, trees,
// rules, all four reports) on the throughput file, as `clicktrail scan`
// runs it. MB/s is of the .evtx bytes.
func BenchmarkScanFile(b *testing.B) {
	path := os.Getenv("CLICKTRAIL_BENCH_FILE")
	if path == "" {
		path = filepath.Join("..", "..", "..", "shared", "bench", "sysmon-31mb.evtx")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Skipf("no bench file: %v", err)
	}
	out := b.TempDir()
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var o, e bytes.Buffer
		if code := run(context.Background(), []string{"scan", "-q", "--no-progress", "-o", out, path}, &o, &e); code > exitFindings {
			b.Fatalf("exit %d: %s", code, e.String())
		}
	}
}
