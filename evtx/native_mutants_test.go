package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// chunkDigest is what a parse yielded from one chunk slot.
type chunkDigest struct {
	status ChunkStatus
	recs   []string
}

// digestParse parses data and groups what came out by chunk slot.
func digestParse(t *testing.T, data []byte, jobs int) (map[int]*chunkDigest, *FileReport, int) {
	t.Helper()
	byChunk := map[int]*chunkDigest{}
	visited := 0
	maxRecords := len(data)/minRecordSize + 1
	rep, err := Native{Jobs: jobs}.Parse(context.Background(), Source{Name: "mutant", R: bytes.NewReader(data), Size: int64(len(data))}, Options{},
		func(r *Record) error {
			visited++
			if visited > maxRecords {
				return fmt.Errorf("more records (%d) than the file can hold", visited)
			}
			c := byChunk[r.ChunkIndex]
			if c == nil {
				c = &chunkDigest{}
				byChunk[r.ChunkIndex] = c
			}
			c.recs = append(c.recs, fmt.Sprintf("%d/%d/%d/%s/%s/%d", r.Offset, r.RecordID, r.EventID, r.Provider, r.Computer, len(r.Data)))
			return nil
		})
	if err != nil && !errors.Is(err, ErrNotEVTX) {
		t.Fatalf("parse: %v", err)
	}
	if rep != nil {
		for _, st := range rep.Chunks {
			c := byChunk[st.Index]
			if c == nil {
				c = &chunkDigest{}
				byChunk[st.Index] = c
			}
			c.status = st
		}
		for _, e := range rep.Errors {
			if errors.Is(e, ErrPanic) {
				t.Fatalf("decoder panicked: %v", e)
			}
		}
	}
	return byChunk, rep, visited
}

// mutation changes a copy of a file and says which chunk slots it touched
// (-1: every slot at or after the returned cut is gone).
type mutation struct {
	name  string
	apply func(r *rand.Rand, b []byte) (out []byte, touched []int)
}

func slotOf(off int) int { return (off - FileHeaderSize) / ChunkSize }

// randomSlot picks a non-empty chunk slot.
func randomSlot(r *rand.Rand, b []byte) int {
	n := (len(b) - FileHeaderSize) / ChunkSize
	for tries := 0; tries < 32; tries++ {
		s := r.Intn(n)
		if string(b[FileHeaderSize+s*ChunkSize:][:8]) == chunkMagic {
			return s
		}
	}
	return 0
}

// recordOffsets lists the record offsets of one chunk (from the original).
func recordOffsets(b []byte, slot int) []int {
	c := b[FileHeaderSize+slot*ChunkSize:][:ChunkSize]
	var out []int
	for p := chunkHeaderSize; p+minRecordSize <= ChunkSize; {
		if binary.LittleEndian.Uint32(c[p:]) != recordMagic {
			break
		}
		out = append(out, p)
		size := int(binary.LittleEndian.Uint32(c[p+4:]))
		if size < minRecordSize {
			break
		}
		p += size
	}
	return out
}

