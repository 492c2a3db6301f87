package evtx

import (
	"encoding/binary"
	"strings"
	"time"
)

// The walk's sink: elements, attributes and text as the walk meets them,
// turned into Record fields (or, in XML mode, into markup).

// inSystem says whether the open element is System/<el>.
func (d *decoder) inSystem(el string) bool {
	return len(d.stack) == 3 && d.stack[1].name == "System" && d.stack[2].name == el
}

// inDataField says whether content goes into an EventData field.
func (d *decoder) inDataField() bool {
	return len(d.stack) == 3 && d.stack[1].name == "EventData"
}

func (d *decoder) startElem(name string) {
	if k := len(d.stack); k > 0 {
		d.stack[k-1].hasChild = true
		if d.xml > 0 && d.stack[k-1].text < 0 && d.stack[k-1].xml {
			d.buf = append(d.buf, '>')
			d.stack[k-1].text = len(d.buf)
		}
	}
	d.stack = append(d.stack, frame{name: name, text: -1, xml: d.xml > 0})
	if d.xml > 0 {
		d.buf = append(d.buf, '<')
		d.buf = append(d.buf, name...)
	}
}

func (d *decoder) startAttr(name string) {
	d.attr = name
	if d.xml > 0 {
		d.xmlMk = len(d.buf)
		d.buf = append(d.buf, ' ')
		d.buf = append(d.buf, name...)
		d.buf = append(d.buf, '=', '"')
	}
	d.attrAt = len(d.buf)
}

func (d *decoder) startContent() {
	k := len(d.stack)
	if k == 0 || d.stack[k-1].text >= 0 {
		return
	}
	if d.stack[k-1].xml {
		d.buf = append(d.buf, '>')
	}
	d.stack[k-1].text = len(d.buf)
}

// text renders a value into the current attribute or element content.
func (d *decoder) text(vt byte, b []byte) {
	if d.xml == 0 {
		if d.attrAt >= 0 && vt == vtFileTime && len(b) == 8 && d.attr == "SystemTime" && d.inSystem("TimeCreated") {
			// TimeCreated: taken as a value, never rendered.
			d.rec.TimeCreated = filetimeToTime(binary.LittleEndian.Uint64(b))
			d.tcSeen = true
			return
		}
		d.buf = appendValue(d.buf, vt, b)
		return
	}
	d.scratch = appendValue(d.scratch[:0], vt, b)
	d.rawText(d.scratch)
}

// rawText appends already rendered text, escaped in XML mode.
func (d *decoder) rawText(s []byte) {
	if d.xml == 0 {
		d.buf = append(d.buf, s...)
		return
	}
	k := len(d.stack)
	if d.attrAt < 0 && k > 0 && d.stack[k-1].xml && d.stack[k-1].text < 0 {
		d.buf = append(d.buf, '>')
		d.stack[k-1].text = len(d.buf)
	}
	d.buf = appendEscaped(d.buf, s, d.attrAt >= 0)
}

func (d *decoder) endAttr() {
	if d.attrAt < 0 {
		return
	}
	a := d.attrAt
	d.attrAt = -1
	if d.xml > 0 {
		if len(d.buf) == a {
			d.buf = d.buf[:d.xmlMk] // Windows omits empty attributes
		} else {
			d.buf = append(d.buf, '"')
		}
		return
	}
	if k := len(d.stack); k >= 3 && d.stack[1].name == "UserData" {
		if d.attr != "xmlns" && !strings.HasPrefix(d.attr, "xmlns:") {
			d.nameBuf = d.userDataPath(d.nameBuf[:0], k)
			d.nameBuf = append(d.nameBuf, '@')
			d.nameBuf = append(d.nameBuf, d.attr...)
			d.spans = append(d.spans, span{name: d.intern(d.nameBuf), a: a, b: len(d.buf)})
			return
		}
	}
	d.systemAttr(d.buf[a:])
	d.buf = d.buf[:a]
}

