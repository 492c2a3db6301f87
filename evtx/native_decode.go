package evtx

import "unicode/utf8"

// decoder is one worker's state. Everything in it is reused from record to
// record and chunk to chunk so that steady-state decoding does not allocate.
type decoder struct {
	chunk   []byte
	names   map[string]string    // interned names and System strings
	tpls    map[uint32]*template // this chunk's templates by definition offset
	tplPool []*template
	tplUsed int
	subs    [maxNest][]subVal
	frags   [maxNest][]node
	scratch []byte
	nameBuf []byte

	// Per-record output.
	rec    *Record
	buf    []byte  // rendered text of the record's data values
	spans  []span  // data fields as name + range of buf
	stack  []frame // open elements
	xml    int     // >0 while rendering embedded BinXML as XML text
	attr   string
	attrAt int // start of the current attribute value in buf, -1 outside one
	xmlMk  int // start of the current attribute's markup in XML mode
	dataN  int // unnamed Data elements so far
	tcSeen bool
	walks  int // nodes walked, bounded per record

	// Per-chunk budgets, reset by startChunk.
	chunkWork  int
	chunkText  int
	chunkNodes int

	// The last decoded record's parsed form, for rendering it as XML.
	root     []node
	rootSubs []subVal

	// The System strings of consecutive records are nearly always the
	// same; comparing with the last one is cheaper than a map lookup.
	last [numSlots]lastString
}

type lastString struct {
	b []byte
	s string
}

const (
	slotProvider = iota
	slotComputer
	slotChannel
	slotKeywords
	slotUserID
	numSlots
)

// internSlot interns v, remembering it as the last value of a System field.
func (d *decoder) internSlot(slot int, v []byte) string {
	l := &d.last[slot]
	if l.s != "" && string(l.b) == string(v) {
		return l.s
	}
	l.s = d.intern(v)
	l.b = append(l.b[:0], v...)
	return l.s
}

type span struct {
	name string
	a, b int
}

// frame is an open element while walking.
type frame struct {
	name     string
	text     int // start of content text in buf, -1 before content
	hasChild bool
	dataName string
	xml      bool // opened in XML mode
}

func newDecoder() *decoder {
	return &decoder{
		names: make(map[string]string, 256),
		tpls:  make(map[uint32]*template, 64),
	}
}

// startChunk forgets the previous chunk's templates.
func (d *decoder) startChunk(c []byte) {
	d.chunk = c
	clear(d.tpls)
	d.tplUsed = 0
	d.chunkWork, d.chunkText, d.chunkNodes = 0, 0, 0
}

// maxWalk bounds the work one record may cost, counted in nodes walked and
// bytes of embedded BinXML parsed: a template can repeat a BinXML value many
// times, and each expansion is bounded by the chunk, but the product is not.
// Real records stay far below it (a CAPI2 record costs a few thousand).
// The chunk bounds cap what one chunk in flight can cost in time and memory,
// whatever its records do.
const (
	maxWalk       = 1 << 21
	maxChunkWork  = 1 << 23
	maxRecordText = 2 << 20 // rendered bytes of one record (and of a chunk's XML)
	maxChunkText  = 8 << 20 // rendered bytes of one chunk's records
	maxChunkNodes = 1 << 18 // parsed template nodes per chunk
)

// decodeRecord decodes the BinXML of one record at chunk[pos:end] into rec.
// When keep is non-nil, early is set and the record's template says where
// its provider and event id are, keep runs before anything else is decoded;
// otherwise it runs after. false means the record was skipped.
func (d *decoder) decodeRecord(pos, end int, rec *Record, keep Filter, early bool) (bool, error) {
	d.rec = rec
	d.buf = d.buf[:0]
	d.spans = d.spans[:0]
	d.stack = d.stack[:0]
	d.xml, d.attrAt, d.dataN, d.walks, d.tcSeen = 0, -1, 0, 0, false
	c := d.chunk
	p := pos
	if p+4 <= end && c[p] == tokFragmentStart {
		p += 4
	}
	if p < end && c[p] == tokTemplate {
		def, countPos, _, err := d.instanceBounds(p, end)
		if err != nil {
			return true, err
		}
		t := d.template(def)
		if t.err != nil {
			return true, t.err
		}
		subs, _, err := d.readSubs(d.subs[0][:0], countPos, end)
		d.subs[0] = subs
		if err != nil {
			return true, err
		}
		if keep != nil && early && t.planned {
			if prov, eid := d.filterKey(t, subs); !keep(prov, eid) {
				return false, nil
			}
			keep = nil
		}
		d.root, d.rootSubs = t.nodes, subs
		if err := d.walk(t.nodes, subs, 1); err != nil {
			return true, err
		}
	} else {
		// Elements written directly in a record (forwarded events) carry no
		// dependency identifier; only template definitions do.
		nodes, _, err := d.parseStream(d.frags[0][:0], p, end, false)
		d.frags[0] = nodes
		if err != nil {
			return true, err
		}
		d.root, d.rootSubs = nodes, nil
		if err := d.walk(nodes, nil, 1); err != nil {
			return true, err
		}
	}
	if keep != nil && !keep(rec.Provider, rec.EventID) {
		return false, nil
	}
	return true, nil
}

