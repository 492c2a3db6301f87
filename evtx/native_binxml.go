package evtx

import (
	"encoding/binary"
	"fmt"
)

// BinXML tokens. Bit 0x40 on some of them means "more follows" (attributes
// present, or another attribute/value after this one).
const (
	tokEOF           = 0x00
	tokOpenStart     = 0x01
	tokCloseStart    = 0x02
	tokCloseEmpty    = 0x03
	tokEnd           = 0x04
	tokValue         = 0x05
	tokAttribute     = 0x06
	tokCDATA         = 0x07
	tokCharRef       = 0x08
	tokEntityRef     = 0x09
	tokPITarget      = 0x0a
	tokPIData        = 0x0b
	tokTemplate      = 0x0c
	tokSubst         = 0x0d
	tokOptSubst      = 0x0e
	tokFragmentStart = 0x0f
	tokMoreFlag      = 0x40
)

// Decoder limits: nesting this deep is never written by Windows, so deeper
// input is malformed and is refused before it can exhaust the stack.
const (
	maxElemDepth = 64
	maxNest      = 8 // embedded BinXML / template instance levels
)

// Node kinds of the parsed (intermediate) form of a BinXML stream.
const (
	nElem       = iota + 1 // start of an element: name
	nAttr                  // start of an attribute: name; its value nodes follow
	nCloseStart            // end of the attribute list, content follows
	nEnd                   // end of element (also for self-closed ones)
	nText                  // literal value: vt, bytes at [off,end) of the chunk
	nSub                   // substitution: idx, vt, opt
	nCharRef               // character reference: idx holds the code point
	nEntity                // entity reference: name
	nCDATA                 // CDATA text: UTF-16 at [off,end)
	nInstance              // template instance: off = definition, end = value count, lim = stream end
)

// node is one parsed token. Templates are parsed once per chunk into a
// []node and every record that instantiates them walks that slice.
type node struct {
	kind uint8
	vt   uint8
	opt  bool
	idx  uint16
	name string
	off  uint32
	end  uint32
	lim  uint32
}

// subVal is one substitution value of a template instance: its type and the
// chunk bytes it occupies.
type subVal struct {
	t        byte
	off, end uint32
}

// errLimit reports input that would exceed one of the decoder's bounds.
func errLimit(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBinXML}, args...)...)
}

// errAt makes a located BinXML error; pos is a chunk offset.
func errAt(pos int, format string, args ...any) error {
	return fmt.Errorf("%w: "+format+" at chunk offset 0x%x", append([]any{ErrBinXML}, append(args, pos)...)...)
}

