package evtx

import "encoding/binary"

// template is a template definition parsed once per chunk, with where its
// Provider Name and EventID come from so a Filter can run before anything
// else of a record is decoded.
type template struct {
	nodes []node
	err   error

	planned bool // System/Provider and System/EventID were located
	provSub int  // substitution index of Provider Name, -1 if literal
	eidSub  int  // substitution index of EventID, -1 if literal
	provLit string
	eidLit  uint16
}

// template returns the definition at chunk offset def, parsing it on first
// use in this chunk.
func (d *decoder) template(def int) *template {
	if t, ok := d.tpls[uint32(def)]; ok {
		return t
	}
	var t *template
	if d.tplUsed < len(d.tplPool) {
		t = d.tplPool[d.tplUsed]
	} else {
		t = &template{}
		d.tplPool = append(d.tplPool, t)
	}
	d.tplUsed++
	nodes := t.nodes[:0]
	if cap(nodes) > 4096 {
		nodes = nil // do not let one huge template pin memory in every later chunk
	}
	*t = template{nodes: nodes, provSub: -1, eidSub: -1}
	d.tpls[uint32(def)] = t
	c := d.chunk
	if def < chunkHeaderSize || def+24 > len(c) {
		t.err = errAt(def, "template definition offset outside chunk")
		return t
	}
	size := int(binary.LittleEndian.Uint32(c[def+20:]))
	start := def + 24
	lim := len(c)
	if size <= lim-start {
		lim = start + size
	}
	if d.chunkNodes > maxChunkNodes {
		t.err = errLimit("chunk's templates exceed %d nodes", maxChunkNodes)
		return t
	}
	t.nodes, _, t.err = d.parseStream(t.nodes, start, lim, true)
	d.chunkNodes += len(t.nodes)
	if t.err == nil {
		d.plan(t)
	}
	return t
}

// plan finds the sources of Provider Name and EventID in the template.
func (d *decoder) plan(t *template) {
	var names [4]string
	depth := 0
	attr := ""
	inAttr := false
	for i := range t.nodes {
		n := &t.nodes[i]
		switch n.kind {
		case nElem:
			depth++
			if depth < len(names) {
				names[depth] = n.name
			}
			inAttr = false
			if depth == 2 && n.name == "System" {
				t.planned = true
			}
		case nEnd:
			depth--
			inAttr = false
		case nAttr:
			attr, inAttr = n.name, true
		case nCloseStart:
			inAttr = false
		case nSub, nText:
			if depth != 3 || names[2] != "System" {
				continue
			}
			switch {
			case inAttr && names[3] == "Provider" && attr == "Name":
				if n.kind == nSub {
					t.provSub = int(n.idx)
				} else {
					d.scratch = appendValue(d.scratch[:0], n.vt, d.chunk[n.off:n.end])
					t.provLit = d.intern(d.scratch)
				}
			case !inAttr && names[3] == "EventID":
				if n.kind == nSub {
					t.eidSub = int(n.idx)
				} else {
					d.scratch = appendValue(d.scratch[:0], n.vt, d.chunk[n.off:n.end])
					t.eidLit = uint16(parseUint(d.scratch))
				}
			}
		}
	}
}

// filterKey returns the provider and event id of an instance of t.
func (d *decoder) filterKey(t *template, subs []subVal) (string, uint16) {
	prov, eid := t.provLit, t.eidLit
	if t.provSub >= 0 && t.provSub < len(subs) {
		v := subs[t.provSub]
		d.scratch = appendValue(d.scratch[:0], v.t, d.chunk[v.off:v.end])
		prov = d.intern(d.scratch)
	}
	if t.eidSub >= 0 && t.eidSub < len(subs) {
		v := subs[t.eidSub]
		b := d.chunk[v.off:v.end]
		switch {
		case v.t == vtUint16 && len(b) == 2:
			eid = binary.LittleEndian.Uint16(b)
		default:
			d.scratch = appendValue(d.scratch[:0], v.t, b)
			eid = uint16(parseUint(d.scratch))
		}
	}
	return prov, eid
}

// parseUint reads a decimal or 0x-prefixed hex number; junk gives 0.
func parseUint(b []byte) uint64 {
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		var v uint64
		for _, c := range b[2:] {
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | uint64(c-'0')
			case c >= 'a' && c <= 'f':
				v = v<<4 | uint64(c-'a'+10)
			case c >= 'A' && c <= 'F':
				v = v<<4 | uint64(c-'A'+10)
			default:
				return 0
			}
		}
		return v
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + uint64(c-'0')
	}
	return v
}

// intern returns b as a string, allocating only the first time a worker
// sees it. The table is bounded: when full it is cleared.
func (d *decoder) intern(b []byte) string {
	if s, ok := d.names[string(b)]; ok {
		return s
	}
	if len(b) > 256 {
		return string(b)
	}
	if len(d.names) >= 1<<14 {
		clear(d.names)
	}
	s := string(b)
	d.names[s] = s
	return s
}

// internUTF16 interns a UTF-16 name.
func (d *decoder) internUTF16(b []byte) string {
	d.nameBuf = appendUTF16(d.nameBuf[:0], b)
	return d.intern(d.nameBuf)
}
