package gen

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"time"
)

// Event is one record to write: a schema, its EventData values in schema
// order, and the System values that vary per record.
type Event struct {
	Schema     *Schema
	Time       time.Time // System/TimeCreated (and the record's written time)
	Computer   string
	NoComputer bool   // leave out System/Computer entirely
	ExecPID    uint32 // System/Execution/@ProcessID
	ExecTID    uint32 // System/Execution/@ThreadID
	Values     []Value
}

// ErrRecordTooLarge is returned for an event whose record cannot fit in an
// empty chunk.
var ErrRecordTooLarge = errors.New("record does not fit in a chunk")

// Placed says where a record went.
type Placed struct {
	RecordID uint64
	Chunk    int // 0-based chunk index in the file
}

// Writer writes one .evtx file. Records are packed into 64 KiB chunks that
// are written as soon as they are full, so memory stays bounded; the file
// header is written last (Close seeks back to offset 0).
type Writer struct {
	w       io.WriteSeeker
	c       *chunk
	firstID uint64
	nextID  uint64
	chunks  int
	outer   map[string]*template // System template per computer name
	noComp  *template
	names   map[string][]byte
	scratch []byte
	err     error
	closed  bool

	// MaxChunks, when positive, caps the file: a record that would open
	// chunk MaxChunks+1 is refused with ErrFileFull and not written.
	MaxChunks int
}

// ErrFileFull is returned by Write when MaxChunks is reached.
var ErrFileFull = errors.New("file has reached its chunk limit")

// NewWriter starts a file on w whose first record gets id firstRecordID
// (EventRecordIDs continue across rotated files of one log).
func NewWriter(w io.WriteSeeker, firstRecordID uint64) (*Writer, error) {
	if firstRecordID == 0 {
		firstRecordID = 1
	}
	wr := &Writer{w: w, firstID: firstRecordID, nextID: firstRecordID, outer: make(map[string]*template),
		names: make(map[string][]byte)}
	wr.c = newChunk(wr.nameBytes)
	if _, err := w.Write(make([]byte, fileHeaderSize)); err != nil {
		return nil, fmt.Errorf("evtx header: %w", err)
	}
	return wr, nil
}

// nameBytes returns hash, character count, UTF-16 and terminator of a
// name string entry, computed once per name.
func (w *Writer) nameBytes(s string) []byte {
	if b, ok := w.names[s]; ok {
		return b
	}
	var h uint32
	units := appendUTF16(nil, s)
	for i := 0; i+1 < len(units); i += 2 {
		h = h*65599 + uint32(binary.LittleEndian.Uint16(units[i:]))
	}
	b := binary.LittleEndian.AppendUint16(nil, uint16(h))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(units)/2))
	b = append(b, units...)
	b = append(b, 0, 0)
	w.names[s] = b
	return b
}

func (w *Writer) systemTemplate(ev *Event) *template {
	if ev.NoComputer {
		if w.noComp == nil {
			w.noComp = systemTemplate("", false)
		}
		return w.noComp
	}
	t, ok := w.outer[ev.Computer]
	if !ok {
		t = systemTemplate(ev.Computer, true)
		w.outer[ev.Computer] = t
	}
	return t
}

// NextRecordID is the id the next record will get.
func (w *Writer) NextRecordID() uint64 { return w.nextID }

// Bytes is the size the file has reached, counting the open chunk.
func (w *Writer) Bytes() int64 {
	n := int64(fileHeaderSize) + int64(w.chunks)*chunkSize
	if w.c.records > 0 {
		n += chunkSize
	}
	return n
}

// Chunks counts chunks written or open.
func (w *Writer) Chunks() int {
	if w.c.records > 0 {
		return w.chunks + 1
	}
	return w.chunks
}

