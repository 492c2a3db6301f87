package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"runtime"
	"testing"
)

// chunkWithRecord builds a one-record chunk whose record instantiates an
// inline template <E>sub0 sub0 ... (subs times)</E> with one value of type
// vt and valueSize bytes, and declares count values.
func chunkWithRecord(subs int, vt byte, valueSize int, count uint32) []byte {
	le := binary.LittleEndian
	var bx []byte
	bx = append(bx, 0x0f, 1, 1, 0)              // fragment header
	bx = append(bx, tokTemplate, 1, 0, 0, 0, 0) // instance, template id
	defAt := chunkHeaderSize + recordHeaderSize + len(bx) + 4
	bx = le.AppendUint32(bx, uint32(defAt))
	var body []byte
	body = append(body, 0x0f, 1, 1, 0, tokOpenStart, 0, 0)
	body = le.AppendUint32(body, 0) // element data size (unused)
	nameAt := defAt + 24 + len(body) + 4
	body = le.AppendUint32(body, uint32(nameAt))
	body = append(body, 0, 0, 0, 0, 0, 0, 1, 0, 'E', 0, 0, 0) // inline name "E"
	body = append(body, tokCloseStart)
	for i := 0; i < subs; i++ {
		body = append(body, tokSubst, 0, 0, vt)
	}
	body = append(body, tokEnd, tokEOF)
	bx = append(bx, make([]byte, 20)...) // next template offset, GUID
	bx = le.AppendUint32(bx, uint32(len(body)))
	bx = append(bx, body...)
	bx = le.AppendUint32(bx, count)
	bx = le.AppendUint16(bx, uint16(valueSize))
	bx = append(bx, vt, 0)
	bx = append(bx, bytes.Repeat([]byte{0xAB}, valueSize)...)

	size := recordHeaderSize + len(bx) + 4
	c := make([]byte, ChunkSize)
	copy(c, chunkMagic)
	r := c[chunkHeaderSize:]
	le.PutUint32(r, recordMagic)
	le.PutUint32(r[4:], uint32(size))
	le.PutUint64(r[8:], 1)
	copy(r[recordHeaderSize:], bx)
	le.PutUint32(r[size-4:], uint32(size))
	free := chunkHeaderSize + size
	le.PutUint64(c[8:], 1)
	le.PutUint64(c[16:], 1)
	le.PutUint64(c[24:], 1)
	le.PutUint64(c[32:], 1)
	le.PutUint32(c[40:], 128)
	le.PutUint32(c[44:], chunkHeaderSize)
	le.PutUint32(c[48:], uint32(free))
	le.PutUint32(c[52:], crc32.ChecksumIEEE(c[chunkHeaderSize:free]))
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:chunkHeaderSize])
	le.PutUint32(c[124:], h.Sum32())
	return c
}

// TestNativeLimits feeds records built to blow up: each must end in a
// located error (or decode, when legitimate) with bounded allocation.
func TestNativeLimits(t *testing.T) {
	tests := []struct {
		name    string
		chunk   []byte
		wantErr bool
	}{
		{"small legitimate record", chunkWithRecord(2, vtBinary, 4, 1), false},
		{"big value repeated below the bound", chunkWithRecord(20, vtBinary, 40000, 1), false},
		{"one big value repeated 4000 times", chunkWithRecord(4000, vtBinary, 40000, 1), true},
		{"value count 0xffffffff", chunkWithRecord(1, vtBinary, 4, 0xffffffff), true},
		{"value count 0x10000", chunkWithRecord(1, vtBinary, 4, 0x10000), true},
		{"string value repeated", chunkWithRecord(5000, vtString, 30000, 1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := append(seedFile(nil), tt.chunk...)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			rep, err := Native{Jobs: 1}.Parse(context.Background(), Source{Name: "limits", R: bytes.NewReader(file), Size: int64(len(file))}, Options{},
				func(*Record) error { return nil })
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if d := after.TotalAlloc - before.TotalAlloc; d > 32<<20 {
				t.Errorf("allocated %d MiB", d>>20)
			}
			if tt.wantErr {
				if rep.Records != 0 || len(rep.Errors) == 0 {
					t.Fatalf("%d records, errors %v; want a located error", rep.Records, rep.Errors)
				}
				var pe *ParseError
				if !errors.As(rep.Errors[0], &pe) || pe.Chunk != 0 || pe.RecordID != 1 || !errors.Is(pe, ErrBinXML) {
					t.Errorf("error %v is not a located BinXML error", rep.Errors[0])
				}
				return
			}
			if rep.Records != 1 || len(rep.Errors) != 0 {
				t.Errorf("records %d, errors %v; want the record", rep.Records, rep.Errors)
			}
		})
	}
}