// userDataPath names a UserData value by the element path below UserData,
// joined with "/"; attributes add "@name".
func (d *decoder) userDataPath(dst []byte, k int) []byte {
	for i := 2; i < k; i++ {
		if i > 2 {
			dst = append(dst, '/')
		}
		dst = append(dst, d.stack[i].name...)
	}
	return dst
}

// systemAttr takes the attributes the model needs.
func (d *decoder) systemAttr(v []byte) {
	k := len(d.stack)
	if k != 3 {
		return
	}
	el := d.stack[2].name
	switch d.stack[1].name {
	case "System":
		r := d.rec
		switch {
		case el == "Provider" && d.attr == "Name":
			r.Provider = d.internSlot(slotProvider, v)
		case el == "TimeCreated" && d.attr == "SystemTime":
			if !d.tcSeen {
				if t, err := time.Parse(time.RFC3339Nano, string(v)); err == nil {
					r.TimeCreated = t.UTC()
				}
			}
		case el == "Execution" && d.attr == "ProcessID":
			r.ProcessID = uint32(parseUint(v))
		case el == "Execution" && d.attr == "ThreadID":
			r.ThreadID = uint32(parseUint(v))
		case el == "Security" && d.attr == "UserID":
			r.UserID = d.internSlot(slotUserID, v)
		}
	case "EventData":
		if d.attr == "Name" {
			d.stack[2].dataName = d.intern(v)
		}
	}
}

func (d *decoder) endElem() {
	k := len(d.stack)
	if k == 0 {
		return
	}
	f := d.stack[k-1]
	d.stack = d.stack[:k-1]
	if f.xml {
		if f.text < 0 {
			d.buf = append(d.buf, '/', '>')
		} else {
			d.buf = append(d.buf, '<', '/')
			d.buf = append(d.buf, f.name...)
			d.buf = append(d.buf, '>')
		}
		return
	}
	start := f.text
	if start < 0 {
		start = len(d.buf)
	}
	v := d.buf[start:]
	r := d.rec
	switch {
	case k == 3 && d.stack[1].name == "System":
		switch f.name {
		case "EventID":
			r.EventID = uint16(parseUint(v))
		case "Version":
			r.Version = uint8(parseUint(v))
		case "Level":
			r.Level = uint8(parseUint(v))
		case "Task":
			r.Task = uint16(parseUint(v))
		case "Opcode":
			r.Opcode = uint8(parseUint(v))
		case "Keywords":
			r.Keywords = d.internSlot(slotKeywords, v)
		case "EventRecordID":
			r.RecordID = parseUint(v)
		case "Channel":
			r.Channel = d.internSlot(slotChannel, v)
		case "Computer":
			r.Computer = d.internSlot(slotComputer, v)
		}
		d.buf = d.buf[:start]
	case k == 3 && d.stack[1].name == "EventData":
		if f.hasChild {
			return
		}
		name := f.dataName
		if name == "" {
			name = f.name
			if f.name == "Data" {
				d.dataN++
				if d.dataN > 1 {
					d.nameBuf = append(d.nameBuf[:0], "Data["...)
					d.nameBuf = appendUintDec(d.nameBuf, uint64(d.dataN))
					d.nameBuf = append(d.nameBuf, ']')
					name = d.intern(d.nameBuf)
				}
			}
		}
		d.spans = append(d.spans, span{name: name, a: start, b: len(d.buf)})
	case k >= 3 && d.stack[1].name == "UserData":
		if f.hasChild {
			return
		}
		d.nameBuf = d.userDataPath(d.nameBuf[:0], k-1)
		if k > 3 {
			d.nameBuf = append(d.nameBuf, '/')
		}
		d.nameBuf = append(d.nameBuf, f.name...)
		d.spans = append(d.spans, span{name: d.intern(d.nameBuf), a: start, b: len(d.buf)})
	default:
		if !f.hasChild {
			d.buf = d.buf[:start]
		}
	}
}

func appendUintDec(dst []byte, v uint64) []byte {
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}