// Write appends one record.
func (w *Writer) Write(ev *Event) (Placed, error) {
	if w.err != nil {
		return Placed{}, w.err
	}
	if w.closed {
		return Placed{}, errors.New("evtx writer: write after close")
	}
	if len(ev.Values) != len(ev.Schema.Fields) {
		return Placed{}, fmt.Errorf("event %s: %d values for %d fields", ev.Schema.Name, len(ev.Values), len(ev.Schema.Fields))
	}
	if w.chunks >= 0xffff {
		return Placed{}, errors.New("evtx writer: 65535 chunks is the format's limit; rotate files")
	}
	outer := w.systemTemplate(ev)
	id := w.nextID
	ok, err := w.c.add(ev, id, outer)
	if err != nil {
		return Placed{}, err
	}
	if !ok {
		if w.c.records == 0 {
			return Placed{}, fmt.Errorf("event %s record %d: %w", ev.Schema.Name, id, ErrRecordTooLarge)
		}
		if w.MaxChunks > 0 && w.chunks+1 >= w.MaxChunks {
			return Placed{}, ErrFileFull
		}
		if err := w.flush(); err != nil {
			return Placed{}, err
		}
		if ok, err = w.c.add(ev, id, outer); err != nil {
			return Placed{}, err
		}
		if !ok {
			return Placed{}, fmt.Errorf("event %s record %d: %w", ev.Schema.Name, id, ErrRecordTooLarge)
		}
	}
	w.nextID++
	return Placed{RecordID: id, Chunk: w.chunks}, nil
}

func (w *Writer) flush() error {
	if w.c.records == 0 {
		return nil
	}
	if _, err := w.w.Write(w.c.finish()); err != nil {
		w.err = fmt.Errorf("evtx chunk %d: %w", w.chunks, err)
		return w.err
	}
	w.chunks++
	w.c.reset()
	return nil
}

// Close writes the last chunk and the file header. It does not close the
// underlying file.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if err := w.flush(); err != nil {
		return err
	}
	h := make([]byte, fileHeaderSize)
	copy(h, fileMagic)
	last := uint64(0)
	if w.chunks > 0 {
		last = uint64(w.chunks - 1)
	}
	binary.LittleEndian.PutUint64(h[8:], 0) // first chunk number
	binary.LittleEndian.PutUint64(h[16:], last)
	binary.LittleEndian.PutUint64(h[24:], w.nextID)
	binary.LittleEndian.PutUint32(h[32:], fileHeaderUsed)
	binary.LittleEndian.PutUint16(h[36:], minorVersion)
	binary.LittleEndian.PutUint16(h[38:], majorVersion)
	binary.LittleEndian.PutUint16(h[40:], fileHeaderSize)
	binary.LittleEndian.PutUint16(h[42:], uint16(w.chunks))
	binary.LittleEndian.PutUint32(h[120:], 0) // flags: clean, not full
	binary.LittleEndian.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	if _, err := w.w.Seek(0, io.SeekStart); err != nil {
		w.err = fmt.Errorf("evtx header: %w", err)
		return w.err
	}
	if _, err := w.w.Write(h); err != nil {
		w.err = fmt.Errorf("evtx header: %w", err)
		return w.err
	}
	if _, err := w.w.Seek(0, io.SeekEnd); err != nil {
		w.err = fmt.Errorf("evtx header: %w", err)
	}
	return w.err
}

