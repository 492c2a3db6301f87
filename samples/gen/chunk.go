package gen

import (
	"encoding/binary"
	"hash/crc32"
)

// chunk builds one 64 KiB chunk in memory. Records are encoded straight
// into data; a record that does not fit is rolled back (data cut, string
// and template tables restored) and the caller starts a new chunk.
type chunk struct {
	data     []byte // len = bytes used; cap leaves room to detect overflow
	strHeads [stringBuckets]uint32
	tplHeads [templateBuckets]uint32
	names    map[string]uint32 // name -> offset of its string entry
	tpls     map[GUID]uint32   // template -> offset of its definition
	firstID  uint64
	lastID   uint64
	lastRec  uint32
	records  int
	nameEnc  func(string) []byte // cached hash+length+UTF-16 of a name

	// Undo journal for the record being added.
	jNames   []string
	jTpls    []GUID
	savedStr [stringBuckets]uint32
	savedTpl [templateBuckets]uint32
}

func newChunk(nameEnc func(string) []byte) *chunk {
	return &chunk{data: make([]byte, chunkHeaderSize, 2*chunkSize), names: make(map[string]uint32, 128),
		tpls: make(map[GUID]uint32, 16), nameEnc: nameEnc}
}

func (c *chunk) reset() {
	c.data = c.data[:chunkHeaderSize]
	clear(c.data)
	c.strHeads = [stringBuckets]uint32{}
	c.tplHeads = [templateBuckets]uint32{}
	clear(c.names)
	clear(c.tpls)
	c.firstID, c.lastID, c.lastRec, c.records = 0, 0, 0, 0
}

func (c *chunk) begin() {
	c.jNames = c.jNames[:0]
	c.jTpls = c.jTpls[:0]
	c.savedStr = c.strHeads
	c.savedTpl = c.tplHeads
}

func (c *chunk) rollback(start int) {
	c.data = c.data[:start]
	for _, n := range c.jNames {
		delete(c.names, n)
	}
	for _, t := range c.jTpls {
		delete(c.tpls, t)
	}
	c.strHeads = c.savedStr
	c.tplHeads = c.savedTpl
}

func (c *chunk) u16(v uint16) { c.data = binary.LittleEndian.AppendUint16(c.data, v) }
func (c *chunk) u32(v uint32) { c.data = binary.LittleEndian.AppendUint32(c.data, v) }
func (c *chunk) u64(v uint64) { c.data = binary.LittleEndian.AppendUint64(c.data, v) }
func (c *chunk) pos() uint32  { return uint32(len(c.data)) }

func (c *chunk) patch32(at int, v uint32) { binary.LittleEndian.PutUint32(c.data[at:], v) }

// name writes a name reference; the first use in a chunk carries the name
// inline and links it into the string table, as Windows does.
func (c *chunk) name(s string) {
	if off, ok := c.names[s]; ok {
		c.u32(off)
		return
	}
	off := c.pos() + 4
	c.u32(off)
	enc := c.nameEnc(s)
	bucket := binary.LittleEndian.Uint16(enc) % stringBuckets
	c.u32(c.strHeads[bucket])
	c.data = append(c.data, enc...)
	c.strHeads[bucket] = off
	c.names[s] = off
	c.jNames = append(c.jNames, s)
}

func (c *chunk) fragmentHeader() { c.data = append(c.data, tokFragmentHeader, 1, 1, 0) }

// instance writes a template-instance token; the first instance of a
// template in a chunk carries its definition inline.
func (c *chunk) instance(t *template) {
	c.data = append(c.data, tokTemplateInstance, 0x01)
	c.u32(t.id)
	if off, ok := c.tpls[t.guid]; ok {
		c.u32(off)
		return
	}
	off := c.pos() + 4
	c.u32(off)
	bucket := t.id % templateBuckets
	c.u32(c.tplHeads[bucket])
	c.data = append(c.data, t.guid[:]...)
	sizeAt := len(c.data)
	c.u32(0)
	c.fragmentHeader()
	c.node(&t.root)
	c.data = append(c.data, tokEOF)
	c.patch32(sizeAt, uint32(len(c.data)-sizeAt-4))
	c.tplHeads[bucket] = off
	c.tpls[t.guid] = off
	c.jTpls = append(c.jTpls, t.guid)
}

func (c *chunk) node(n *tnode) {
	switch n.kind {
	case nodeText:
		c.data = append(c.data, tokValue, byte(TypeString))
		c.u16(uint16(utf16Units(n.text)))
		c.data = appendUTF16(c.data, n.text)
	case nodeSubst:
		tok := byte(tokNormalSubst)
		if n.opt {
			tok = tokOptionalSubst
		}
		c.data = append(c.data, tok)
		c.u16(n.idx)
		c.data = append(c.data, byte(n.typ))
	case nodeElement:
		tok := byte(tokOpenStart)
		if len(n.attrs) > 0 {
			tok |= tokMoreFlag
		}
		c.data = append(c.data, tok)
		c.u16(n.dep)
		sizeAt := len(c.data)
		c.u32(0)
		c.name(n.name)
		if len(n.attrs) > 0 {
			listAt := len(c.data)
			c.u32(0)
			for i := range n.attrs {
				tok := byte(tokAttribute)
				if i < len(n.attrs)-1 {
					tok |= tokMoreFlag
				}
				c.data = append(c.data, tok)
				c.name(n.attrs[i].name)
				c.node(&n.attrs[i].val)
			}
			c.patch32(listAt, uint32(len(c.data)-listAt-4))
		}
		if len(n.kids) == 0 {
			c.data = append(c.data, tokCloseEmpty)
		} else {
			c.data = append(c.data, tokCloseStart)
			for i := range n.kids {
				c.node(&n.kids[i])
			}
			c.data = append(c.data, tokEndElement)
		}
		c.patch32(sizeAt, uint32(len(c.data)-sizeAt-4))
	}
}

// finish fills in the chunk header and checksums and returns the 64 KiB
// image. The chunk must hold at least one record.
func (c *chunk) finish() []byte {
	free := len(c.data)
	img := c.data[:chunkSize]
	clear(img[free:])
	h := img[:chunkHeaderSize]
	copy(h, chunkMagic)
	binary.LittleEndian.PutUint64(h[8:], c.firstID) // first/last log record number
	binary.LittleEndian.PutUint64(h[16:], c.lastID)
	binary.LittleEndian.PutUint64(h[24:], c.firstID) // first/last record identifier
	binary.LittleEndian.PutUint64(h[32:], c.lastID)
	binary.LittleEndian.PutUint32(h[40:], chunkHeaderUsed)
	binary.LittleEndian.PutUint32(h[44:], c.lastRec)
	binary.LittleEndian.PutUint32(h[48:], uint32(free))
	binary.LittleEndian.PutUint32(h[52:], crc32.ChecksumIEEE(img[chunkHeaderSize:free]))
	for i, v := range c.strHeads {
		binary.LittleEndian.PutUint32(h[chunkHeaderUsed+4*i:], v)
	}
	for i, v := range c.tplHeads {
		binary.LittleEndian.PutUint32(h[chunkHeaderUsed+4*stringBuckets+4*i:], v)
	}
	crc := crc32.NewIEEE()
	crc.Write(h[:120])
	crc.Write(h[128:chunkHeaderSize])
	binary.LittleEndian.PutUint32(h[124:], crc.Sum32())
	return img
}
