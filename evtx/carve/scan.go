package carve

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/clicktrail/clicktrail/evtx"
)

// DefaultWindow is how many bytes are scanned per read.
const DefaultWindow = 4 << 20

// Bounds that keep memory flat on any input.
const (
	maxRunChunks = 4096                           // 256 MiB of chunks per Run
	maxChain     = evtx.ChunkSize / minRecordSize // records waiting for a placement
	minFiller    = 32                             // smallest filler record: header, a token, size copy
	fillerToken  = 0xff                           // no binary XML token has this value
)

// Options tune a scan.
type Options struct {
	// Window is the number of bytes read at a time; DefaultWindow if 0.
	Window int
	// Progress, when set, is called after each window with the number of
	// bytes of the range scanned so far.
	Progress func(done int64)
}

// Stats counts what a scan saw.
type Stats struct {
	Scanned        int64
	ChunkSigs      int // chunk signatures seen
	SoundChunks    int // chunks kept as they are
	RepairedChunks int // chunks rebuilt around surviving records
	Records        int // valid records found outside sound chunks
	Placed         int // of those, records put back in a rebuilt chunk
	// Unplaced records could not be put back at their offset in a chunk:
	// none of their neighbours carried its template inline and no chunk
	// signature survived, so they cannot be decoded.
	Unplaced int
}

// Scan looks for chunks and records starting in [start, end) of r and
// calls emit with each Run. Chunks may extend past end: the bytes behind
// the range are read to complete them. The error is ctx's, a read error of
// r, or emit's.
func Scan(ctx context.Context, r io.ReaderAt, start, end int64, opt Options, emit func(*Run) error) (Stats, error) {
	c := New(r, opt, emit)
	if err := c.Scan(ctx, start, end); err != nil {
		return c.Stats(), err
	}
	err := c.Finish()
	return c.Stats(), err
}

// Carver scans several ranges of one input, in increasing order, as one
// pass: a chunk found at the end of one range is not found again as loose
// records at the start of the next, and buffers are allocated once.
type Carver struct {
	s      *scanner
	opt    Options
	buf    []byte
	next   int64 // candidates before next are inside something already taken
	done   int64 // bytes scanned over all ranges
	window int
}

// New returns a Carver over r. emit is called with each Run found.
func New(r io.ReaderAt, opt Options, emit func(*Run) error) *Carver {
	w := opt.Window
	if w <= 0 {
		w = DefaultWindow
	}
	return &Carver{
		s:      &scanner{r: r, emit: emit, hint: -1, scratch: make([]byte, evtx.ChunkSize)},
		opt:    opt,
		window: w,
	}
}

// Stats returns what the scan has seen so far.
func (c *Carver) Stats() Stats {
	st := c.s.stats
	st.Scanned = c.done
	return st
}

// Scan scans [start, end); ranges must come in increasing order.
func (c *Carver) Scan(ctx context.Context, start, end int64) error {
	if c.buf == nil {
		c.buf = make([]byte, c.window+evtx.ChunkSize)
	}
	w := c.window
	next := max(c.next, start)
	done0 := c.done
	defer func() { c.done = done0 + max(end-start, 0) }()
	for pos := start; pos < end; pos += int64(w) {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := c.s.r.ReadAt(c.buf, pos)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("carving @%#x: %w", pos, err)
		}
		lim := int(min(int64(w), end-pos, int64(n)))
		if err := c.s.window(c.buf[:n], pos, lim, &next); err != nil {
			return err
		}
		c.done = done0 + min(pos+int64(w), end) - start
		if c.opt.Progress != nil {
			c.opt.Progress(c.done)
		}
		if n < len(c.buf) && n <= lim {
			break // the input ends inside this window
		}
	}
	c.next = next
	return nil
}

// Finish hands out what is still gathered; call it once after the last
// Scan.
func (c *Carver) Finish() error {
	s := c.s
	if err := s.flushPlacement(); err != nil {
		return err
	}
	s.dropChain()
	return s.flushRun()
}

type placed struct {
	off int // in the chunk
	rec record
}

// placement is records put back into one chunk, not yet rebuilt.
type placement struct {
	c    int64 // input offset of the chunk
	recs []placed
}

type scanner struct {
	r     io.ReaderAt
	emit  func(*Run) error
	stats Stats

	run *Run // chunks gathered for the next Run

	// hint is the offset of a damaged chunk's signature; records up to
	// 64 KiB behind it belong to it. hintHeader keeps its header when the
	// header checksum held (the records did not), so its tables are kept.
	hint       int64
	hintHeader []byte

	pend  *placement
	chain []record // consecutive records waiting for one that places them

	scratch []byte // one chunk, to rebuild a header
}

