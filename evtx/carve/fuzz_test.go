package carve

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/clicktrail/clicktrail/evtx"
)

// FuzzScan: on any bytes the carver returns without panic, its runs lie
// inside the input and hold whole-or-cut chunks, their views read
// consistently, and a parser fed a view does not fail outright. Seeds
// (testdata/fuzz/FuzzScan) hold cut chunks of a shipped log, one with its
// header wiped so records must be placed by their inline templates.
func FuzzScan(f *testing.F) {
	f.Add([]byte("ElfChnk\x00**\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := bytes.NewReader(data)
		var runs []*Run
		st, err := Scan(context.Background(), in, 0, int64(len(data)), Options{Window: 4096}, func(r *Run) error {
			runs = append(runs, r)
			return nil
		})
		if err != nil {
			t.Fatalf("scan of an in-memory input failed: %v", err)
		}
		if st.Scanned != int64(len(data)) || st.Placed > st.Records {
			t.Fatalf("stats %+v for %d bytes", st, len(data))
		}
		p, err := evtx.New("")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range runs {
			if r.Offset < 0 || r.Length <= 0 || r.Offset+r.Length > int64(len(data)) ||
				r.Length > int64(r.Chunks)*evtx.ChunkSize || r.Length <= int64(r.Chunks-1)*evtx.ChunkSize {
				t.Fatalf("run @%d: %d chunks, %d bytes, input %d bytes", r.Offset, r.Chunks, r.Length, len(data))
			}
			view := r.Reader(in)
			all, err := io.ReadAll(io.NewSectionReader(view, 0, r.Size()))
			if err != nil || int64(len(all)) != r.Size() {
				t.Fatalf("run @%d: read %d of %d bytes: %v", r.Offset, len(all), r.Size(), err)
			}
			if _, err := view.ReadAt(make([]byte, 1), r.Size()); !errors.Is(err, io.EOF) {
				t.Fatalf("run @%d: read past the end: %v", r.Offset, err)
			}
			src := evtx.Source{Name: "fuzz", R: view, Size: r.Size()}
			if _, err := p.Parse(context.Background(), src, evtx.Options{}, func(*evtx.Record) error { return nil }); err != nil {
				t.Fatalf("run @%d: parse: %v", r.Offset, err)
			}
		}
	})
}
