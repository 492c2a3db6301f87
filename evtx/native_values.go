package evtx

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// BinXML value types (the substitution descriptor's type byte).
const (
	vtNull       = 0x00
	vtString     = 0x01
	vtAnsi       = 0x02
	vtInt8       = 0x03
	vtUint8      = 0x04
	vtInt16      = 0x05
	vtUint16     = 0x06
	vtInt32      = 0x07
	vtUint32     = 0x08
	vtInt64      = 0x09
	vtUint64     = 0x0a
	vtReal32     = 0x0b
	vtReal64     = 0x0c
	vtBool       = 0x0d
	vtBinary     = 0x0e
	vtGUID       = 0x0f
	vtSizeT      = 0x10
	vtFileTime   = 0x11
	vtSysTime    = 0x12
	vtSID        = 0x13
	vtHexInt32   = 0x14
	vtHexInt64   = 0x15
	vtEvtHandle  = 0x20
	vtBinXML     = 0x21
	vtEvtXML     = 0x23
	vtArrayFlag  = 0x80
	filetimeUnix = 116444736000000000 // 1970-01-01 in 100 ns ticks since 1601
)

// fixedSize is the width of one value of a fixed-size type, 0 for variable
// ones. SizeT takes its width from the data (4 or 8 bytes).
func fixedSize(t byte) int {
	switch t {
	case vtInt8, vtUint8:
		return 1
	case vtInt16, vtUint16:
		return 2
	case vtInt32, vtUint32, vtReal32, vtBool, vtHexInt32:
		return 4
	case vtInt64, vtUint64, vtReal64, vtHexInt64, vtFileTime:
		return 8
	case vtGUID, vtSysTime:
		return 16
	}
	return 0
}

// appendValue renders one substitution value as text, the way Windows' XML
// rendering shows it:
//
//   - String, AnsiString: as stored, trailing NULs stripped.
//   - Int8..UInt64: decimal.
//   - HexInt32, HexInt64, SizeT: "0x" and lowercase hex without padding.
//   - Real32/64: shortest decimal that round-trips.
//   - Bool: "true" when non-zero, else "false".
//   - GUID: "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" upper case.
//   - SID: "S-1-5-21-...".
//   - FILETIME, SYSTEMTIME: RFC 3339 UTC with 7 fractional digits and "Z".
//   - Binary and unknown types: upper-case hex.
//   - Arrays: elements rendered as above, joined with ",".
//
// Embedded BinXML (type 0x21) is not handled here: it needs the chunk and
// is rendered by the decoder.
func appendValue(dst []byte, t byte, b []byte) []byte {
	if t&vtArrayFlag != 0 {
		return appendArray(dst, t&^vtArrayFlag, b)
	}
	switch t {
	case vtNull:
		return dst
	case vtString:
		return appendUTF16(dst, trimUTF16NUL(b))
	case vtAnsi, vtEvtXML:
		return appendAnsi(dst, b)
	case vtSizeT:
		switch len(b) {
		case 4:
			return appendHex(dst, uint64(binary.LittleEndian.Uint32(b)))
		case 8:
			return appendHex(dst, binary.LittleEndian.Uint64(b))
		}
		return appendHexBytes(dst, b)
	case vtBinary, vtEvtHandle, vtBinXML:
		return appendHexBytes(dst, b)
	case vtSID:
		return appendSID(dst, b)
	}
	if n := fixedSize(t); n == 0 || len(b) != n {
		return appendHexBytes(dst, b)
	}
	return appendFixed(dst, t, b)
}

// appendFixed renders a fixed-size value; len(b) == fixedSize(t).
func appendFixed(dst []byte, t byte, b []byte) []byte {
	switch t {
	case vtInt8:
		return strconv.AppendInt(dst, int64(int8(b[0])), 10)
	case vtUint8:
		return strconv.AppendUint(dst, uint64(b[0]), 10)
	case vtInt16:
		return strconv.AppendInt(dst, int64(int16(binary.LittleEndian.Uint16(b))), 10)
	case vtUint16:
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint16(b)), 10)
	case vtInt32:
		return strconv.AppendInt(dst, int64(int32(binary.LittleEndian.Uint32(b))), 10)
	case vtUint32:
		return strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b)), 10)
	case vtInt64:
		return strconv.AppendInt(dst, int64(binary.LittleEndian.Uint64(b)), 10)
	case vtUint64:
		return strconv.AppendUint(dst, binary.LittleEndian.Uint64(b), 10)
	case vtHexInt32:
		return appendHex(dst, uint64(binary.LittleEndian.Uint32(b)))
	case vtHexInt64:
		return appendHex(dst, binary.LittleEndian.Uint64(b))
	case vtReal32:
		return appendFloat(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(b))), 32)
	case vtReal64:
		return appendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(b)), 64)
	case vtBool:
		if binary.LittleEndian.Uint32(b) != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case vtGUID:
		return appendGUID(dst, b)
	case vtFileTime:
		return appendTime(dst, filetimeToTime(binary.LittleEndian.Uint64(b)))
	case vtSysTime:
		return appendTime(dst, systemtimeToTime(b))
	}
	return appendHexBytes(dst, b)
}

