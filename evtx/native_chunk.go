package evtx

import (
	"encoding/binary"
	"fmt"
)

const (
	recordMagic      = 0x00002a2a
	recordHeaderSize = 24
	minRecordSize    = recordHeaderSize + 4 // header and trailing size copy
)

// chunkResult is the decoded content of one chunk slot, handed from a
// worker to the merging goroutine and then recycled.
type chunkResult struct {
	status  ChunkStatus
	records []Record
	fields  []Field
	ranges  [][2]int // each record's slice of fields
	errs    []error
	skipped int

	wantXML   bool
	xml       []byte
	xmlRanges [][2]int
}

func (r *chunkResult) reset(st ChunkStatus) {
	r.status = st
	r.records = r.records[:0]
	r.fields = r.fields[:0]
	r.ranges = r.ranges[:0]
	r.errs = r.errs[:0]
	r.skipped = 0
	r.xml = r.xml[:0]
	r.xmlRanges = r.xmlRanges[:0]
}

// decodeSlot reads and decodes chunk slot idx into res. A panic, which
// would be a bug of this decoder, is turned into an error at this boundary so
// the other chunks still come out.
func (d *decoder) decodeSlot(src Source, idx int, buf []byte, res *chunkResult, keep Filter) {
	off := int64(FileHeaderSize) + int64(idx)*ChunkSize
	st, data := readChunkSlot(src, idx, off, buf)
	res.reset(st)
	if st.Empty || st.BadMagic {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			err := &ParseError{File: src.Name, Chunk: idx, Offset: off, Err: fmt.Errorf("%w: %v", ErrPanic, p)}
			res.errs = append(res.errs, err)
			if res.status.Err == nil {
				res.status.Err = err
			}
			res.records = res.records[:len(res.ranges)]
			if res.wantXML {
				res.xmlRanges = res.xmlRanges[:min(len(res.xmlRanges), len(res.ranges))]
				for len(res.xmlRanges) < len(res.ranges) {
					res.xmlRanges = append(res.xmlRanges, [2]int{len(res.xml), len(res.xml)})
				}
			}
		}
	}()
	d.walkChunk(src.Name, idx, off, data, res, keep)
}

// walkChunk decodes every record from the end of the chunk header up to the
// free-space offset (the whole slot when that offset is impossible). Record
// framing that does not hold (bad signature, a size that is zero, too small
// or past the chunk) ends the walk with an error: the next record cannot be
// found reliably, and a size of zero would never advance. A record whose
// BinXML is bad is reported and the walk goes on, as sizes still chain.
func (d *decoder) walkChunk(file string, idx int, off int64, data []byte, res *chunkResult, keep Filter) {
	d.startChunk(data)
	limit := int(binary.LittleEndian.Uint32(data[48:]))
	if limit < chunkHeaderSize || limit > len(data) {
		limit = len(data)
	}
	stop := func(pos int, id uint64, err error) {
		pe := &ParseError{File: file, Chunk: idx, Offset: off + int64(pos), RecordID: id, Err: err}
		res.errs = append(res.errs, pe)
		if res.status.Err == nil {
			res.status.Err = pe
		}
	}
	pos := chunkHeaderSize
	for pos < limit {
		if pos+recordHeaderSize > len(data) {
			stop(pos, 0, fmt.Errorf("%w: record header past chunk end", ErrTruncated))
			return
		}
		if binary.LittleEndian.Uint32(data[pos:]) != recordMagic {
			stop(pos, 0, fmt.Errorf("%w: bad record signature", ErrBadRecord))
			return
		}
		size := int(binary.LittleEndian.Uint32(data[pos+4:]))
		id := binary.LittleEndian.Uint64(data[pos+8:])
		if size < minRecordSize || size > len(data)-pos {
			stop(pos, id, fmt.Errorf("%w: record size %d", ErrBadRecord, size))
			return
		}
		// A size not repeated at the end marks a record whose write was
		// interrupted; it is kept if its BinXML still decodes. It is
		// reported, and the walk goes on only while record signatures
		// follow.
		torn := int(binary.LittleEndian.Uint32(data[pos+size-4:])) != size
		n := len(res.records)
		if n < cap(res.records) {
			res.records = res.records[:n+1]
		} else {
			res.records = append(res.records, Record{})
		}
		rec := &res.records[n]
		*rec = Record{File: file, ChunkIndex: idx, ChunkOffset: off, Offset: int64(pos), RecordID: id,
			Written: filetimeToTime(binary.LittleEndian.Uint64(data[pos+16:]))}
		// A torn record is decoded in full before the Filter sees it, so
		// that it counts as skipped only if it could have been kept.
		kept, err := d.decodeRecord(pos+recordHeaderSize, pos+size-4, rec, keep, !torn)
		switch {
		case err != nil:
			res.errs = append(res.errs, &ParseError{File: file, Chunk: idx, Offset: off + int64(pos), RecordID: id, Err: err})
			res.records = res.records[:n]
		case !kept:
			res.skipped++
			res.records = res.records[:n]
		case d.chunkText+len(d.buf) > maxChunkText:
			res.errs = append(res.errs, &ParseError{File: file, Chunk: idx, Offset: off + int64(pos), RecordID: id,
				Err: errLimit("chunk renders to more than %d bytes", maxChunkText)})
			res.records = res.records[:n]
		default:
			if rec.RecordID == 0 {
				rec.RecordID = id
			}
			d.chunkText += len(d.buf)
			d.finishRecord(res)
			if res.wantXML {
				a := len(res.xml)
				var xerr error
				if res.xml, xerr = d.renderXML(res.xml); xerr != nil {
					res.errs = append(res.errs, &ParseError{File: file, Chunk: idx, Offset: off + int64(pos), RecordID: id, Err: xerr})
				}
				res.xmlRanges = append(res.xmlRanges, [2]int{a, len(res.xml)})
			}
		}
		if torn {
			res.errs = append(res.errs, &ParseError{File: file, Chunk: idx, Offset: off + int64(pos), RecordID: id,
				Err: fmt.Errorf("%w: record size %d not repeated at its end (half-written record)", ErrBadRecord, size)})
		}
		pos += size
	}
}

// finishRecord turns the record's rendered values into one string and its
// fields into slices of it: one allocation per record.
func (d *decoder) finishRecord(res *chunkResult) {
	a := len(res.fields)
	if len(d.spans) > 0 {
		s := string(d.buf)
		for _, sp := range d.spans {
			res.fields = append(res.fields, Field{Name: sp.name, Value: trimNULs(s[sp.a:sp.b])})
		}
	}
	res.ranges = append(res.ranges, [2]int{a, len(res.fields)})
}

func trimNULs(s string) string {
	for len(s) > 0 && s[len(s)-1] == 0 {
		s = s[:len(s)-1]
	}
	return s
}

// bindFields points each record's Data at its fields, once the chunk's
// field slice has stopped growing.
func (r *chunkResult) bindFields() {
	for i := range r.records {
		rg := r.ranges[i]
		r.records[i].Data = r.fields[rg[0]:rg[1]:rg[1]]
	}
}
