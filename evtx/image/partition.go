package image

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"unicode/utf16"
)

// Volume is one partition of a disk image, or the whole file when it is a
// bare volume.
type Volume struct {
	Number int   // partition number, table order from 1 (MBR logical partitions from 5); 0 for a bare volume
	Offset int64 // byte offset in the image
	Size   int64 // bytes, cut to what the image holds
	Type   string
	Name   string // GPT partition name, if any
	NTFS   bool   // has an NTFS boot sector
}

// Label is the volume's part of a log's name: "p2", or "" for a bare volume.
func (v Volume) Label() string {
	if v.Number == 0 {
		return ""
	}
	return fmt.Sprintf("p%d", v.Number)
}

// Limits on what a partition table may make us read: a damaged table must
// not turn into a long loop.
const (
	maxGPTEntries   = 1024
	maxLogicalParts = 128
)

// Volumes lists the volumes of an image: every partition of a partitioned
// disk, or the image itself when it is a bare NTFS volume.
func Volumes(r io.ReaderAt, size int64) (Kind, []Volume, error) {
	kind, err := Detect(r, size)
	if err != nil {
		return kind, nil, err
	}
	var vols []Volume
	switch kind {
	case KindNTFS:
		vols = []Volume{{Offset: 0, Size: size, Type: "ntfs", NTFS: true}}
	case KindGPT:
		vols, err = gptVolumes(r, size)
	case KindMBR:
		vols, err = mbrVolumes(r, size)
	default:
		return kind, nil, nil
	}
	if err != nil {
		return kind, nil, err
	}
	for i := range vols {
		v := &vols[i]
		if v.Offset+v.Size > size {
			v.Size = max(0, size-v.Offset)
		}
		if v.Number != 0 {
			var boot [sectorSize]byte
			if n, _ := r.ReadAt(boot[:], v.Offset); n == sectorSize {
				v.NTFS = isNTFSBoot(boot[:])
			}
		}
	}
	return kind, vols, nil
}

type mbrEntry struct {
	typ          byte
	start, count uint32 // sectors
}

// mbrEntries parses the four primary entries; ok says the table looks like
// one (boot flags 0 or 0x80 and at least one used entry).
func mbrEntries(sector []byte) ([]mbrEntry, bool) {
	if len(sector) < sectorSize || sector[510] != 0x55 || sector[511] != 0xaa {
		return nil, false
	}
	var out []mbrEntry
	for i := 0; i < 4; i++ {
		e := sector[446+16*i : 446+16*(i+1)]
		if e[0] != 0 && e[0] != 0x80 {
			return nil, false
		}
		me := mbrEntry{typ: e[4], start: binary.LittleEndian.Uint32(e[8:]), count: binary.LittleEndian.Uint32(e[12:])}
		if me.typ == 0 || me.count == 0 {
			continue
		}
		out = append(out, me)
	}
	return out, len(out) > 0
}

func isExtended(t byte) bool { return t == 0x05 || t == 0x0f || t == 0x85 }

func mbrVolumes(r io.ReaderAt, size int64) ([]Volume, error) {
	var sector [sectorSize]byte
	if _, err := r.ReadAt(sector[:], 0); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("MBR: %w", err)
	}
	entries, _ := mbrEntries(sector[:])
	var vols []Volume
	for i, e := range entries {
		if isExtended(e.typ) {
			vols = append(vols, logicalVolumes(r, size, int64(e.start))...)
			continue
		}
		vols = append(vols, Volume{Number: i + 1, Offset: int64(e.start) * sectorSize,
			Size: int64(e.count) * sectorSize, Type: fmt.Sprintf("mbr:%#02x", e.typ)})
	}
	return vols, nil
}

