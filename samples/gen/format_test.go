package gen

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// checkFile verifies a file's layout from the bytes alone, with CRCs
// computed here rather than by the writer: file header fields and CRC,
// chunk header fields and both CRCs, the record walk (signatures, size
// copies, 8-byte alignment, consecutive ids), zeroed free space, the
// string table (each entry's hash and bucket) and the template table.
// ours adds what only this writer promises: zeroed free space.
func checkFile(data []byte, ours bool) []error {
	var errs []error
	fail := func(f string, a ...any) { errs = append(errs, fmt.Errorf(f, a...)) }
	le := binary.LittleEndian
	if len(data) < 0x1000 || (len(data)-0x1000)%0x10000 != 0 {
		return []error{fmt.Errorf("size %d is not a header plus whole chunks", len(data))}
	}
	h := data[:0x1000]
	if string(h[:8]) != "ElfFile\x00" {
		fail("file signature %q", h[:8])
	}
	nChunks := (len(data) - 0x1000) / 0x10000
	if got := int(le.Uint16(h[42:])); got != nChunks {
		fail("header chunk count %d, file has %d", got, nChunks)
	}
	if le.Uint32(h[32:]) != 0x80 || le.Uint16(h[38:]) != 3 || le.Uint16(h[40:]) != 0x1000 {
		fail("header size/version/block size %d %d.%d %d", le.Uint32(h[32:]), le.Uint16(h[38:]), le.Uint16(h[36:]), le.Uint16(h[40:]))
	}
	if nChunks > 0 && le.Uint64(h[16:]) != uint64(nChunks-1) {
		fail("last chunk number %d, want %d", le.Uint64(h[16:]), nChunks-1)
	}
	if le.Uint32(h[124:]) != crc32.ChecksumIEEE(h[:120]) {
		fail("file header CRC")
	}
	var prevID uint64
	for ci := 0; ci < nChunks; ci++ {
		c := data[0x1000+ci*0x10000 : 0x1000+(ci+1)*0x10000]
		cf := func(f string, a ...any) { fail("chunk %d: "+f, append([]any{ci}, a...)...) }
		if string(c[:8]) != "ElfChnk\x00" {
			cf("signature %q", c[:8])
			continue
		}
		hc := crc32.NewIEEE()
		hc.Write(c[:120])
		hc.Write(c[128:512])
		if le.Uint32(c[124:]) != hc.Sum32() {
			cf("header CRC")
		}
		free := le.Uint32(c[48:])
		if free < 512 || free > 0x10000 {
			cf("free offset %d", free)
			continue
		}
		if le.Uint32(c[52:]) != crc32.ChecksumIEEE(c[512:free]) {
			cf("records CRC")
		}
		if ours && !bytes.Equal(c[free:], make([]byte, 0x10000-int(free))) { // Windows leaves old bytes there
			cf("free space is not zero")
		}
		first, last := le.Uint64(c[24:]), le.Uint64(c[32:])
		var lastOff uint32
		id := first
		for off := uint32(512); off < free; {
			if string(c[off:off+4]) != "\x2a\x2a\x00\x00" {
				cf("record signature at 0x%x", off)
				break
			}
			size := le.Uint32(c[off+4:])
			if size < 32 || off+size > free || size%8 != 0 {
				cf("record size %d at 0x%x", size, off)
				break
			}
			if le.Uint32(c[off+size-4:]) != size {
				cf("record at 0x%x: size copy %d, want %d", off, le.Uint32(c[off+size-4:]), size)
			}
			if got := le.Uint64(c[off+8:]); got != id {
				cf("record at 0x%x: id %d, want %d", off, got, id)
			}
			if prevID != 0 && id != prevID+1 {
				cf("record id %d after %d", id, prevID)
			}
			prevID = id
			lastOff = off
			id++
			off += size
		}
		if id-1 != last {
			cf("last record id %d, header says %d", id-1, last)
		}
		if le.Uint32(c[44:]) != lastOff {
			cf("last record offset 0x%x, header says 0x%x", lastOff, le.Uint32(c[44:]))
		}
		for b := 0; b < 64; b++ {
			for off, n := le.Uint32(c[128+4*b:]), 0; off != 0; off, n = le.Uint32(c[off:]), n+1 {
				if off+8 > 0x10000 || n > 1000 {
					cf("string chain %d runs wild", b)
					break
				}
				nc := int(le.Uint16(c[off+6:]))
				var hash uint32
				for i := 0; i < nc; i++ {
					hash = hash*65599 + uint32(le.Uint16(c[int(off)+8+2*i:]))
				}
				if uint16(hash) != le.Uint16(c[off+4:]) || int(hash%64) != b {
					cf("string at 0x%x: hash 0x%04x in bucket %d, computed 0x%04x", off, le.Uint16(c[off+4:]), b, uint16(hash))
				}
			}
		}
		for b := 0; b < 32; b++ {
			for off, n := le.Uint32(c[384+4*b:]), 0; off != 0; off, n = le.Uint32(c[off:]), n+1 {
				if off+24 > 0x10000 || n > 1000 {
					cf("template chain %d runs wild", b)
					break
				}
				size := le.Uint32(c[off+20:])
				body := c[off+24 : off+24+size]
				if !bytes.HasPrefix(body, []byte{0x0f, 1, 1, 0}) || body[len(body)-1] != 0 {
					cf("template at 0x%x: no fragment header or end-of-stream", off)
				}
			}
		}
	}
	return errs
}

func TestFileLayout(t *testing.T) {
	dir := t.TempDir()
	for _, name := range Builtins() {
		path, recs, _ := writeBuiltin(t, dir, name, false)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range checkFile(data, true) {
			t.Errorf("%s: %v", name, e)
		}
		if len(recs) == 0 {
			t.Errorf("%s: no records", name)
		}
	}
	scale, man := writeScale(t, dir, 5000, false)
	for path := range scale {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range checkFile(data, true) {
			t.Errorf("%s: %v", filepath.Base(path), e)
		}
	}
	if len(man.Files) != 2 || man.Files[1].FirstID != man.Files[0].LastID+1 {
		t.Errorf("rotated files do not continue the record ids: %+v", man.Files)
	}
}

// TestCheckerOnWindowsFile runs the layout checker on a log Windows wrote,
// so the checker's idea of the format is Windows' and not the writer's.
func TestCheckerOnWindowsFile(t *testing.T) {
	path := filepath.Join(sharedDir(t), "samples", "positives", "eas__DE_timestomp_and_dll_sideloading_and_RunPersist.evtx")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range checkFile(data, false) {
		t.Error(e)
	}
}

// sharedDir locates ../shared (CLICKTRAIL_SHARED in CI).
func sharedDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("CLICKTRAIL_SHARED"); d != "" {
		return d
	}
	d := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(d); err == nil {
		return d
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("../shared not found and CLICKTRAIL_SHARED unset")
	}
	t.Skip("../shared not found")
	return ""
}
