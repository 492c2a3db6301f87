package gen

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"
	"unicode/utf16"
)

func TestAppendUTF16(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []uint16
	}{
		{"ascii", "Ab\\", []uint16{'A', 'b', '\\'}},
		{"latin", "Jürgen", []uint16{'J', 0xfc, 'r', 'g', 'e', 'n'}},
		{"rlo", "a\u202eb", []uint16{'a', 0x202e, 'b'}},
		{"astral", "x😀", []uint16{'x', 0xd83d, 0xde00}},
		{"lone high", "a" + LoneSurrogate(0xd800) + "b", []uint16{'a', 0xd800, 'b'}},
		{"lone low", LoneSurrogate(0xdfff), []uint16{0xdfff}},
		{"nul", "a\x00b", []uint16{'a', 0, 'b'}},
		{"invalid utf-8", "a\xffb", []uint16{'a', 0xfffd, 'b'}},
		{"truncated sequence", "a\xe2\x82", []uint16{'a', 0xfffd, 0xfffd}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := appendUTF16(nil, tc.in)
			var got []uint16
			for i := 0; i+1 < len(b); i += 2 {
				got = append(got, uint16(b[i])|uint16(b[i+1])<<8)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %04x, want %04x", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %04x, want %04x", got, tc.want)
				}
			}
			if n := utf16Units(tc.in); n != len(tc.want) {
				t.Errorf("utf16Units = %d, want %d", n, len(tc.want))
			}
		})
	}
}

func TestGUID(t *testing.T) {
	// Bytes as stored on disk by Windows for this GUID (from a real record).
	raw, _ := hex.DecodeString("5f3870572ac2e043bf4c06f5698ffbd9")
	g, err := ParseGUID("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g[:], raw) {
		t.Errorf("bytes %x, want %x", g[:], raw)
	}
	if s := g.String(); s != "{5770385f-c22a-43e0-bf4c-06f5698ffbd9}" {
		t.Errorf("String() = %s", s)
	}
	for _, bad := range []string{"", "{1234}", "{5770385F-C22A-43E0-BF4C-06F5698FFBDZ}", "5770385F-C22A-43E0-BF4C06F5698FFBD9"} {
		if _, err := ParseGUID(bad); err == nil {
			t.Errorf("ParseGUID(%q) accepted", bad)
		}
	}
}

func TestProcessGUIDEncodesStartTime(t *testing.T) {
	st := time.Date(2025, 10, 22, 20, 28, 22, 0, time.UTC) // 0x68F93E66, the doc's checked example
	g := guidAt(0x5ab40fd1, st, 0)
	if got := g.String()[:19]; got != "{5ab40fd1-3e66-68f9" {
		t.Errorf("GUID %s does not carry machine 5ab40fd1 and time 0x68f93e66", g)
	}
}

func TestSID(t *testing.T) {
	tests := []struct{ sid, hex string }{
		{"S-1-5-18", "010100000000000512000000"}, // bytes from a real Sysmon record
		{"S-1-0-0", "010100000000000000000000"},
		{"S-1-16-8192", "010100000000001000200000"},
		{"S-1-5-21-1-2-3-1001", "010500000000000515000000010000000200000003000000e9030000"},
	}
	for _, tc := range tests {
		b, err := appendSID(nil, tc.sid)
		if err != nil || hex.EncodeToString(b) != tc.hex {
			t.Errorf("%s: %x, %v; want %s", tc.sid, b, err, tc.hex)
		}
	}
	for _, bad := range []string{"", "S-1", "X-1-5", "S-1-5-x", "S-1-99999999999999999-1"} {
		if _, err := appendSID(nil, bad); err == nil {
			t.Errorf("appendSID(%q) accepted", bad)
		}
	}
}

func TestFileTime(t *testing.T) {
	// Record header time of a real Sysmon record and its rendered TimeCreated.
	const ft = 0x01d5105321d27cec
	want := time.Date(2019, 5, 22, 4, 2, 11, 307031600, time.UTC)
	if got := fromFileTime(ft); !got.Equal(want) {
		t.Errorf("fromFileTime = %s, want %s", got, want)
	}
	if got := toFileTime(want); got != ft {
		t.Errorf("toFileTime = %#x, want %#x", got, ft)
	}
	if s := FileTime(want).Text(); s != "2019-05-22T04:02:11.3070316Z" {
		t.Errorf("Text() = %s", s)
	}
}

func TestNameHash(t *testing.T) {
	// Hashes Windows stored in a real chunk's string table.
	w := &Writer{names: map[string][]byte{}}
	for name, want := range map[string]uint16{"Data": 0x6f8a, "EventData": 0x8244, "System": 0x546f, "TimeCreated": 0x8e3b, "xmlns": 0x0fbc} {
		b := w.nameBytes(name)
		got := uint16(b[0]) | uint16(b[1])<<8
		if got != want {
			t.Errorf("%s: hash %#04x, want %#04x", name, got, want)
		}
		if n := int(b[2]) | int(b[3])<<8; n != len(utf16.Encode([]rune(name))) {
			t.Errorf("%s: length %d", name, n)
		}
	}
}

func TestValueText(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Str("x"), "x"},
		{U32(4242), "4242"},
		{Hex64(0x3e7), "0x3e7"},
		{Hex64(0), "0x0"},
		{SIDValue("S-1-5-18"), "S-1-5-18"},
		{Value{}, ""},
	}
	for _, tc := range tests {
		if got := tc.v.Text(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.v, got, tc.want)
		}
	}
}
