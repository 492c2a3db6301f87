package evtx

import (
	"errors"
	"fmt"
)

// Sentinel conditions callers branch on; ParseError wraps them.
var (
	ErrNotEVTX       = errors.New("not an EVTX file (bad file signature)")
	ErrBadChunkMagic = errors.New("bad chunk signature")
	ErrTruncated     = errors.New("data ends early")
	ErrBadRecord     = errors.New("malformed record")
	ErrBinXML        = errors.New("malformed binary XML")
	ErrPanic         = errors.New("parser panicked")
)

// ParseError locates a problem: which file, which chunk, which record.
// Chunk and Record are -1 and Offset is -1 when they do not apply.
type ParseError struct {
	File     string
	Chunk    int    // chunk slot index
	Offset   int64  // absolute file offset
	RecordID uint64 // 0 when unknown
	Err      error
}

func (e *ParseError) Error() string {
	s := e.File
	if e.Chunk >= 0 {
		s += fmt.Sprintf(": chunk %d", e.Chunk)
	}
	if e.Offset >= 0 {
		s += fmt.Sprintf(" @0x%x", e.Offset)
	}
	if e.RecordID != 0 {
		s += fmt.Sprintf(" record %d", e.RecordID)
	}
	return s + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }
