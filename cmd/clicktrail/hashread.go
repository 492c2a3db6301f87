package main

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"sync"
)

// hashingReader computes a file's SHA-256 from the reads the parser makes
// anyway, so the evidence is read once, not twice. The parser's workers
// read chunk slots in nearly ascending order; a read that lands ahead of
// what is hashed is kept (bounded) until the gap before it is filled, and
// whatever no read covered is read at the end.
type hashingReader struct {
	r    io.ReaderAt
	size int64

	mu      sync.Mutex
	h       hash.Hash
	pos     int64            // bytes [0, pos) are hashed
	pending map[int64][]byte // reads ahead of pos, by offset
	held    int              // bytes held in pending
}

// maxHeld bounds the bytes kept for reordering: a few chunks per worker.
const maxHeld = 8 << 20

func newHashingReader(r io.ReaderAt, size int64) *hashingReader {
	return &hashingReader{r: r, size: size, h: sha256.New(), pending: map[int64][]byte{}}
}

func (hr *hashingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := hr.r.ReadAt(p, off)
	if n > 0 {
		hr.note(p[:n], off)
	}
	return n, err
}

func (hr *hashingReader) note(b []byte, off int64) {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	end := off + int64(len(b))
	switch {
	case end <= hr.pos:
		return // already hashed
	case off <= hr.pos:
		hr.h.Write(b[hr.pos-off:])
		hr.pos = end
	default:
		if hr.held+len(b) > maxHeld {
			return // too far ahead: the final pass reads it
		}
		if old, ok := hr.pending[off]; ok && len(old) >= len(b) {
			return
		}
		hr.pending[off] = append([]byte(nil), b...)
		hr.held += len(b)
		return
	}
	hr.drain()
}

// drain hashes held reads that now join up with pos.
func (hr *hashingReader) drain() {
	for progressed := true; progressed; {
		progressed = false
		for off, b := range hr.pending {
			end := off + int64(len(b))
			if off > hr.pos {
				continue
			}
			if end > hr.pos {
				hr.h.Write(b[hr.pos-off:])
				hr.pos = end
				progressed = true
			}
			delete(hr.pending, off)
			hr.held -= len(b)
		}
	}
}

// Sum reads what the parser did not and returns the hex digest of the
// whole file.
func (hr *hashingReader) Sum() (string, error) {
	hr.mu.Lock()
	defer hr.mu.Unlock()
	hr.pending, hr.held = map[int64][]byte{}, 0
	if hr.pos < hr.size {
		if _, err := io.CopyBuffer(hr.h, io.NewSectionReader(hr.r, hr.pos, hr.size-hr.pos), make([]byte, 1<<20)); err != nil {
			return "", err
		}
		hr.pos = hr.size
	}
	return hex.EncodeToString(hr.h.Sum(nil)), nil
}
