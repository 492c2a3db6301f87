package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"testing"
)

// disk is a synthetic image: size bytes of zeros with writes laid in.
type disk []byte

func newDisk(size int) disk { return make(disk, size) }

func (d disk) put(off int, b []byte) disk { copy(d[off:], b); return d }

func ntfsBoot() []byte {
	b := make([]byte, sectorSize)
	copy(b[3:], "NTFS    ")
	b[510], b[511] = 0x55, 0xaa
	return b
}

func mbr(entries ...[4]uint32) []byte { // boot flag, type, start, count
	b := make([]byte, sectorSize)
	for i, e := range entries {
		p := b[446+16*i:]
		p[0], p[4] = byte(e[0]), byte(e[1])
		binary.LittleEndian.PutUint32(p[8:], e[2])
		binary.LittleEndian.PutUint32(p[12:], e[3])
	}
	b[510], b[511] = 0x55, 0xaa
	return b
}

// gpt lays a GPT header at LBA 1 with its entries from LBA 2; each entry
// is a first and last LBA. breakCRC spoils the header checksum.
func gpt(d disk, ss int, breakCRC bool, parts ...[2]uint64) disk {
	h := make([]byte, 92)
	copy(h, "EFI PART")
	binary.LittleEndian.PutUint32(h[8:], 0x00010000)
	binary.LittleEndian.PutUint32(h[12:], 92)
	binary.LittleEndian.PutUint64(h[72:], 2)
	binary.LittleEndian.PutUint32(h[80:], 128)
	binary.LittleEndian.PutUint32(h[84:], 128)
	crc := crc32.ChecksumIEEE(h)
	if breakCRC {
		crc++
	}
	binary.LittleEndian.PutUint32(h[16:], crc)
	d.put(ss, h)
	for i, p := range parts {
		e := make([]byte, 128)
		copy(e, []byte{0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7})
		e[16] = byte(i + 1)
		binary.LittleEndian.PutUint64(e[32:], p[0])
		binary.LittleEndian.PutUint64(e[40:], p[1])
		copy(e[56:], []byte{'d', 0, 'a', 0, 't', 0, 'a', 0})
		d.put(2*ss+128*i, e)
	}
	return d
}

func TestVolumes(t *testing.T) {
	const mib = 1 << 20
	ebrLoop := newDisk(8*mib).put(0, mbr([4]uint32{0, 0x05, 2048, 8192}))
	ebrLoop.put(2048*512, mbr([4]uint32{0, 0x07, 64, 1024}, [4]uint32{0, 0x05, 0, 8192})) // next EBR: itself
	ebrLoop.put(2048*512+64*512, ntfsBoot())
	cases := []struct {
		name string
		d    disk
		kind Kind
		err  error
		want string // volumes as number@offset+size[ntfs]
	}{
		{"zeros", newDisk(mib), KindUnknown, nil, ""},
		{"short", newDisk(100), KindUnknown, nil, ""},
		{"E01", newDisk(4096).put(0, []byte("EVF\x09\x0d\x0a\xff\x00")), KindEWF, ErrEWF, ""},
		{"Ex01", newDisk(4096).put(0, []byte("EVF2\x0d\x0a\x81\x00")), KindEWF, ErrEWF, ""},
		{"VHDX", newDisk(4096).put(0, []byte("vhdxfile")), KindVirtual, ErrVirtual, ""},
		{"QCOW2", newDisk(4096).put(0, []byte("QFI\xfb")), KindVirtual, ErrVirtual, ""},
		{"bare NTFS", newDisk(mib).put(0, ntfsBoot()), KindNTFS, nil, "0@0+1048576 ntfs"},
		{"MBR", newDisk(4*mib).put(0, mbr([4]uint32{0x80, 0x07, 2048, 2048}, [4]uint32{0, 0x83, 4096, 4096})).put(2048*512, ntfsBoot()),
			KindMBR, nil, "1@1048576+1048576 ntfs|2@2097152+2097152"},
		{"MBR cut short", newDisk(3*mib/2).put(0, mbr([4]uint32{0, 0x07, 2048, 8192})).put(2048*512, ntfsBoot()),
			KindMBR, nil, "1@1048576+524288 ntfs"},
		{"MBR bad boot flag", newDisk(mib).put(0, mbr([4]uint32{0x13, 0x07, 2048, 2048})), KindUnknown, nil, ""},
		{"logical in extended, EBR chain loops", ebrLoop, KindMBR, nil, "5@1081344+524288 ntfs"},
		{"GPT", gpt(newDisk(4*mib).put(0, mbr([4]uint32{0, 0xee, 1, 8191})), 512, false, [2]uint64{2048, 4095}).put(2048*512, ntfsBoot()),
			KindGPT, nil, "1@1048576+1048576 ntfs"},
		{"GPT 4K sectors", gpt(newDisk(4*mib).put(0, mbr([4]uint32{0, 0xee, 1, 1023})), 4096, false, [2]uint64{256, 511}).put(256*4096, ntfsBoot()),
			KindGPT, nil, "1@1048576+1048576 ntfs"},
		{"GPT bad CRC: protective MBR only", gpt(newDisk(4*mib).put(0, mbr([4]uint32{0, 0xee, 1, 8191})), 512, true, [2]uint64{2048, 4095}),
			KindMBR, nil, "1@512+4193792"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kind, vols, err := Volumes(bytes.NewReader(c.d), int64(len(c.d)))
			if kind != c.kind || !errors.Is(err, c.err) {
				t.Fatalf("kind %v, err %v; want %v, %v", kind, err, c.kind, c.err)
			}
			got := ""
			for i, v := range vols {
				if i > 0 {
					got += "|"
				}
				got += fmtVol(v)
			}
			if got != c.want {
				t.Errorf("volumes %q, want %q", got, c.want)
			}
		})
	}
}

func fmtVol(v Volume) string {
	s := fmt.Sprintf("%d@%d+%d", v.Number, v.Offset, v.Size)
	if v.NTFS {
		s += " ntfs"
	}
	return s
}