// window handles candidates starting in b[:lim]; b holds a chunk's worth
// of bytes more where the input has them.
func (s *scanner) window(b []byte, pos int64, lim int, next *int64) error {
	ci, ri := -2, -2 // next candidates at or after i; -2 unknown, -1 none
	for i := int(max(*next-pos, 0)); i < lim; {
		if ci != -1 && ci < i {
			ci = indexFrom(b, chunkMagic, i, lim)
		}
		if ri != -1 && ri < i {
			ri = indexFrom(b, recordMagic, i, lim)
		}
		k, isChunk := ri, false
		if ci >= 0 && (ri < 0 || ci < ri) {
			k, isChunk = ci, true
		}
		if k < 0 {
			break
		}
		p := pos + int64(k)
		if err := s.expire(p); err != nil {
			return err
		}
		var adv int
		var err error
		if isChunk {
			adv, err = s.chunkAt(p, b[k:])
		} else {
			adv, err = s.recordAt(p, b[k:])
		}
		if err != nil {
			return err
		}
		i = k + adv
		*next = pos + int64(i)
	}
	return nil
}

// indexFrom finds sig starting in b[i:lim]; -1 if none.
func indexFrom(b []byte, sig string, i, lim int) int {
	hi := min(len(b), lim+len(sig)-1)
	if i >= hi {
		return -1
	}
	j := bytes.Index(b[i:hi], []byte(sig))
	if j < 0 {
		return -1
	}
	return i + j
}

// expire ends the damaged-chunk hint and the pending placement once the
// scan is past the chunk they are about.
func (s *scanner) expire(p int64) error {
	if s.hint >= 0 && p >= s.hint+evtx.ChunkSize {
		s.hint, s.hintHeader = -1, nil
	}
	if s.pend != nil && p >= s.pend.c+evtx.ChunkSize {
		return s.flushPlacement()
	}
	return nil
}

// chunkAt looks at a chunk signature at p; b starts there.
func (s *scanner) chunkAt(p int64, b []byte) (int, error) {
	s.stats.ChunkSigs++
	c := b[:min(len(b), evtx.ChunkSize)]
	if chunkSound(c) {
		if err := s.flushPlacement(); err != nil {
			return 0, err
		}
		s.dropChain()
		s.stats.SoundChunks++
		if err := s.addChunk(p, int64(len(c)), nil, 0); err != nil {
			return 0, err
		}
		return len(c), nil
	}
	// A damaged chunk: its records are looked for one by one and put back
	// at their offsets from here.
	if err := s.flushPlacement(); err != nil {
		return 0, err
	}
	s.dropChain()
	s.hint, s.hintHeader = p, nil
	if chunkHeaderCRC(c) {
		s.hintHeader = append([]byte(nil), c[:chunkHeaderSize]...)
	}
	return len(chunkMagic), nil
}

// recordAt looks at a record signature at p; b starts there.
func (s *scanner) recordAt(p int64, b []byte) (int, error) {
	size, id, inl, ok := parseRecord(b)
	if !ok {
		return 1, nil
	}
	s.stats.Records++
	return size, s.place(record{pos: p, size: size, id: id, inlineOff: inl})
}

// place finds the chunk a record belongs to: a damaged chunk's signature
// just before it, a chunk already placed from a neighbour, or its own
// inline template. Otherwise it waits in the chain for a later record.
func (s *scanner) place(rec record) error {
	fits := func(c int64) bool {
		return rec.pos >= c+chunkHeaderSize && rec.pos+int64(rec.size) <= c+evtx.ChunkSize
	}
	if s.hint >= 0 && fits(s.hint) {
		return s.addPlaced(s.hint, rec)
	}
	if s.pend != nil && fits(s.pend.c) && (rec.inlineOff < 0 || rec.pos-int64(rec.inlineOff) == s.pend.c) {
		return s.addPlaced(s.pend.c, rec)
	}
	if rec.inlineOff >= 0 {
		c := rec.pos - int64(rec.inlineOff)
		if n := len(s.chain); n > 0 {
			last := s.chain[n-1]
			if last.pos+int64(last.size) == rec.pos {
				for _, cr := range s.chain {
					if cr.pos >= c+chunkHeaderSize {
						if err := s.addPlaced(c, cr); err != nil {
							return err
						}
					} else {
						s.stats.Unplaced++
					}
				}
				s.chain = s.chain[:0]
			}
		}
		s.dropChain()
		return s.addPlaced(c, rec)
	}
	if n := len(s.chain); n > 0 {
		last := s.chain[n-1]
		if last.pos+int64(last.size) != rec.pos || n >= maxChain {
			s.dropChain()
		}
	}
	s.chain = append(s.chain, rec)
	return nil
}