// parseStream turns the tokens in chunk[pos:lim] into nodes appended to out.
// withDep says whether element starts carry a dependency identifier, which
// template definitions have and BinXML embedded in a value does not.
// It stops after the root element closes or at an EOF token.
func (d *decoder) parseStream(out []node, pos, lim int, withDep bool) ([]node, int, error) {
	c := d.chunk
	if lim > len(c) {
		lim = len(c)
	}
	depth := 0
	for pos < lim {
		if len(out) >= 1<<15 {
			return out, pos, errAt(pos, "too many tokens")
		}
		tok := c[pos]
		switch tok &^ tokMoreFlag {
		case tokEOF:
			if tok != tokEOF {
				return out, pos, errAt(pos, "bad token 0x%02x", tok)
			}
			return out, pos + 1, nil
		case tokFragmentStart:
			if tok != tokFragmentStart {
				return out, pos, errAt(pos, "bad token 0x%02x", tok)
			}
			pos += 4
		case tokOpenStart:
			if depth >= maxElemDepth {
				return out, pos, errAt(pos, "elements nested deeper than %d", maxElemDepth)
			}
			p := pos + 1
			if withDep {
				p += 2
			}
			if p+8 > lim {
				return out, pos, errAt(pos, "element header past end")
			}
			nameOff := int(binary.LittleEndian.Uint32(c[p+4:]))
			p += 8
			name, np, err := d.readName(nameOff, p, lim)
			if err != nil {
				return out, pos, err
			}
			p = np
			if tok&tokMoreFlag != 0 {
				p += 4 // attribute list size
			}
			out = append(out, node{kind: nElem, name: name})
			depth++
			pos = p
		case tokAttribute:
			if pos+5 > lim || depth == 0 {
				return out, pos, errAt(pos, "attribute out of place")
			}
			nameOff := int(binary.LittleEndian.Uint32(c[pos+1:]))
			name, np, err := d.readName(nameOff, pos+5, lim)
			if err != nil {
				return out, pos, err
			}
			out = append(out, node{kind: nAttr, name: name})
			pos = np
		case tokCloseStart:
			if depth == 0 {
				return out, pos, errAt(pos, "close of no element")
			}
			out = append(out, node{kind: nCloseStart})
			pos++
		case tokCloseEmpty, tokEnd:
			if depth == 0 {
				return out, pos, errAt(pos, "close of no element")
			}
			out = append(out, node{kind: nEnd})
			depth--
			pos++
			if depth == 0 {
				return out, pos, nil
			}
		case tokValue:
			if pos+2 > lim {
				return out, pos, errAt(pos, "value past end")
			}
			vt := c[pos+1]
			p := pos + 2
			var n int
			switch vt {
			case vtString:
				if p+2 > lim {
					return out, pos, errAt(pos, "value past end")
				}
				n = 2 * int(binary.LittleEndian.Uint16(c[p:]))
				p += 2
			default:
				n = fixedSize(vt)
				if n == 0 {
					return out, pos, errAt(pos, "value token of type 0x%02x", vt)
				}
			}
			if p+n > lim {
				return out, pos, errAt(pos, "value past end")
			}
			out = append(out, node{kind: nText, vt: vt, off: uint32(p), end: uint32(p + n)})
			pos = p + n
		case tokCDATA:
			if pos+3 > lim {
				return out, pos, errAt(pos, "CDATA past end")
			}
			n := 2 * int(binary.LittleEndian.Uint16(c[pos+1:]))
			if pos+3+n > lim {
				return out, pos, errAt(pos, "CDATA past end")
			}
			out = append(out, node{kind: nCDATA, off: uint32(pos + 3), end: uint32(pos + 3 + n)})
			pos += 3 + n
		case tokCharRef:
			if pos+3 > lim {
				return out, pos, errAt(pos, "character reference past end")
			}
			out = append(out, node{kind: nCharRef, idx: binary.LittleEndian.Uint16(c[pos+1:])})
			pos += 3
		case tokEntityRef:
			if pos+5 > lim {
				return out, pos, errAt(pos, "entity reference past end")
			}
			name, np, err := d.readName(int(binary.LittleEndian.Uint32(c[pos+1:])), pos+5, lim)
			if err != nil {
				return out, pos, err
			}
			out = append(out, node{kind: nEntity, name: name})
			pos = np
		case tokPITarget:
			if pos+5 > lim {
				return out, pos, errAt(pos, "processing instruction past end")
			}
			_, np, err := d.readName(int(binary.LittleEndian.Uint32(c[pos+1:])), pos+5, lim)
			if err != nil {
				return out, pos, err
			}
			pos = np
		case tokPIData:
			if pos+3 > lim {
				return out, pos, errAt(pos, "processing instruction past end")
			}
			pos += 3 + 2*int(binary.LittleEndian.Uint16(c[pos+1:]))
		case tokSubst, tokOptSubst:
			if pos+4 > lim {
				return out, pos, errAt(pos, "substitution past end")
			}
			out = append(out, node{kind: nSub, idx: binary.LittleEndian.Uint16(c[pos+1:]), vt: c[pos+3], opt: tok == tokOptSubst})
			pos += 4
		case tokTemplate:
			if tok != tokTemplate {
				return out, pos, errAt(pos, "bad token 0x%02x", tok)
			}
			def, countPos, end, err := d.instanceBounds(pos, lim)
			if err != nil {
				return out, pos, err
			}
			out = append(out, node{kind: nInstance, off: uint32(def), end: uint32(countPos), lim: uint32(lim)})
			pos = end
			if depth == 0 {
				return out, pos, nil
			}
		default:
			return out, pos, errAt(pos, "unknown token 0x%02x", tok)
		}
	}
	if depth != 0 {
		return out, pos, errAt(pos, "stream ends inside an element")
	}
	return out, pos, nil
}

