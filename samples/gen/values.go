package gen

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// GUID is a GUID in its on-disk byte order (Data1-3 little-endian).
type GUID [16]byte

// String renders g the way Sysmon's EventData shows it: braces, lower case.
func (g GUID) String() string {
	d1 := binary.LittleEndian.Uint32(g[0:])
	d2 := binary.LittleEndian.Uint16(g[4:])
	d3 := binary.LittleEndian.Uint16(g[6:])
	return fmt.Sprintf("{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", d1, d2, d3,
		g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15])
}

// ParseGUID reads "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" (braces optional).
func ParseGUID(s string) (GUID, error) {
	var g GUID
	t := strings.Trim(s, "{}")
	parts := strings.Split(t, "-")
	if len(parts) != 5 || len(parts[0]) != 8 || len(parts[1]) != 4 || len(parts[2]) != 4 || len(parts[3]) != 4 || len(parts[4]) != 12 {
		return g, fmt.Errorf("bad GUID %q", s)
	}
	d1, e1 := strconv.ParseUint(parts[0], 16, 32)
	d2, e2 := strconv.ParseUint(parts[1], 16, 16)
	d3, e3 := strconv.ParseUint(parts[2], 16, 16)
	d4, e4 := strconv.ParseUint(parts[3]+parts[4], 16, 64)
	if e1 != nil || e2 != nil || e3 != nil || e4 != nil {
		return g, fmt.Errorf("bad GUID %q", s)
	}
	binary.LittleEndian.PutUint32(g[0:], uint32(d1))
	binary.LittleEndian.PutUint16(g[4:], uint16(d2))
	binary.LittleEndian.PutUint16(g[6:], uint16(d3))
	binary.BigEndian.PutUint64(g[8:], d4)
	return g, nil
}

// Value is one substitution value. Which field is used depends on Type.
type Value struct {
	Type ValueType
	S    string // TypeString (WTF-8: lone surrogates survive), TypeSID (S-1-...)
	U    uint64 // integer types; TypeFileTime holds the FILETIME
	G    GUID   // TypeGUID
}

// Str, U32, Hex64, GUIDValue and SIDValue build values.
func Str(s string) Value         { return Value{Type: TypeString, S: s} }
func U32(v uint32) Value         { return Value{Type: TypeUInt32, U: uint64(v)} }
func Hex64(v uint64) Value       { return Value{Type: TypeHexInt64, U: v} }
func GUIDValue(g GUID) Value     { return Value{Type: TypeGUID, G: g} }
func SIDValue(sid string) Value  { return Value{Type: TypeSID, S: sid} }
func FileTime(t time.Time) Value { return Value{Type: TypeFileTime, U: toFileTime(t)} }

// Text is the value as Windows renders it in XML (before XML escaping):
// the canonical form the reader tests compare against.
func (v Value) Text() string {
	switch v.Type {
	case TypeNull:
		return ""
	case TypeString, TypeSID:
		return v.S
	case TypeUInt8, TypeUInt16, TypeUInt32, TypeUInt64:
		return strconv.FormatUint(v.U, 10)
	case TypeHexInt64:
		return "0x" + strconv.FormatUint(v.U, 16)
	case TypeGUID:
		return v.G.String()
	case TypeFileTime:
		return fromFileTime(v.U).Format("2006-01-02T15:04:05.0000000Z")
	}
	return ""
}

const fileTimeEpochDelta = 116444736000000000 // 100 ns intervals 1601-01-01 .. 1970-01-01

func toFileTime(t time.Time) uint64 {
	return uint64(t.UnixNano()/100 + fileTimeEpochDelta)
}

func fromFileTime(ft uint64) time.Time {
	return time.Unix(0, (int64(ft)-fileTimeEpochDelta)*100).UTC()
}

// appendUTF16 appends s as UTF-16LE. s is read as WTF-8: a three-byte
// sequence that encodes a surrogate (ED A0..BF xx) is written as that lone
// code unit, so hostile strings with unpaired surrogates can be produced.
// Other invalid bytes become U+FFFD.
func appendUTF16(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			dst = append(dst, c, 0)
			i++
			continue
		}
		r, n := decodeWTF8(s[i:])
		i += n
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
			dst = append(dst, byte(hi), byte(hi>>8), byte(lo), byte(lo>>8))
			continue
		}
		dst = append(dst, byte(r), byte(r>>8))
	}
	return dst
}

// utf16Units counts the UTF-16 code units appendUTF16 writes for s.
func utf16Units(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < 0x80 {
			n++
			i++
			continue
		}
		r, k := decodeWTF8(s[i:])
		i += k
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// decodeWTF8 decodes one generalised UTF-8 sequence (surrogates allowed).
func decodeWTF8(s string) (rune, int) {
	c := s[0]
	switch {
	case c >= 0xc2 && c < 0xe0 && len(s) >= 2 && cont(s[1]):
		return rune(c&0x1f)<<6 | rune(s[1]&0x3f), 2
	case c >= 0xe0 && c < 0xf0 && len(s) >= 3 && cont(s[1]) && cont(s[2]):
		r := rune(c&0x0f)<<12 | rune(s[1]&0x3f)<<6 | rune(s[2]&0x3f)
		if r >= 0x800 {
			return r, 3
		}
	case c >= 0xf0 && c < 0xf5 && len(s) >= 4 && cont(s[1]) && cont(s[2]) && cont(s[3]):
		r := rune(c&0x07)<<18 | rune(s[1]&0x3f)<<12 | rune(s[2]&0x3f)<<6 | rune(s[3]&0x3f)
		if r >= 0x10000 && r <= 0x10ffff {
			return r, 4
		}
	}
	return 0xfffd, 1
}

func cont(b byte) bool { return b&0xc0 == 0x80 }

// LoneSurrogate returns the WTF-8 encoding of a single UTF-16 surrogate
// code unit (0xD800-0xDFFF), for building hostile strings.
func LoneSurrogate(u uint16) string {
	return string([]byte{0xe0 | byte(u>>12), 0x80 | byte(u>>6)&0x3f, 0x80 | byte(u)&0x3f})
}

// appendSID encodes "S-1-5-21-..." in its binary form.
func appendSID(dst []byte, sid string) ([]byte, error) {
	parts := strings.Split(sid, "-")
	if len(parts) < 3 || parts[0] != "S" {
		return dst, fmt.Errorf("bad SID %q", sid)
	}
	rev, err := strconv.ParseUint(parts[1], 10, 8)
	if err != nil {
		return dst, fmt.Errorf("bad SID %q", sid)
	}
	auth, err := strconv.ParseUint(parts[2], 10, 48)
	if err != nil {
		return dst, fmt.Errorf("bad SID %q", sid)
	}
	subs := parts[3:]
	if len(subs) > 15 {
		return dst, fmt.Errorf("bad SID %q: too many sub-authorities", sid)
	}
	dst = append(dst, byte(rev), byte(len(subs)), byte(auth>>40), byte(auth>>32), byte(auth>>24), byte(auth>>16), byte(auth>>8), byte(auth))
	for _, p := range subs {
		v, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return dst, fmt.Errorf("bad SID %q", sid)
		}
		dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
	}
	return dst, nil
}
