package evtx

import "context"

// XMLVisitor receives a record together with its whole event rendered as
// compact XML (no indentation; empty attributes omitted, as Windows does;
// values rendered as in Record.Data). Both are only valid during the call.
type XMLVisitor func(rec *Record, xml []byte) error

// ParseXML is Parse that also renders each kept record as XML, for
// 'clicktrail dump' and for comparing with other tools. It costs a second
// walk of each record.
func (p Native) ParseXML(ctx context.Context, src Source, opt Options, visit XMLVisitor) (*FileReport, error) {
	return p.parse(ctx, src, opt, nil, visit)
}

// renderXML walks the record decodeRecord last decoded again, in XML mode,
// appending the XML to dst.
func (d *decoder) renderXML(dst []byte) ([]byte, error) {
	d.buf, dst = dst, d.buf
	d.stack = d.stack[:0]
	d.xml, d.attrAt, d.walks = 1, -1, 0
	err := d.walk(d.root, d.rootSubs, 1)
	d.endAttr()
	for len(d.stack) > 0 {
		d.endElem()
	}
	d.xml = 0
	d.buf, dst = dst, d.buf
	return dst, err
}

func entityText(name string) []byte {
	switch name {
	case "amp":
		return []byte("&")
	case "lt":
		return []byte("<")
	case "gt":
		return []byte(">")
	case "quot":
		return []byte(`"`)
	case "apos":
		return []byte("'")
	}
	return nil
}

// appendEscaped writes s as XML character data or attribute value. CR (and
// in attributes TAB and LF) become character references so that an XML
// reader gets them back; other control characters cannot appear in XML 1.0
// and become U+FFFD.
func appendEscaped(dst, s []byte, attr bool) []byte {
	for _, c := range s {
		switch {
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '>':
			dst = append(dst, "&gt;"...)
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '"' && attr:
			dst = append(dst, "&quot;"...)
		case c == '\r':
			dst = append(dst, "&#xD;"...)
		case c == '\n' && attr:
			dst = append(dst, "&#xA;"...)
		case c == '\t' && attr:
			dst = append(dst, "&#x9;"...)
		case c < 0x20 && c != '\n' && c != '\t':
			dst = append(dst, "\uFFFD"...)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
