package carve

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/clicktrail/clicktrail/evtx"
)

// sample is a shipped Sysmon log whose 26 chunks are all sound.
var sample = filepath.Join("..", "..", "samples", "evtx", "positives", "museum__Win10_APTSimulatorVM_Microsoft-Windows-Sysmon%4Operational.evtx")

func loadSample(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// chunk returns chunk slot i of an EVTX file.
func chunk(file []byte, i int) []byte {
	off := evtx.FileHeaderSize + i*evtx.ChunkSize
	return file[off : off+evtx.ChunkSize]
}

// rec is a decoded record: its id and its offset in the input it came from.
type rec struct {
	ID  uint64
	Off int64
}

// decode parses src with the default parser and returns its records,
// offsets moved by base.
func decode(t testing.TB, src evtx.Source, base int64) []rec {
	t.Helper()
	return decodeWith(t, "", src, base)
}

func decodeWith(t testing.TB, parser string, src evtx.Source, base int64) []rec {
	t.Helper()
	p, err := evtx.New(parser)
	if err != nil {
		t.Fatal(err)
	}
	var out []rec
	_, err = p.Parse(context.Background(), src, evtx.Options{}, func(r *evtx.Record) error {
		out = append(out, rec{r.RecordID, base + r.ChunkOffset + r.Offset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Off < out[j].Off })
	return out
}

// chunkRecords decodes one chunk of the sample as it is placed at off in
// an input.
func chunkRecords(t testing.TB, file []byte, i int, off int64) []rec {
	t.Helper()
	view := append(append([]byte(nil), file[:evtx.FileHeaderSize]...), chunk(file, i)...)
	return decode(t, evtx.Source{Name: "chunk", R: bytes.NewReader(view), Size: int64(len(view))}, off-evtx.FileHeaderSize)
}

// carveAll scans all of input and decodes every run.
func carveAll(t testing.TB, input []byte, opt Options) ([]*Run, []rec, Stats) {
	t.Helper()
	return carveAllWith(t, "", input, opt)
}

func carveAllWith(t testing.TB, parser string, input []byte, opt Options) ([]*Run, []rec, Stats) {
	t.Helper()
	var runs []*Run
	st, err := Scan(context.Background(), bytes.NewReader(input), 0, int64(len(input)), opt, func(r *Run) error {
		runs = append(runs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var recs []rec
	for _, r := range runs {
		src := evtx.Source{Name: "run", R: r.Reader(bytes.NewReader(input)), Size: r.Size()}
		recs = append(recs, decodeWith(t, parser, src, r.Base())...)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Off < recs[j].Off })
	return runs, recs, st
}

func junk(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func runShapes(runs []*Run) string {
	s := ""
	for _, r := range runs {
		s += fmt.Sprintf("[@%#x %d chunks, %d repaired, %d bytes]", r.Offset, r.Chunks, r.Repaired, r.Length)
	}
	return s
}

func sameRecs(t *testing.T, got, want []rec) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("record %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestScanFindsChunksAnywhere: chunks at odd offsets, behind junk, read in
// windows smaller or larger than a chunk, come back whole, each record at
// its offset in the input.
func TestScanFindsChunksAnywhere(t *testing.T) {
	file := loadSample(t)
	for _, prefix := range []int{0, 1, 777, 4096, evtx.ChunkSize + 13} {
		for _, window := range []int{0, 4096, 100_000} {
			t.Run(fmt.Sprintf("prefix=%d/window=%d", prefix, window), func(t *testing.T) {
				var in []byte
				in = append(in, junk(1, prefix)...)
				var want []rec
				for i := 3; i < 6; i++ {
					want = append(want, chunkRecords(t, file, i, int64(len(in)))...)
					in = append(in, chunk(file, i)...)
				}
				in = append(in, junk(2, 333)...)
				second := int64(len(in))
				want = append(want, chunkRecords(t, file, 10, second)...)
				in = append(in, chunk(file, 10)...)
				in = append(in, make([]byte, 5000)...)

				runs, got, st := carveAll(t, in, Options{Window: window})
				wantShape := fmt.Sprintf("[@%#x 3 chunks, 0 repaired, %d bytes][@%#x 1 chunks, 0 repaired, %d bytes]",
					prefix, 3*evtx.ChunkSize, second, evtx.ChunkSize)
				if runShapes(runs) != wantShape {
					t.Fatalf("runs %s, want %s", runShapes(runs), wantShape)
				}
				sameRecs(t, got, want)
				if st.SoundChunks != 4 || st.RepairedChunks != 0 || st.Scanned != int64(len(in)) {
					t.Errorf("stats %+v", st)
				}
			})
		}
	}
}

// TestScanTruncatedChunk: a chunk cut short (a file cut short, the end of
// a dump) still gives the records that are whole.
func TestScanTruncatedChunk(t *testing.T) {
	file := loadSample(t)
	all := chunkRecords(t, file, 7, 100)
	for _, n := range []int{0x200 + 100, 30000, evtx.ChunkSize - 1} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			in := append(junk(3, 100), chunk(file, 7)[:n]...)
			runs, got, _ := carveAll(t, in, Options{})
			if len(runs) != 1 || runs[0].Length != int64(n) {
				t.Fatalf("runs %s, want one of %d bytes", runShapes(runs), n)
			}
			var whole []rec
			for i, r := range all {
				end := int64(len(in))
				if i+1 < len(all) {
					end = all[i+1].Off
				}
				if end <= int64(len(in)) && r.Off+24 < int64(len(in)) {
					whole = append(whole, r)
				}
			}
			// Every record decoded is one the chunk holds, at its place.
			for _, g := range got {
				if !containsRec(all, g) {
					t.Errorf("decoded %+v, which the chunk does not hold there", g)
				}
			}
			if n >= 30000 && len(got) == 0 {
				t.Errorf("nothing decoded from %d bytes of chunk", n)
			}
		})
	}
}

func containsRec(rs []rec, r rec) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// TestScanGarbage: noise, zeros and signatures with nothing valid behind
// them give no runs and no records.
func TestScanGarbage(t *testing.T) {
	sigs := junk(4, 1<<20)
	for i := 0; i+16 < len(sigs); i += 997 {
		if i%2 == 0 {
			copy(sigs[i:], chunkMagic)
		} else {
			copy(sigs[i:], recordMagic)
			binary.LittleEndian.PutUint32(sigs[i+4:], 64)
		}
	}
	cases := map[string][]byte{
		"empty":      nil,
		"zeros":      make([]byte, 3<<20),
		"noise":      junk(5, 2<<20),
		"signatures": sigs,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			runs, recs, st := carveAll(t, in, Options{Window: 1 << 16})
			if len(runs) != 0 || len(recs) != 0 || st.Placed != 0 {
				t.Errorf("runs %s, %d records, stats %+v", runShapes(runs), len(recs), st)
			}
		})
	}
}

// TestScanRebuildsWipedHeader: a chunk whose header, string and template
// tables are overwritten is rebuilt around its records, which carry their
// templates inline where first used; all of them decode, at their offsets.
func TestScanRebuildsWipedHeader(t *testing.T) {
	file := loadSample(t)
	for _, tc := range []struct{ fill, parser string }{{"zeros", "native"}, {"noise", "native"}, {"zeros", "golang-evtx"}} {
		fill := tc.fill
		t.Run(tc.fill+"/"+tc.parser, func(t *testing.T) {
			c := append([]byte(nil), chunk(file, 25)...)
			if fill == "zeros" {
				clear(c[:chunkHeaderSize])
			} else {
				copy(c, junk(6, chunkHeaderSize))
			}
			in := append(append(junk(7, 4096+512), c...), junk(8, 1000)...)
			want := chunkRecords(t, file, 25, 4096+512)
			runs, got, st := carveAllWith(t, tc.parser, in, Options{})
			if len(runs) != 1 || runs[0].Repaired != 1 || runs[0].Offset != 4096+512 {
				t.Fatalf("runs %s", runShapes(runs))
			}
			sameRecs(t, got, want)
			if st.Placed != len(want) || st.Unplaced != 0 {
				t.Errorf("stats %+v, want %d placed", st, len(want))
			}
		})
	}
}

// TestScanRecordsAroundDamage: records overwritten in the middle of a
// chunk are bridged by a filler record; the records before them decode,
// and so do the records after them, and none that the chunk does not hold.
func TestScanRecordsAroundDamage(t *testing.T) {
	file := loadSample(t)
	all := chunkRecords(t, file, 12, 0)
	lo, hi := len(all)/3, len(all)/3+3 // records lo..hi-1 are overwritten
	c := append([]byte(nil), chunk(file, 12)...)
	copy(c[all[lo].Off:all[hi].Off], junk(9, int(all[hi].Off-all[lo].Off)))
	for _, parser := range []string{"native", "golang-evtx"} {
		t.Run(parser, func(t *testing.T) {
			_, got, st := carveAllWith(t, parser, c, Options{})
			if st.RepairedChunks != 1 {
				t.Fatalf("stats %+v", st)
			}
			for _, g := range got {
				if !containsRec(all, g) && g.Off < all[len(all)-1].Off {
					t.Errorf("decoded %+v, which the chunk does not hold there", g)
				}
			}
			for _, w := range all[:lo] {
				if !containsRec(got, w) {
					t.Errorf("record %d before the damage is lost", w.ID)
				}
			}
			after := 0
			for _, w := range all[hi:] {
				if containsRec(got, w) {
					after++
				}
			}
			if after == 0 {
				t.Errorf("no record after the damage recovered (%d decoded of %d)", len(got), len(all))
			}
			t.Logf("%d of the %d records after the damage recovered", after, len(all)-hi)
		})
	}
}

// TestRunReaderMatchesView: every read of a run's view, at any offset and
// length, gives the bytes of the synthetic header, the input and the
// patches laid over it.
func TestRunReaderMatchesView(t *testing.T) {
	file := loadSample(t)
	c := append([]byte(nil), chunk(file, 2)...)
	clear(c[:chunkHeaderSize])
	in := append(append(junk(10, 300), chunk(file, 1)...), c...)
	in = in[:len(in)-20000] // the last chunk is cut short
	var runs []*Run
	if _, err := Scan(context.Background(), bytes.NewReader(in), 0, int64(len(in)), Options{}, func(r *Run) error {
		runs = append(runs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Chunks != 2 || runs[0].Repaired != 1 {
		t.Fatalf("runs %s", runShapes(runs))
	}
	r := runs[0]
	// The view, built the slow way.
	h := fileHeader(r.Chunks)
	view := append(append(h[:], make([]byte, evtx.FileHeaderSize-len(h))...), in[r.Offset:r.Offset+r.Length]...)
	for _, p := range r.patches {
		copy(view[evtx.FileHeaderSize+p.off:], p.data)
	}
	if int64(len(view)) != r.Size() {
		t.Fatalf("size %d, view %d", r.Size(), len(view))
	}
	ra := r.Reader(bytes.NewReader(in))
	rnd := rand.New(rand.NewPCG(11, 1))
	for i := 0; i < 2000; i++ {
		off := rnd.Int64N(r.Size() + 10)
		n := rnd.IntN(3 * evtx.ChunkSize / 2)
		buf := make([]byte, n)
		got, err := ra.ReadAt(buf, off)
		wantN := int(max(0, min(int64(n), r.Size()-off)))
		if got != wantN {
			t.Fatalf("ReadAt(%d bytes @%d) = %d, %v; want %d", n, off, got, err, wantN)
		}
		if got < n && err == nil {
			t.Fatalf("ReadAt(%d bytes @%d) short without an error", n, off)
		}
		if !bytes.Equal(buf[:got], view[off:off+int64(got)]) {
			t.Fatalf("ReadAt(%d bytes @%d) differs from the view", n, off)
		}
	}
}

// TestCarverRangesSplitAChunk: a chunk that starts in one range and ends in
// the next is found once, and nothing of it is carved again as records.
func TestCarverRangesSplitAChunk(t *testing.T) {
	file := loadSample(t)
	in := append(junk(12, 1000), chunk(file, 4)...)
	in = append(in, junk(13, 1000)...)
	var runs []*Run
	c := New(bytes.NewReader(in), Options{}, func(r *Run) error { runs = append(runs, r); return nil })
	ctx := context.Background()
	for _, rg := range [][2]int64{{0, 20000}, {20000, 40000}, {40000, int64(len(in))}} {
		if err := c.Scan(ctx, rg[0], rg[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	if runShapes(runs) != fmt.Sprintf("[@%#x 1 chunks, 0 repaired, %d bytes]", 1000, evtx.ChunkSize) {
		t.Fatalf("runs %s", runShapes(runs))
	}
	if st := c.Stats(); st.Records != 0 || st.Scanned != int64(len(in)) {
		t.Errorf("stats %+v", st)
	}
}

// TestScanProgressAndCancel: progress rises to the size of the range, and
// a cancelled context stops the scan with its error.
func TestScanProgressAndCancel(t *testing.T) {
	in := make([]byte, 1<<20)
	var seen []int64
	_, err := Scan(context.Background(), bytes.NewReader(in), 0, int64(len(in)), Options{Window: 1 << 16, Progress: func(d int64) { seen = append(seen, d) }}, func(*Run) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 16 || seen[len(seen)-1] != int64(len(in)) || !sort.SliceIsSorted(seen, func(i, j int) bool { return seen[i] < seen[j] }) {
		t.Errorf("progress %v", seen)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Scan(ctx, bytes.NewReader(in), 0, int64(len(in)), Options{}, func(*Run) error { return nil }); err != context.Canceled {
		t.Errorf("cancelled scan: %v", err)
	}
}