// readName resolves a name reference. A name whose offset is the current
// position is stored inline and skipped; otherwise it lives elsewhere in the
// chunk (usually the string table) and the position does not move.
func (d *decoder) readName(nameOff, pos, lim int) (string, int, error) {
	c := d.chunk
	if nameOff+8 > len(c) || nameOff < 0 {
		return "", pos, errAt(pos, "name offset 0x%x outside chunk", nameOff)
	}
	n := int(binary.LittleEndian.Uint16(c[nameOff+6:]))
	end := nameOff + 8 + 2*n
	if end+2 > len(c) {
		return "", pos, errAt(pos, "name of %d characters outside chunk", n)
	}
	s := d.internUTF16(c[nameOff+8 : end])
	if nameOff == pos {
		if end+2 > lim {
			return "", pos, errAt(pos, "inline name past end")
		}
		return s, end + 2, nil
	}
	return s, pos, nil
}

// instanceBounds reads a template instance header at pos: it returns the
// definition offset, the offset of the value count and the end of the
// instance (after its values), all checked against lim.
func (d *decoder) instanceBounds(pos, lim int) (def, countPos, end int, err error) {
	c := d.chunk
	if pos+10 > lim {
		return 0, 0, 0, errAt(pos, "template instance past end")
	}
	def = int(binary.LittleEndian.Uint32(c[pos+6:]))
	p := pos + 10
	if def == p {
		if p+24 > lim {
			return 0, 0, 0, errAt(pos, "template definition past end")
		}
		size := int(binary.LittleEndian.Uint32(c[p+20:]))
		if size > lim-p-24 {
			return 0, 0, 0, errAt(pos, "template definition of %d bytes past end", size)
		}
		p += 24 + size
	}
	if p+4 > lim {
		return 0, 0, 0, errAt(pos, "value count past end")
	}
	countPos = p
	n := int(binary.LittleEndian.Uint32(c[p:]))
	p += 4
	if n > (lim-p)/4 {
		return 0, 0, 0, errAt(pos, "%d values cannot fit", n)
	}
	total := 0
	for i := 0; i < n; i++ {
		total += int(binary.LittleEndian.Uint16(c[p+4*i:]))
	}
	end = p + 4*n + total
	if end > lim {
		return 0, 0, 0, errAt(pos, "values of %d bytes past end", total)
	}
	return def, countPos, end, nil
}

// readSubs reads the value descriptors at countPos into dst.
func (d *decoder) readSubs(dst []subVal, countPos, lim int) ([]subVal, int, error) {
	c := d.chunk
	if countPos+4 > lim {
		return dst, countPos, errAt(countPos, "value count past end")
	}
	n := int(binary.LittleEndian.Uint32(c[countPos:]))
	p := countPos + 4
	if n > (lim-p)/4 {
		return dst, countPos, errAt(countPos, "%d values cannot fit", n)
	}
	v := p + 4*n
	for i := 0; i < n; i++ {
		size := int(binary.LittleEndian.Uint16(c[p+4*i:]))
		if v+size > lim {
			return dst, countPos, errAt(p+4*i, "value %d of %d bytes past end", i, size)
		}
		dst = append(dst, subVal{t: c[p+4*i+2], off: uint32(v), end: uint32(v + size)})
		v += size
	}
	return dst, v, nil
}
