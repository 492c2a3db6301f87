package carve

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/clicktrail/clicktrail/evtx"
)

// Run is chunks found at consecutive 64 KiB steps of the input, read as one
// EVTX file: a synthetic file header, then the chunks.
type Run struct {
	Offset   int64 // input offset of the first chunk
	Chunks   int
	Repaired int   // chunks whose header was rebuilt from their records
	Records  int   // records placed in rebuilt chunks
	Length   int64 // bytes of chunk data; the last chunk may be cut short
	patches  []patch
}

// patch is bytes laid over the input: a rebuilt chunk header, or the ends
// of a filler record spanning bytes that hold no valid record.
type patch struct {
	off  int64 // from Run.Offset
	data []byte
}

// Base is the input offset that offset 0 of the run's EVTX view stands
// for: an offset in the view plus Base is an offset in the input.
func (r *Run) Base() int64 { return r.Offset - evtx.FileHeaderSize }

// Size is the size of the run's EVTX view.
func (r *Run) Size() int64 { return evtx.FileHeaderSize + r.Length }

// Reader returns the run's EVTX view over the input it was found in.
func (r *Run) Reader(in io.ReaderAt) io.ReaderAt {
	return &runReader{run: r, in: in, header: fileHeader(r.Chunks)}
}

type runReader struct {
	run    *Run
	in     io.ReaderAt
	header [chunkHeaderLen]byte
}

func (rr *runReader) ReadAt(p []byte, off int64) (int, error) {
	size := rr.run.Size()
	if off < 0 {
		return 0, fmt.Errorf("carved run @%#x: negative offset %d", rr.run.Offset, off)
	}
	if off >= size {
		return 0, io.EOF
	}
	var eof error
	if int64(len(p)) > size-off {
		p, eof = p[:size-off], io.EOF
	}
	n := 0
	if off < evtx.FileHeaderSize {
		for n < len(p) && off+int64(n) < evtx.FileHeaderSize {
			at := off + int64(n)
			if at < chunkHeaderLen {
				n += copy(p[n:], rr.header[at:])
				continue
			}
			k := min(int64(len(p)-n), evtx.FileHeaderSize-at)
			clear(p[n : n+int(k)])
			n += int(k)
		}
	}
	if n < len(p) {
		dataOff := off + int64(n) - evtx.FileHeaderSize
		m, err := rr.in.ReadAt(p[n:], rr.run.Offset+dataOff)
		if m < len(p)-n {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			rr.overlay(p[n:n+m], dataOff)
			return n + m, err
		}
		rr.overlay(p[n:], dataOff)
		n += m
	}
	return n, eof
}

// overlay lays the run's patches over b, which holds data from dataOff.
func (rr *runReader) overlay(b []byte, dataOff int64) {
	ps := rr.run.patches
	end := dataOff + int64(len(b))
	// Patches are sorted by offset and never overlap.
	i := sort.Search(len(ps), func(i int) bool { return ps[i].off+int64(len(ps[i].data)) > dataOff })
	for ; i < len(ps) && ps[i].off < end; i++ {
		pp := ps[i]
		src, dst := pp.data, pp.off-dataOff
		if dst < 0 {
			src, dst = src[-dst:], 0
		}
		copy(b[dst:], src)
	}
}
