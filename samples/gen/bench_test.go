package gen

import (
	"context"
	"errors"
	"io"
	"testing"
)

// countFile is an in-memory sink that keeps only the size, so the
// benchmark measures generation, not the disk.
type countFile struct{ pos, size int64 }

func (c *countFile) Write(p []byte) (int, error) {
	c.pos += int64(len(p))
	c.size = max(c.size, c.pos)
	return len(p), nil
}

func (c *countFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		c.pos = off
	case io.SeekCurrent:
		c.pos += off
	case io.SeekEnd:
		c.pos = c.size + off
	}
	if c.pos < 0 {
		return 0, errors.New("negative seek")
	}
	return c.pos, nil
}

func (c *countFile) Close() error { return nil }

// BenchmarkGenerate measures --size output per core: b.SetBytes is the
// .evtx bytes written per iteration (32 MiB of mixed Sysmon traffic).
//
//	go test ./samples/gen -run '^$' -bench Generate -benchtime 5x
func BenchmarkGenerate(b *testing.B) {
	const size = 32 << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(context.Background(), func(string) (File, error) { return &countFile{}, nil },
			Options{Size: size, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriter measures the encoder alone on one prepared event.
func BenchmarkWriter(b *testing.B) {
	sc, err := Builtin("rule-tests")
	if err != nil {
		b.Fatal(err)
	}
	var evs []*Event
	if _, err := WriteScenario(context.Background(), &countFile{}, sc, ScenarioOptions{OnRecord: func(_ Placed, ev *Event) { evs = append(evs, ev) }}); err != nil {
		b.Fatal(err)
	}
	w, err := NewWriter(&countFile{}, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n int64
	for i := 0; b.Loop(); i++ {
		if _, err := w.Write(evs[i%len(evs)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.SetBytes(w.Bytes() / max(n, 1))
}