func (s *scanner) dropChain() {
	s.stats.Unplaced += len(s.chain)
	s.chain = s.chain[:0]
}

func (s *scanner) addPlaced(c int64, rec record) error {
	if s.pend != nil && s.pend.c != c {
		if err := s.flushPlacement(); err != nil {
			return err
		}
	}
	if s.pend == nil {
		s.pend = &placement{c: c}
	}
	s.pend.recs = append(s.pend.recs, placed{off: int(rec.pos - c), rec: rec})
	return nil
}

// flushPlacement rebuilds the pending chunk: filler records bridge the
// gaps from 0x200 to the first record and between records, and a new
// header with both checksums covers them all.
func (s *scanner) flushPlacement() error {
	pd := s.pend
	s.pend = nil
	if pd == nil || len(pd.recs) == 0 {
		return nil
	}
	if pd.c < 0 {
		s.stats.Unplaced += len(pd.recs)
		return nil
	}
	c := s.scratch
	n, err := s.r.ReadAt(c, pd.c)
	if n < chunkHeaderSize {
		if err == nil || errors.Is(err, io.EOF) {
			s.stats.Unplaced += len(pd.recs)
			return nil
		}
		return fmt.Errorf("carving @%#x: %w", pd.c, err)
	}
	c = c[:n]
	// A record that overlaps the one before, runs past the data, or
	// leaves a gap too small for a filler record is given up.
	var recs []placed
	prevEnd := chunkHeaderSize
	for _, pr := range pd.recs {
		gap := pr.off - prevEnd
		if gap < 0 || (gap > 0 && gap < minFiller) || pr.off+pr.rec.size > len(c) {
			s.stats.Unplaced++
			continue
		}
		recs = append(recs, pr)
		prevEnd = pr.off + pr.rec.size
	}
	if len(recs) == 0 {
		return nil
	}
	var patches []patch
	prevEnd = chunkHeaderSize
	for _, pr := range recs {
		if gap := pr.off - prevEnd; gap > 0 {
			patches = append(patches, fillerPatches(c, prevEnd, gap)...)
		}
		prevEnd = pr.off + pr.rec.size
	}
	keep := s.hintHeader != nil && s.hint == pd.c
	if keep {
		copy(c, s.hintHeader)
	}
	firstID, lastID := recs[0].rec.id, recs[0].rec.id
	for _, pr := range recs {
		firstID, lastID = min(firstID, pr.rec.id), max(lastID, pr.rec.id)
	}
	last := recs[len(recs)-1]
	rebuildHeader(c, firstID, lastID, last.off, last.off+last.rec.size, keep)
	hdr := patch{off: 0, data: append([]byte(nil), c[:chunkHeaderSize]...)}
	patches = append([]patch{hdr}, patches...)
	s.stats.RepairedChunks++
	s.stats.Placed += len(recs)
	return s.addChunk(pd.c, int64(len(c)), patches, len(recs))
}

// fillerPatches turns c[at:at+gap] into one record the parser steps over:
// a record header, a token no binary XML has and the trailing size copy,
// laid into c and returned as patches. Parsers report it as one record
// they could not decode, which is what those bytes are; its id is 0, which
// no real record has.
func fillerPatches(c []byte, at, gap int) []patch {
	head := make([]byte, recordHeaderSize+1)
	copy(head, recordMagic)
	binary.LittleEndian.PutUint32(head[4:], uint32(gap))
	head[recordHeaderSize] = fillerToken
	tail := make([]byte, 4)
	binary.LittleEndian.PutUint32(tail, uint32(gap))
	copy(c[at:], head)
	copy(c[at+gap-4:], tail)
	return []patch{{off: int64(at), data: head}, {off: int64(at + gap - 4), data: tail}}
}

// addChunk appends a chunk to the run being gathered, or starts a new run
// when it does not follow the last chunk 64 KiB on.
func (s *scanner) addChunk(at, length int64, patches []patch, records int) error {
	r := s.run
	if r == nil || r.Chunks >= maxRunChunks || r.Length != int64(r.Chunks)*evtx.ChunkSize ||
		at != r.Offset+r.Length {
		if err := s.flushRun(); err != nil {
			return err
		}
		r = &Run{Offset: at}
		s.run = r
	}
	base := at - r.Offset
	for _, p := range patches {
		r.patches = append(r.patches, patch{off: base + p.off, data: p.data})
	}
	if patches != nil {
		r.Repaired++
	}
	r.Records += records
	r.Chunks++
	r.Length += length
	return nil
}

func (s *scanner) flushRun() error {
	r := s.run
	s.run = nil
	if r == nil {
		return nil
	}
	return s.emit(r)
}
