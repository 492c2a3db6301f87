package carve

import (
	"bytes"
	"context"
	"testing"
)

// BenchmarkScan carves 64 MiB of noise holding the sample's chunks, one
// with its header wiped; throughput is in MB/s.
func BenchmarkScan(b *testing.B) {
	file := loadSample(b)
	in := junk(20, 64<<20)
	for i := 0; i < 26; i++ {
		at := 1000 + i*(2<<20)
		copy(in[at:], chunk(file, i))
	}
	clear(in[1000 : 1000+chunkHeaderSize])
	r := bytes.NewReader(in)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		st, err := Scan(context.Background(), r, 0, int64(len(in)), Options{}, func(*Run) error { return nil })
		if err != nil || st.SoundChunks != 25 || st.RepairedChunks != 1 {
			b.Fatalf("%+v %v", st, err)
		}
	}
}