// logicalVolumes follows the chain of extended boot records; a broken link
// ends the chain, it is not an error for the partitions already found.
func logicalVolumes(r io.ReaderAt, size int64, extStart int64) []Volume {
	var vols []Volume
	ebr := extStart
	seen := map[int64]bool{}
	for n := 0; n < maxLogicalParts && !seen[ebr] && ebr*sectorSize < size; n++ {
		seen[ebr] = true
		var sector [sectorSize]byte
		if _, err := r.ReadAt(sector[:], ebr*sectorSize); err != nil {
			break
		}
		entries, ok := mbrEntries(sector[:])
		if !ok {
			break
		}
		var next int64 = -1
		for _, e := range entries {
			if isExtended(e.typ) {
				if next < 0 {
					next = extStart + int64(e.start)
				}
				continue
			}
			vols = append(vols, Volume{Number: 5 + len(vols), Offset: (ebr + int64(e.start)) * sectorSize,
				Size: int64(e.count) * sectorSize, Type: fmt.Sprintf("mbr:%#02x", e.typ)})
		}
		if next < 0 {
			break
		}
		ebr = next
	}
	return vols
}

// gptSectorSizes are the logical sector sizes a GPT header is looked for at.
func gptSectorSizes() [2]int64 { return [2]int64{512, 4096} }

func hasGPT(r io.ReaderAt, size int64) bool {
	for _, ss := range gptSectorSizes() {
		if _, ok := gptHeader(r, ss); ok {
			return true
		}
	}
	return false
}

type gptHdr struct {
	entriesLBA int64
	count      int
	entrySize  int
}

func gptHeader(r io.ReaderAt, ss int64) (gptHdr, bool) {
	var h [92]byte
	if n, _ := r.ReadAt(h[:], ss); n < len(h) || string(h[:8]) != "EFI PART" {
		return gptHdr{}, false
	}
	hsize := binary.LittleEndian.Uint32(h[12:])
	if hsize < 92 || hsize > uint32(ss) {
		return gptHdr{}, false
	}
	full := make([]byte, hsize)
	if n, _ := r.ReadAt(full, ss); n < len(full) {
		return gptHdr{}, false
	}
	want := binary.LittleEndian.Uint32(full[16:])
	clear(full[16:20])
	if crc32.ChecksumIEEE(full) != want {
		return gptHdr{}, false
	}
	g := gptHdr{
		entriesLBA: int64(binary.LittleEndian.Uint64(h[72:])),
		count:      int(binary.LittleEndian.Uint32(h[80:])),
		entrySize:  int(binary.LittleEndian.Uint32(h[84:])),
	}
	if g.entrySize < 128 || g.entrySize > 4096 || g.count <= 0 {
		return gptHdr{}, false
	}
	g.count = min(g.count, maxGPTEntries)
	return g, true
}

func gptVolumes(r io.ReaderAt, size int64) ([]Volume, error) {
	for _, ss := range gptSectorSizes() {
		g, ok := gptHeader(r, ss)
		if !ok {
			continue
		}
		var vols []Volume
		buf := make([]byte, g.entrySize)
		for i := 0; i < g.count; i++ {
			off := g.entriesLBA*ss + int64(i*g.entrySize)
			if n, _ := r.ReadAt(buf, off); n < len(buf) {
				break
			}
			typ := buf[:16]
			if isZeroBytes(typ) {
				continue
			}
			first := int64(binary.LittleEndian.Uint64(buf[32:]))
			last := int64(binary.LittleEndian.Uint64(buf[40:]))
			if last < first || first <= 0 || first > size/ss {
				continue
			}
			vols = append(vols, Volume{Number: i + 1, Offset: first * ss, Size: (last - first + 1) * ss,
				Type: "gpt:" + guidString(typ), Name: utf16Name(buf[56:128])})
		}
		return vols, nil
	}
	return nil, errors.New("GPT: no valid header")
}

func guidString(b []byte) string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", binary.LittleEndian.Uint32(b[0:]),
		binary.LittleEndian.Uint16(b[4:]), binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

func utf16Name(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func isZeroBytes(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
