package evtx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// testSlots is the layout testFile repeats: the committed seed chunks with
// an empty slot and a slot without a chunk signature between them.
var testSlots = []string{"seed-0", "", "seed-1", "junk", "seed-2"}

// testFile builds a file of repeat copies of testSlots, so the tests below
// run without the shared samples; four copies are enough for the parser to
// use several workers.
func testFile(t *testing.T, repeat int) []byte {
	t.Helper()
	f := seedFile(nil)
	for i := 0; i < repeat*len(testSlots); i++ {
		slot := testSlots[i%len(testSlots)]
		c := make([]byte, ChunkSize)
		switch slot {
		case "":
		case "junk":
			copy(c, "NotAChunk")
		default:
			raw, err := os.ReadFile(filepath.Join("testdata", "fuzz", "FuzzChunk", slot))
			if err != nil {
				t.Fatal(err)
			}
			b, err := parseCorpusFile(raw)
			if err != nil {
				t.Fatalf("slot %d: %v", i, err)
			}
			copy(c, b)
		}
		f = append(f, c...)
	}
	return f
}

func TestNativeSlots(t *testing.T) {
	const repeat = 4
	data := testFile(t, repeat)
	for _, jobs := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("jobs=%d", jobs), func(t *testing.T) {
			var order []int64
			var progress []int64
			rep, err := Native{Jobs: jobs}.Parse(context.Background(), Source{Name: "t", R: bytes.NewReader(data), Size: int64(len(data))},
				Options{Progress: func(n int64) { progress = append(progress, n) }},
				func(r *Record) error {
					order = append(order, r.ChunkOffset<<16|r.Offset)
					if r.Provider == "" || r.EventID == 0 || r.TimeCreated.IsZero() || r.Computer == "" || r.Channel == "" {
						t.Errorf("record %d lacks System values: %+v", r.RecordID, r)
					}
					return nil
				})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Chunks) != repeat*len(testSlots) {
				t.Fatalf("%d chunk statuses, want %d", len(rep.Chunks), repeat*len(testSlots))
			}
			want := []struct {
				empty, badMagic bool
				records         int
			}{{false, false, 3}, {true, false, 0}, {false, false, 3}, {false, true, 0}, {false, false, 1}}
			for i := range rep.Chunks {
				w, st := want[i%len(want)], rep.Chunks[i]
				if st.Index != i || st.Empty != w.empty || st.BadMagic != w.badMagic || st.Records != w.records {
					t.Errorf("slot %d: %+v, want empty=%v badMagic=%v records=%d", i, st, w.empty, w.badMagic, w.records)
				}
				if !w.empty && !w.badMagic && (!st.HeaderCRCValid || !st.DataCRCValid) {
					t.Errorf("slot %d: CRC flags %v/%v", i, st.HeaderCRCValid, st.DataCRCValid)
				}
			}
			if rep.Records != 7*repeat || len(order) != 7*repeat {
				t.Errorf("records: report %d, visited %d, want %d", rep.Records, len(order), 7*repeat)
			}
			for i := 1; i < len(order); i++ {
				if order[i] <= order[i-1] {
					t.Errorf("records out of file order: %x after %x", order[i], order[i-1])
				}
			}
			if len(rep.Errors) != repeat {
				t.Errorf("errors %v, want %d bad chunk signatures", rep.Errors, repeat)
			}
			for _, e := range rep.Errors {
				if !errors.Is(e, ErrBadChunkMagic) {
					t.Errorf("unexpected error %v", e)
				}
			}
			if rep.BadChunks() != repeat {
				t.Errorf("BadChunks() = %d, want %d", rep.BadChunks(), repeat)
			}
			if len(progress) != len(rep.Chunks) || progress[len(progress)-1] != int64(len(data)) {
				t.Errorf("progress %v", progress)
			}
			for i := 1; i < len(progress); i++ {
				if progress[i] < progress[i-1] {
					t.Errorf("progress not monotonic: %v", progress)
				}
			}
		})
	}
}

