package carve

import (
	"encoding/binary"

	"github.com/clicktrail/clicktrail/evtx"
)

const (
	recordMagic      = "**\x00\x00"
	recordHeaderSize = 24
	// minRecordSize is a header, a fragment header, a token and the
	// trailing size copy: anything shorter holds no event.
	minRecordSize = 40
	// maxRecordSize is what fits in a chunk behind its header.
	maxRecordSize = evtx.ChunkSize - chunkHeaderSize
	// templateOffsetField is where, counted from the record start, a
	// template instance's definition offset sits: record header, fragment
	// header (0f 01 01 00), instance token (0c), one byte, template id.
	// inlineTemplateAt is where a definition carried inline begins.
	templateOffsetField = recordHeaderSize + 4 + 6
	inlineTemplateAt    = templateOffsetField + 4
)

// Timestamps outside 1995-2100 (as FILETIME) are taken as noise, not as a
// record.
const (
	minFiletime = 124333920000000000
	maxFiletime = 157469184000000000
)

// record is one record found in the input.
type record struct {
	pos  int64 // offset in the input
	size int
	id   uint64
	// inlineOff is the record's offset inside its chunk when the record
	// carries its template inline, else -1.
	inlineOff int
}

// parseRecord checks a record candidate at the start of b. b may be longer
// than the record.
func parseRecord(b []byte) (size int, id uint64, inlineOff int, ok bool) {
	if len(b) < minRecordSize || string(b[:4]) != recordMagic {
		return 0, 0, -1, false
	}
	size = int(binary.LittleEndian.Uint32(b[4:]))
	if size < minRecordSize || size > maxRecordSize || size%8 != 0 || size > len(b) {
		return 0, 0, -1, false
	}
	if int(binary.LittleEndian.Uint32(b[size-4:])) != size {
		return 0, 0, -1, false
	}
	id = binary.LittleEndian.Uint64(b[8:])
	if id == 0 || id >= 1<<48 {
		return 0, 0, -1, false
	}
	if ft := binary.LittleEndian.Uint64(b[16:]); ft < minFiletime || ft > maxFiletime {
		return 0, 0, -1, false
	}
	if b[24] != 0x0f || b[25] != 0x01 || b[26] != 0x01 || b[27] != 0x00 {
		return 0, 0, -1, false
	}
	return size, id, inlineOffset(b[:size]), true
}

// inlineOffset works out a record's offset in its chunk from a template
// definition it carries: the instance then points at the bytes right
// behind itself. A reference to a template defined earlier points
// elsewhere, so the definition's own shape is checked too: its GUID starts
// with the template id and its body is a binary XML fragment. -1 when the
// record carries no template.
func inlineOffset(rec []byte) int {
	const (
		idField   = recordHeaderSize + 4 + 2
		guidField = inlineTemplateAt + 4
		bodyField = inlineTemplateAt + 24
	)
	if len(rec) < bodyField+4 || rec[28] != 0x0c {
		return -1
	}
	if string(rec[idField:idField+4]) != string(rec[guidField:guidField+4]) ||
		rec[bodyField] != 0x0f || rec[bodyField+1] != 0x01 || rec[bodyField+2] != 0x01 {
		return -1
	}
	def := int(binary.LittleEndian.Uint32(rec[templateOffsetField:]))
	off := def - inlineTemplateAt
	if off < chunkHeaderSize || off+len(rec) > evtx.ChunkSize {
		return -1
	}
	return off
}
