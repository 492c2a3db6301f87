package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand"
	"testing"
)

// The digest must be the file's whatever order, overlap and coverage the
// reads come in.
func TestHashingReaderMatchesWholeFile(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	data := make([]byte, 3<<20+123)
	rng.Read(data)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	patterns := map[string]func(read func(off, n int64)){
		"none": func(read func(off, n int64)) {},
		"ascending": func(read func(off, n int64)) {
			for off := int64(0); off < int64(len(data)); off += 65536 {
				read(off, 65536)
			}
		},
		"swapped pairs and a header": func(read func(off, n int64)) {
			read(0, 128)
			read(4096, 8)
			for off := int64(4096); off+2*65536 <= int64(len(data)); off += 2 * 65536 {
				read(off+65536, 65536)
				read(off, 65536)
			}
		},
		"random": func(read func(off, n int64)) {
			for i := 0; i < 200; i++ {
				read(rng.Int63n(int64(len(data))), rng.Int63n(200000))
			}
		},
		"descending": func(read func(off, n int64)) {
			for off := int64(len(data)) - 65536; off >= 0; off -= 65536 {
				read(off, 65536)
			}
		},
	}
	for name, pattern := range patterns {
		hr := newHashingReader(bytes.NewReader(data), int64(len(data)))
		pattern(func(off, n int64) {
			buf := make([]byte, n)
			hr.ReadAt(buf, off)
		})
		got, err := hr.Sum()
		if err != nil || got != want {
			t.Errorf("%s: %s, %v; want %s", name, got, err, want)
		}
		if hr.held > maxHeld {
			t.Errorf("%s: held %d bytes", name, hr.held)
		}
	}
}