func appendArray(dst []byte, t byte, b []byte) []byte {
	switch t {
	case vtString:
		first := true
		for len(b) >= 2 {
			end := 0
			for end+1 < len(b) && (b[end] != 0 || b[end+1] != 0) {
				end += 2
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendUTF16(dst, b[:end&^1])
			b = b[min(end+2, len(b)):]
		}
		return dst
	case vtAnsi:
		first := true
		for len(b) > 0 {
			end := 0
			for end < len(b) && b[end] != 0 {
				end++
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = appendAnsi(dst, b[:end])
			b = b[min(end+1, len(b)):]
		}
		return dst
	}
	n := fixedSize(t)
	if t == vtSizeT {
		n = 8
		if len(b)%8 != 0 {
			n = 4
		}
	}
	if n == 0 {
		return appendHexBytes(dst, b)
	}
	for i := 0; i+n <= len(b); i += n {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendValue(dst, t, b[i:i+n])
	}
	return dst
}

func appendFloat(dst []byte, f float64, bits int) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, bits)
}

const hexLower = "0123456789abcdef"
const hexUpper = "0123456789ABCDEF"

func appendHex(dst []byte, v uint64) []byte {
	dst = append(dst, '0', 'x')
	return strconv.AppendUint(dst, v, 16)
}

func appendHexBytes(dst []byte, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexUpper[c>>4], hexUpper[c&15])
	}
	return dst
}

func appendHexFixed(dst []byte, v uint64, digits int) []byte {
	for i := digits - 1; i >= 0; i-- {
		dst = append(dst, hexUpper[(v>>(uint(i)*4))&15])
	}
	return dst
}

func appendGUID(dst []byte, b []byte) []byte {
	dst = append(dst, '{')
	dst = appendHexFixed(dst, uint64(binary.LittleEndian.Uint32(b)), 8)
	dst = append(dst, '-')
	dst = appendHexFixed(dst, uint64(binary.LittleEndian.Uint16(b[4:])), 4)
	dst = append(dst, '-')
	dst = appendHexFixed(dst, uint64(binary.LittleEndian.Uint16(b[6:])), 4)
	dst = append(dst, '-')
	dst = appendHexBytes(dst, b[8:10])
	dst = append(dst, '-')
	dst = appendHexBytes(dst, b[10:16])
	return append(dst, '}')
}

// appendSID renders a binary SID; malformed ones come out as hex.
func appendSID(dst []byte, b []byte) []byte {
	if len(b) < 8 || 8+4*int(b[1]) > len(b) {
		return appendHexBytes(dst, b)
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	dst = append(dst, 'S', '-')
	dst = strconv.AppendUint(dst, uint64(b[0]), 10)
	dst = append(dst, '-')
	dst = strconv.AppendUint(dst, auth, 10)
	for i := 0; i < int(b[1]); i++ {
		dst = append(dst, '-')
		dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return dst
}

// filetimeToTime converts 100 ns ticks since 1601 without the overflow a
// time.Duration from 1601 would hit.
func filetimeToTime(ft uint64) time.Time {
	if ft == 0 {
		return time.Time{}
	}
	d := int64(ft) - filetimeUnix
	if ft > math.MaxInt64 {
		d = math.MaxInt64 - filetimeUnix
	}
	sec, rem := d/1e7, d%1e7
	if rem < 0 {
		sec--
		rem += 1e7
	}
	return time.Unix(sec, rem*100).UTC()
}

func systemtimeToTime(b []byte) time.Time {
	u := func(i int) int { return int(binary.LittleEndian.Uint16(b[2*i:])) }
	if u(0) == 0 {
		return time.Time{}
	}
	return time.Date(u(0), time.Month(u(1)), u(3), u(4), u(5), u(6), u(7)*1e6, time.UTC)
}

// appendTime writes t as 2006-01-02T15:04:05.0000000Z.
func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, "1601-01-01T00:00:00.0000000Z"...)
	}
	return t.AppendFormat(dst, "2006-01-02T15:04:05.0000000Z")
}

func trimUTF16NUL(b []byte) []byte {
	b = b[:len(b)&^1]
	for len(b) >= 2 && b[len(b)-2] == 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-2]
	}
	return b
}

// appendUTF16 decodes little-endian UTF-16 into UTF-8 without intermediate
// buffers; unpaired surrogates become U+FFFD.
func appendUTF16(dst []byte, b []byte) []byte {
	n := len(b) &^ 1
	i := 0
	// ASCII fast path: four code units at a time while all are below 0x80.
	for ; i+8 <= n; i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		if v&0xff80ff80ff80ff80 != 0 {
			break
		}
		dst = append(dst, byte(v), byte(v>>16), byte(v>>32), byte(v>>48))
	}
	for ; i < n; i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		switch {
		case c < 0x80:
			dst = append(dst, byte(c))
		case c < 0xd800 || c >= 0xe000:
			dst = utf8.AppendRune(dst, rune(c))
		case c < 0xdc00 && i+3 < n:
			c2 := uint16(b[i+2]) | uint16(b[i+3])<<8
			if c2 >= 0xdc00 && c2 < 0xe000 {
				dst = utf8.AppendRune(dst, utf16.DecodeRune(rune(c), rune(c2)))
				i += 2
			} else {
				dst = utf8.AppendRune(dst, utf8.RuneError)
			}
		default:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		}
	}
	return dst
}

// appendAnsi keeps valid UTF-8 as is and maps other bytes as Latin-1.
func appendAnsi(dst []byte, b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for _, c := range b {
		dst = utf8.AppendRune(dst, rune(c))
	}
	return dst
}