// walk expands nodes with the substitution values subs. lvl counts nested
// template instances and embedded BinXML values.
func (d *decoder) walk(nodes []node, subs []subVal, lvl int) error {
	if lvl >= maxNest {
		return errLimit("BinXML nested deeper than %d", maxNest)
	}
	if err := d.spend(len(nodes)); err != nil {
		return err
	}
	for i := range nodes {
		n := &nodes[i]
		switch n.kind {
		case nElem:
			d.endAttr()
			if len(d.stack) >= maxElemDepth {
				return errLimit("elements nested deeper than %d", maxElemDepth)
			}
			d.startElem(n.name)
		case nAttr:
			d.endAttr()
			d.startAttr(n.name)
		case nCloseStart:
			d.endAttr()
			d.startContent()
		case nEnd:
			d.endAttr()
			d.endElem()
		case nText:
			d.text(n.vt, d.chunk[n.off:n.end])
		case nCDATA:
			d.text(vtString, d.chunk[n.off:n.end])
		case nCharRef:
			d.scratch = utf8.AppendRune(d.scratch[:0], rune(n.idx))
			d.rawText(d.scratch)
		case nEntity:
			d.rawText(entityText(n.name))
		case nSub:
			if int(n.idx) >= len(subs) {
				continue
			}
			v := subs[n.idx]
			if v.t == vtNull || (v.off == v.end && v.t != vtString) {
				continue
			}
			if v.t == vtBinXML {
				if err := d.embedded(int(v.off), int(v.end), lvl); err != nil {
					return err
				}
				continue
			}
			d.text(v.t, d.chunk[v.off:v.end])
		case nInstance:
			t := d.template(int(n.off))
			if t.err != nil {
				return t.err
			}
			s, _, err := d.readSubs(d.subs[lvl][:0], int(n.end), int(n.lim))
			d.subs[lvl] = s
			if err != nil {
				return err
			}
			if err := d.spend(len(s)); err != nil {
				return err
			}
			if err := d.walk(t.nodes, s, lvl+1); err != nil {
				return err
			}
		}
		if len(d.buf) > maxRecordText {
			return errLimit("record renders to more than %d bytes", maxRecordText)
		}
	}
	return nil
}

// spend charges n units of work to the record and to the chunk.
func (d *decoder) spend(n int) error {
	d.walks += n
	d.chunkWork += n
	if d.walks > maxWalk {
		return errLimit("record expands to more than %d nodes", maxWalk)
	}
	if d.chunkWork > maxChunkWork {
		return errLimit("chunk expands to more than %d nodes", maxChunkWork)
	}
	return nil
}

// embedded expands a BinXML value. Inside a data field (or an attribute) it
// becomes that field's text as compact XML; elsewhere its elements join the
// tree as if written in place.
func (d *decoder) embedded(off, end, lvl int) error {
	if err := d.spend(end - off + 1); err != nil {
		return err
	}
	nodes, _, err := d.parseStream(d.frags[lvl][:0], off, end, false)
	if err != nil {
		// Some writers keep dependency identifiers in embedded values too.
		var err2 error
		nodes, _, err2 = d.parseStream(d.frags[lvl][:0], off, end, true)
		if err2 != nil {
			return err
		}
	}
	d.frags[lvl] = nodes
	asText := d.attrAt >= 0 || d.inDataField()
	if asText {
		d.xml++
		defer func() { d.xml-- }()
	}
	depth := len(d.stack)
	err = d.walk(nodes, nil, lvl+1)
	d.endAttr()
	for len(d.stack) > depth { // close what a damaged value left open
		d.endElem()
	}
	return err
}