func TestNativeFilter(t *testing.T) {
	data := testFile(t, 4)
	all, _, err := parseBytes(Native{Jobs: 1}, data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	target := all[0]
	tests := []struct {
		name string
		keep Filter
		want int
	}{
		{"none", func(string, uint16) bool { return false }, 0},
		{"all", func(string, uint16) bool { return true }, len(all)},
		{"one provider and id", func(p string, id uint16) bool { return p == target.Provider && id == target.EventID }, countMatch(all, target)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rep, err := parseBytes(Native{Jobs: 2}, data, Options{Filter: tt.keep})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want || rep.Records != tt.want || rep.Skipped != len(all)-tt.want {
				t.Errorf("kept %d (report %d), skipped %d; want %d kept of %d", len(got), rep.Records, rep.Skipped, tt.want, len(all))
			}
		})
	}
}

func countMatch(all []Record, r Record) int {
	n := 0
	for _, x := range all {
		if x.Provider == r.Provider && x.EventID == r.EventID {
			n++
		}
	}
	return n
}

// parseBytes parses data and keeps copies of the records.
func parseBytes(p Parser, data []byte, opt Options) ([]Record, *FileReport, error) {
	var out []Record
	rep, err := p.Parse(context.Background(), Source{Name: "t", R: bytes.NewReader(data), Size: int64(len(data))}, opt,
		func(r *Record) error {
			c := *r
			c.Data = append([]Field(nil), r.Data...)
			out = append(out, c)
			return nil
		})
	return out, rep, err
}

func TestNativeStops(t *testing.T) {
	data := testFile(t, 4)
	stop := errors.New("enough")
	for _, jobs := range []int{1, 2} {
		n := 0
		_, err := Native{Jobs: jobs}.Parse(context.Background(), Source{Name: "t", R: bytes.NewReader(data), Size: int64(len(data))}, Options{},
			func(*Record) error {
				n++
				if n == 2 {
					return stop
				}
				return nil
			})
		if !errors.Is(err, stop) || n != 2 {
			t.Errorf("jobs=%d: visitor error: got %v after %d records", jobs, err, n)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = Native{Jobs: jobs}.Parse(ctx, Source{Name: "t", R: bytes.NewReader(data), Size: int64(len(data))}, Options{},
			func(*Record) error { return nil })
		if !errors.Is(err, context.Canceled) {
			t.Errorf("jobs=%d: cancelled context: got %v", jobs, err)
		}
	}
}

func TestNew(t *testing.T) {
	for _, tt := range []struct{ name, want string }{{"", "native"}, {"native", "native"}, {"golang-evtx", "golang-evtx"}} {
		p, err := New(tt.name)
		if err != nil || p.Name() != tt.want {
			t.Errorf("New(%q) = %v, %v; want %s", tt.name, p, err, tt.want)
		}
	}
	if _, err := New("nope"); err == nil {
		t.Error("New(nope) succeeded")
	}
}

// TestNativeAllocs pins the allocation budget of chunk decoding: nothing
// for a record the Filter rejects (it is skipped before its data is
// decoded), one string per kept record.
func TestNativeAllocs(t *testing.T) {
	data := testFile(t, 1)
	src := Source{Name: "t", R: bytes.NewReader(data), Size: int64(len(data))}
	d := newDecoder()
	buf := make([]byte, ChunkSize)
	res := &chunkResult{}
	var calls int
	reject := func(string, uint16) bool { calls++; return false }
	for _, tt := range []struct {
		name string
		keep Filter
		max  func(records int) float64
	}{
		{"skip", reject, func(int) float64 { return 0 }},
		{"decode", nil, func(n int) float64 { return float64(n) }},
	} {
		d.decodeSlot(src, 0, buf, res, tt.keep) // warm the decoder's buffers
		records := len(res.records)
		calls = 0
		allocs := testing.AllocsPerRun(20, func() { d.decodeSlot(src, 0, buf, res, tt.keep) })
		if allocs > tt.max(records) {
			t.Errorf("%s: %.1f allocations per chunk of %d records, want at most %.0f", tt.name, allocs, records, tt.max(records))
		}
		if tt.keep != nil && (calls == 0 || res.skipped == 0 || len(res.records) != 0) {
			t.Errorf("%s: filter called %d times, %d skipped, %d kept", tt.name, calls, res.skipped, len(res.records))
		}
	}
}
