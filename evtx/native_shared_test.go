package evtx

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sharedDir finds the read-only sample folder next to the repository, or
// skips (fails under CI) when it is not there.
func sharedDir(t testing.TB) string {
	t.Helper()
	dirs := []string{os.Getenv("CLICKTRAIL_SHARED"), filepath.Join("..", "..", "shared")}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if fi, err := os.Stat(filepath.Join(d, "samples")); err == nil && fi.IsDir() {
			return d
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("shared samples not found: set CLICKTRAIL_SHARED or place them in ../../shared")
	}
	t.Skip("shared samples not found")
	return ""
}

// needTool returns the path of an external program, skipping (failing under
// CI) when it is not installed.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
	return p
}

// expectedCounts reads samples/EXPECTED_COUNTS.tsv.
func expectedCounts(t testing.TB, shared string) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(shared, "samples", "EXPECTED_COUNTS.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || cols[0] == "file" {
			continue
		}
		n, err := strconv.Atoi(cols[1])
		if err != nil {
			t.Fatalf("EXPECTED_COUNTS.tsv: %q: %v", sc.Text(), err)
		}
		out[cols[0]] = n
	}
	if len(out) == 0 {
		t.Fatal("EXPECTED_COUNTS.tsv is empty")
	}
	return out
}

// parsedRecord is a deep copy of what a test compares of one record.
type parsedRecord struct {
	Chunk       int
	ChunkOffset int64
	Offset      int64
	RecordID    uint64
	TimeCreated string
	EventID     uint16
	Provider    string
	Computer    string
	Channel     string
	Data        []Field
}

// parseAll runs p over path and copies out every record.
func parseAll(t testing.TB, p Parser, path string) ([]parsedRecord, *FileReport, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	var out []parsedRecord
	rep, err := p.Parse(context.Background(), Source{Name: path, R: f, Size: fi.Size()}, Options{}, func(r *Record) error {
		out = append(out, parsedRecord{Chunk: r.ChunkIndex, ChunkOffset: r.ChunkOffset, Offset: r.Offset,
			RecordID: r.RecordID, TimeCreated: formatTimeCreated(r.TimeCreated),
			EventID: r.EventID, Provider: r.Provider, Computer: r.Computer, Channel: r.Channel,
			Data: append([]Field(nil), r.Data...)})
		return nil
	})
	return out, rep, err
}

// sampleFiles lists every .evtx under samples/ as paths relative to it.
func sampleFiles(t testing.TB, shared string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(shared, "samples", "*", "*.evtx"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	rel := make([]string, len(files))
	for i, f := range files {
		rel[i], _ = filepath.Rel(filepath.Join(shared, "samples"), f)
	}
	sort.Strings(rel)
	return rel
}

// formatTimeCreated renders a TimeCreated for comparison. A zero FILETIME
// is "unknown": golang-evtx gives 1601-01-01, the native decoder the zero
// time.Time; both become "".
func formatTimeCreated(t time.Time) string {
	if t.IsZero() || t.Year() <= 1601 {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
}
