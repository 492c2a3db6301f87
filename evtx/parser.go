package evtx

import (
	"context"
	"fmt"
	"io"
	"time"
)

// ChunkSize is the fixed size of an EVTX chunk; FileHeaderSize the space the
// file header reserves before the first chunk.
const (
	ChunkSize      = 0x10000
	FileHeaderSize = 0x1000
)

// Source is an input to parse: anything that can be read at an offset.
type Source struct {
	Name string
	R    io.ReaderAt
	Size int64
}

// Visitor receives records in file order. Returning an error stops the
// parse and that error is returned. The record is only valid during the
// call; parsers may reuse it.
type Visitor func(*Record) error

// Filter lets a parser skip records before decoding their data: it is asked
// with the provider name and event id. A nil Filter keeps everything. It may
// be called from a goroutine other than Parse's caller, and not in file
// order, but never concurrently with itself.
type Filter func(provider string, eventID uint16) bool

// Options tune a parse.
type Options struct {
	Filter Filter
	// Progress, when set, is called with the number of bytes of the file
	// that have been dealt with so far (monotonic).
	Progress func(done int64)
}

// Parser is a backend that decodes EVTX files. Implementations must never
// panic on any input, must return every record they can decode, and must
// report everything they could not decode in the FileReport.
type Parser interface {
	Name() string
	Parse(ctx context.Context, src Source, opt Options, visit Visitor) (*FileReport, error)
}

// ChunkStatus is the integrity of one chunk slot.
type ChunkStatus struct {
	Index          int
	Offset         int64
	Empty          bool // slot is all zero or never written
	BadMagic       bool // slot has no ElfChnk signature
	HeaderCRCValid bool
	DataCRCValid   bool
	FirstRecordID  uint64
	LastRecordID   uint64
	Records        int   // records decoded
	Err            error // what stopped the walk of this chunk early, if anything
}

// FileReport is what a parse saw of one file.
type FileReport struct {
	Name           string
	Size           int64
	Parser         string
	HeaderValid    bool // ElfFile signature present
	HeaderCRCValid bool
	Dirty          bool
	Full           bool
	MajorVersion   uint16
	MinorVersion   uint16
	HeaderChunks   int // chunk count the header claims
	Chunks         []ChunkStatus
	Records        int // records yielded
	Skipped        int // records skipped by the Filter
	// FirstTime and LastTime span TimeCreated of every decoded record,
	// skipped ones included.
	FirstTime time.Time
	LastTime  time.Time
	Errors    []error // *ParseError values, in file order
}

// BadChunks counts chunk slots that are neither empty nor fully sound.
func (r *FileReport) BadChunks() int {
	n := 0
	for _, c := range r.Chunks {
		if c.Empty {
			continue
		}
		if c.BadMagic || !c.HeaderCRCValid || !c.DataCRCValid || c.Err != nil {
			n++
		}
	}
	return n
}

// New returns the parser called name; "" is the default, the native
// decoder.
func New(name string) (Parser, error) {
	switch name {
	case "golang-evtx":
		return GolangEvtx{}, nil
	case "", "native":
		return Native{}, nil // Jobs 0: one worker per CPU
	}
	return nil, fmt.Errorf("unknown parser %q (have: native, golang-evtx)", name)
}