var mutations = []mutation{
	{"bitflips", func(r *rand.Rand, b []byte) ([]byte, []int) {
		s := randomSlot(r, b)
		base := FileHeaderSize + s*ChunkSize
		for i := 0; i < 1+r.Intn(16); i++ {
			p := base + r.Intn(ChunkSize)
			b[p] ^= 1 << uint(r.Intn(8))
		}
		return b, []int{s}
	}},
	{"truncate", func(r *rand.Rand, b []byte) ([]byte, []int) {
		cut := FileHeaderSize + r.Intn(len(b)-FileHeaderSize)
		return b[:cut], []int{-1, slotOf(cut)}
	}},
	{"zero-chunk-magic", func(r *rand.Rand, b []byte) ([]byte, []int) {
		s := randomSlot(r, b)
		copy(b[FileHeaderSize+s*ChunkSize:], make([]byte, 8))
		return b, []int{s}
	}},
	{"zero-file-magic", func(r *rand.Rand, b []byte) ([]byte, []int) {
		copy(b, make([]byte, 8))
		return b, nil
	}},
	{"zero-record-magic", func(r *rand.Rand, b []byte) ([]byte, []int) {
		s := randomSlot(r, b)
		offs := recordOffsets(b, s)
		if len(offs) > 0 {
			copy(b[FileHeaderSize+s*ChunkSize+offs[r.Intn(len(offs))]:], make([]byte, 4))
		}
		return b, []int{s}
	}},
	{"huge-record-size", func(r *rand.Rand, b []byte) ([]byte, []int) {
		s := randomSlot(r, b)
		offs := recordOffsets(b, s)
		if len(offs) > 0 {
			p := FileHeaderSize + s*ChunkSize + offs[r.Intn(len(offs))]
			binary.LittleEndian.PutUint32(b[p+4:], []uint32{0, 1, 27, 0xffff, 0x7fffffff, 0xffffffff}[r.Intn(6)])
		}
		return b, []int{s}
	}},
	{"huge-u32-in-binxml", func(r *rand.Rand, b []byte) ([]byte, []int) {
		// Template value counts, data sizes, name offsets and lengths are
		// all u32/u16 fields inside records; hit random aligned ones.
		s := randomSlot(r, b)
		base := FileHeaderSize + s*ChunkSize
		for i := 0; i < 1+r.Intn(4); i++ {
			p := base + chunkHeaderSize + r.Intn(ChunkSize-chunkHeaderSize-4)
			binary.LittleEndian.PutUint32(b[p:], []uint32{0xffffffff, 0x7fffffff, 0x10000, 0xfff0}[r.Intn(4)])
		}
		return b, []int{s}
	}},
	{"huge-header-fields", func(r *rand.Rand, b []byte) ([]byte, []int) {
		s := randomSlot(r, b)
		base := FileHeaderSize + s*ChunkSize
		binary.LittleEndian.PutUint32(b[base+48:], 0xffffffff) // free space offset
		binary.LittleEndian.PutUint16(b[42:], 0xffff)          // header chunk count
		for i := 0; i < 4; i++ {                               // string/template table entries
			binary.LittleEndian.PutUint32(b[base+128+4*r.Intn(96):], 0xfffffff0)
		}
		return b, []int{s}
	}},
}

// TestNativeMutants runs deterministic mutants of real files: the decoder
// must not panic, must stay within a record and allocation bound, and must
// still yield exactly the original records of every chunk the mutation did
// not touch.
func TestNativeMutants(t *testing.T) {
	shared := sharedDir(t)
	bases := []string{
		"positives/omer__sysmon.evtx",
		"broken/omer__E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
		"parser/issue_201.evtx",
	}
	const perBase = 120
	const allocLimit = 64 << 20 // far above a clean parse of these files
	for _, rel := range bases {
		orig, err := os.ReadFile(filepath.Join(shared, "samples", rel))
		if err != nil {
			t.Fatal(err)
		}
		want, _, _ := digestParse(t, orig, 1)
		rng := rand.New(rand.NewSource(int64(len(orig))))
		for i := 0; i < perBase; i++ {
			m := mutations[i%len(mutations)]
			b, touched := m.apply(rng, append([]byte(nil), orig...))
			name := fmt.Sprintf("%s/%03d-%s", filepath.Base(rel), i, m.name)
			t.Run(name, func(t *testing.T) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				got, _, _ := digestParse(t, b, 1+i%2)
				runtime.ReadMemStats(&after)
				if d := after.TotalAlloc - before.TotalAlloc; d > allocLimit {
					t.Errorf("parse allocated %d MiB", d>>20)
				}
				skip := map[int]bool{}
				cutFrom := -1
				for j, s := range touched {
					if s == -1 {
						cutFrom = touched[j+1]
						break
					}
					skip[s] = true
				}
				for slot, w := range want {
					if skip[slot] || (cutFrom >= 0 && slot >= cutFrom) {
						continue
					}
					g := got[slot]
					if g == nil {
						t.Errorf("slot %d: nothing came out, want %d records", slot, len(w.recs))
						continue
					}
					if fmt.Sprint(g.recs) != fmt.Sprint(w.recs) {
						t.Errorf("slot %d (untouched): %d records, want %d", slot, len(g.recs), len(w.recs))
					}
					if g.status.HeaderCRCValid != w.status.HeaderCRCValid || g.status.DataCRCValid != w.status.DataCRCValid {
						t.Errorf("slot %d (untouched): CRC flags changed", slot)
					}
				}
			})
		}
	}
}
