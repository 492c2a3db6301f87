package evtx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// benchChunk returns the first non-empty chunk of the 31 MB Sysmon file, as
// a whole slot in a buffer, plus how many records it holds.
func benchChunk(b *testing.B) []byte {
	b.Helper()
	shared := sharedDir(b)
	f, err := os.Open(filepath.Join(shared, "bench", "sysmon-31mb.evtx"))
	if err != nil {
		b.Skip(err)
	}
	defer f.Close()
	buf := make([]byte, ChunkSize)
	if _, err := f.ReadAt(buf, FileHeaderSize); err != nil {
		b.Fatal(err)
	}
	return buf
}

// benchDecodeChunk decodes one chunk per iteration with one reused decoder
// and reports allocations per record.
func benchDecodeChunk(b *testing.B, keep Filter) {
	data := benchChunk(b)
	src := Source{Name: "bench", R: bytes.NewReader(append(make([]byte, FileHeaderSize), data...)), Size: FileHeaderSize + ChunkSize}
	d := newDecoder()
	buf := make([]byte, ChunkSize)
	res := &chunkResult{}
	d.decodeSlot(src, 0, buf, res, keep)
	per := len(res.records) + res.skipped
	if per == 0 || len(res.errs) > 0 {
		b.Fatalf("chunk decodes to %d records, errors %v", per, res.errs)
	}
	b.SetBytes(ChunkSize)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d.decodeSlot(src, 0, buf, res, keep)
	}
	b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkNativeChunkDecode: every record fully decoded (one string per
// record is the expected allocation).
func BenchmarkNativeChunkDecode(b *testing.B) { benchDecodeChunk(b, nil) }

// BenchmarkNativeChunkSkip: every record rejected by the Filter; the skip
// path must not allocate.
func BenchmarkNativeChunkSkip(b *testing.B) {
	benchDecodeChunk(b, func(string, uint16) bool { return false })
}

// BenchmarkNativeFile parses the whole 31 MB file, records visited and
// dropped.
func BenchmarkNativeFile(b *testing.B) {
	shared := sharedDir(b)
	path := filepath.Join(shared, "bench", "sysmon-31mb.evtx")
	f, err := os.Open(path)
	if err != nil {
		b.Skip(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		b.Fatal(err)
	}
	for _, jobs := range []int{1, 0} {
		name := "jobs=NumCPU"
		if jobs == 1 {
			name = "jobs=1"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			n := 0
			for i := 0; i < b.N; i++ {
				rep, err := Native{Jobs: jobs}.Parse(context.Background(), Source{Name: path, R: f, Size: fi.Size()}, Options{},
					func(*Record) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				n += rep.Records
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
