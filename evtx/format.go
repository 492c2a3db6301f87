package evtx

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// On-disk layout constants shared by every backend.
const (
	fileMagic       = "ElfFile\x00"
	chunkMagic      = "ElfChnk\x00"
	chunkHeaderSize = 0x200 // header plus string and template tables
	flagDirty       = 0x1
	flagFull        = 0x2
)

// readFileHeader checks the file header. A bad header is an error only when
// the file is too short to hold a chunk: damaged headers are common on
// collected evidence and the chunks behind them are still readable.
func readFileHeader(src Source) (*FileReport, error) {
	rep := &FileReport{Name: src.Name, Size: src.Size}
	var h [128]byte
	n, err := src.R.ReadAt(h[:], 0)
	if n < len(h) {
		if err == nil || errors.Is(err, io.EOF) {
			err = ErrTruncated
		}
		return rep, &ParseError{File: src.Name, Chunk: -1, Offset: 0, Err: fmt.Errorf("file header: %w", err)}
	}
	rep.HeaderValid = string(h[:8]) == fileMagic
	rep.MinorVersion = binary.LittleEndian.Uint16(h[36:])
	rep.MajorVersion = binary.LittleEndian.Uint16(h[38:])
	rep.HeaderChunks = int(binary.LittleEndian.Uint16(h[42:]))
	flags := binary.LittleEndian.Uint32(h[120:])
	rep.Dirty = flags&flagDirty != 0
	rep.Full = flags&flagFull != 0
	rep.HeaderCRCValid = crc32.ChecksumIEEE(h[:120]) == binary.LittleEndian.Uint32(h[124:])
	if !rep.HeaderValid {
		rep.Errors = append(rep.Errors, &ParseError{File: src.Name, Chunk: -1, Offset: 0, Err: ErrNotEVTX})
		if !hasChunkSignature(src) {
			return rep, &ParseError{File: src.Name, Chunk: -1, Offset: 0, Err: ErrNotEVTX}
		}
	}
	return rep, nil
}

// hasChunkSignature says whether the first chunk slot looks like a chunk, so
// that a file with a wiped header is still read but random files are not.
func hasChunkSignature(src Source) bool {
	var m [8]byte
	n, _ := src.R.ReadAt(m[:], FileHeaderSize)
	return n == 8 && string(m[:]) == chunkMagic
}

// readChunkSlot reads slot idx into buf and checks its signature and CRCs.
// The returned slice is buf cut to what was read.
func readChunkSlot(src Source, idx int, off int64, buf []byte) (ChunkStatus, []byte) {
	st := ChunkStatus{Index: idx, Offset: off}
	n, err := src.R.ReadAt(buf[:ChunkSize], off)
	data := buf[:n]
	if n < ChunkSize && err != nil && !errors.Is(err, io.EOF) {
		st.Err = &ParseError{File: src.Name, Chunk: idx, Offset: off, Err: err}
	}
	if isZero(data) {
		st.Empty = true
		return st, data
	}
	if len(data) < 8 || string(data[:8]) != chunkMagic {
		st.BadMagic = true
		st.Err = &ParseError{File: src.Name, Chunk: idx, Offset: off, Err: ErrBadChunkMagic}
		return st, data
	}
	if n < ChunkSize {
		st.Err = &ParseError{File: src.Name, Chunk: idx, Offset: off, Err: fmt.Errorf("%w: chunk has %d of %d bytes", ErrTruncated, n, ChunkSize)}
		full := make([]byte, ChunkSize) // golang-evtx assumes a whole chunk
		copy(full, data)
		data = full
	}
	st.FirstRecordID = binary.LittleEndian.Uint64(data[24:])
	st.LastRecordID = binary.LittleEndian.Uint64(data[32:])
	st.HeaderCRCValid, st.DataCRCValid = chunkCRCs(data)
	return st, data
}

// chunkCRCs checks the header checksum (bytes 0-120 and 128-512) and the
// records checksum (512 up to the free-space offset).
func chunkCRCs(data []byte) (header, records bool) {
	h := crc32.NewIEEE()
	h.Write(data[:120])
	h.Write(data[128:chunkHeaderSize])
	header = h.Sum32() == binary.LittleEndian.Uint32(data[124:])
	free := binary.LittleEndian.Uint32(data[48:])
	if free < chunkHeaderSize || free > ChunkSize {
		return header, false
	}
	records = crc32.ChecksumIEEE(data[chunkHeaderSize:free]) == binary.LittleEndian.Uint32(data[52:])
	return header, records
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func (r *FileReport) noteTime(t time.Time) {
	if t.IsZero() {
		return
	}
	if r.FirstTime.IsZero() || t.Before(r.FirstTime) {
		r.FirstTime = t
	}
	if t.After(r.LastTime) {
		r.LastTime = t
	}
}