// add encodes one record at the end of the chunk. It reports false, with
// the chunk unchanged, when the record does not fit.
func (c *chunk) add(ev *Event, id uint64, outer *template) (bool, error) {
	start := len(c.data)
	c.begin()
	c.data = append(c.data, recordMagic...)
	c.u32(0)
	c.u64(id)
	ft := toFileTime(ev.Time)
	c.u64(ft)
	c.fragmentHeader()
	c.instance(outer)
	// Outer substitution array: descriptors first (sizes patched after
	// each value is written), then the values.
	c.u32(sysCount)
	desc := len(c.data)
	c.data = append(c.data, make([]byte, 4*sysCount)...)
	sc := ev.Schema
	for i := 0; i < sysCount; i++ {
		before := len(c.data)
		var typ ValueType
		switch i {
		case sysLevel:
			typ = TypeUInt8
			c.data = append(c.data, sc.Level)
		case sysOpcode:
			typ = TypeUInt8
			c.data = append(c.data, sc.Opcode)
		case sysTask:
			typ = TypeUInt16
			c.u16(sc.Task)
		case sysEventID:
			typ = TypeUInt16
			c.u16(sc.EventID)
		case sysKeywords:
			typ = TypeHexInt64
			c.u64(sc.Keywords)
		case sysTimeCreated:
			typ = TypeFileTime
			c.u64(ft)
		case sysProcessID:
			typ = TypeUInt32
			c.u32(ev.ExecPID)
		case sysThreadID:
			typ = TypeUInt32
			c.u32(ev.ExecTID)
		case sysEventRecordID:
			typ = TypeUInt64
			c.u64(id)
		case sysVersion:
			typ = TypeUInt8
			c.data = append(c.data, sc.Version)
		case sysUserID:
			if sc.UserSID != "" {
				typ = TypeSID
				var err error
				if c.data, err = appendSID(c.data, sc.UserSID); err != nil {
					c.rollback(start)
					return false, err
				}
			}
		case sysProviderName:
			typ = TypeString
			c.data = appendUTF16(c.data, sc.Provider)
		case sysProviderGUID:
			typ = TypeGUID
			c.data = append(c.data, sc.ProviderGUID[:]...)
		case sysChannel:
			typ = TypeString
			c.data = appendUTF16(c.data, sc.Channel)
		case sysEventData:
			typ = TypeBinXML
			if err := c.eventData(ev); err != nil {
				c.rollback(start)
				return false, err
			}
		}
		size := len(c.data) - before
		if size > 0xffff {
			c.rollback(start)
			return false, fmt.Errorf("event %s: System value %d is %d bytes: %w", sc.Name, i, size, ErrRecordTooLarge)
		}
		binary.LittleEndian.PutUint16(c.data[desc+4*i:], uint16(size))
		c.data[desc+4*i+2] = byte(typ)
	}
	// Windows ends the fragment with an end-of-stream token after the
	// substitution values; libevtx reads it (without it, it takes the
	// record's trailing size for a token when no padding follows).
	c.data = append(c.data, tokEOF)
	for (len(c.data)+4)%8 != 0 { // Windows keeps record sizes a multiple of 8
		c.data = append(c.data, 0)
	}
	size := len(c.data) - start + 4
	c.u32(uint32(size))
	if len(c.data) > chunkSize {
		c.rollback(start)
		return false, nil
	}
	c.patch32(start+4, uint32(size))
	if c.records == 0 {
		c.firstID = id
	}
	c.lastID = id
	c.lastRec = uint32(start)
	c.records++
	return true, nil
}

// eventData writes the embedded EventData fragment: its own template
// instance and substitution array.
func (c *chunk) eventData(ev *Event) error {
	sc := ev.Schema
	c.fragmentHeader()
	c.instance(sc.data)
	n := len(sc.Fields)
	c.u32(uint32(n))
	desc := len(c.data)
	c.data = append(c.data, make([]byte, 4*n)...)
	for i := range sc.Fields {
		f := sc.Fields[i]
		v := &ev.Values[i]
		if v.Type != f.Type && v.Type != TypeNull {
			return fmt.Errorf("event %s field %s: value type 0x%02x, schema says 0x%02x", sc.Name, f.Name, v.Type, f.Type)
		}
		before := len(c.data)
		switch v.Type {
		case TypeNull:
		case TypeString:
			c.data = appendUTF16(c.data, v.S)
		case TypeUInt8:
			c.data = append(c.data, byte(v.U))
		case TypeUInt16:
			c.u16(uint16(v.U))
		case TypeUInt32:
			c.u32(uint32(v.U))
		case TypeUInt64, TypeHexInt64, TypeFileTime:
			c.u64(v.U)
		case TypeGUID:
			c.data = append(c.data, v.G[:]...)
		case TypeSID:
			var err error
			if c.data, err = appendSID(c.data, v.S); err != nil {
				return fmt.Errorf("event %s field %s: %w", sc.Name, f.Name, err)
			}
		default:
			return fmt.Errorf("event %s field %s: unsupported value type 0x%02x", sc.Name, f.Name, v.Type)
		}
		size := len(c.data) - before
		if size > 0xffff {
			return fmt.Errorf("event %s field %s is %d bytes: %w", sc.Name, f.Name, size, ErrRecordTooLarge)
		}
		binary.LittleEndian.PutUint16(c.data[desc+4*i:], uint16(size))
		c.data[desc+4*i+2] = byte(v.Type)
	}
	c.data = append(c.data, tokEOF) // inside the value, as Windows writes it
	return nil
}
