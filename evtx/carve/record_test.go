package carve

import (
	"encoding/binary"
	"testing"
	"time"
)

func filetime(t time.Time) uint64 { return uint64(t.Unix()+11644473600) * 10_000_000 }

func TestFiletimeBounds(t *testing.T) {
	if got, want := uint64(minFiletime), filetime(time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC)); got != want {
		t.Errorf("minFiletime %d, want %d", got, want)
	}
	if got, want := uint64(maxFiletime), filetime(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)); got != want {
		t.Errorf("maxFiletime %d, want %d", got, want)
	}
}

// TestParseRecord: each check on a record candidate, one broken at a time.
func TestParseRecord(t *testing.T) {
	file := loadSample(t)
	c := chunk(file, 25)
	first := int(binary.LittleEndian.Uint32(c[0x200+4:]))
	second := 0x200 + first
	cases := []struct {
		name      string
		at        int
		edit      func(b []byte)
		ok        bool
		inlineOff int
	}{
		{"first record carries its template", 0x200, nil, true, 0x200},
		{"second references it", second, nil, true, -1},
		{"bad magic", 0x200, func(b []byte) { b[1] = 'x' }, false, 0},
		{"size not repeated", 0x200, func(b []byte) { b[first-1] ^= 1 }, false, 0},
		{"size not a multiple of 8", 0x200, func(b []byte) { binary.LittleEndian.PutUint32(b[4:], uint32(first+1)) }, false, 0},
		{"size too small", 0x200, func(b []byte) { binary.LittleEndian.PutUint32(b[4:], 8) }, false, 0},
		{"id 0", 0x200, func(b []byte) { clear(b[8:16]) }, false, 0},
		{"time 1970", 0x200, func(b []byte) { binary.LittleEndian.PutUint64(b[16:], filetime(time.Unix(0, 0))) }, false, 0},
		{"no fragment header", 0x200, func(b []byte) { b[24] = 0x01 }, false, 0},
		{"template GUID differs from its id", 0x200, func(b []byte) { b[inlineTemplateAt+4] ^= 1 }, true, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := append([]byte(nil), c[tc.at:]...)
			if tc.edit != nil {
				tc.edit(b)
			}
			size, _, inl, ok := parseRecord(b)
			if ok != tc.ok {
				t.Fatalf("ok %v, want %v", ok, tc.ok)
			}
			if ok && inl != tc.inlineOff {
				t.Errorf("inline offset %d, want %d", inl, tc.inlineOff)
			}
			if ok && size != int(binary.LittleEndian.Uint32(c[tc.at+4:])) {
				t.Errorf("size %d", size)
			}
		})
	}
}
