package evtx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	gevtx "github.com/0xrawsec/golang-evtx/evtx"
	gulog "github.com/0xrawsec/golang-utils/log"
)

// quietLibrary stops golang-evtx from printing its decode errors to the
// process's standard logger: they are returned as located errors instead.
var quietLibrary sync.Once

// GolangEvtx decodes records through github.com/0xrawsec/golang-evtx v1.2.9.
//
// Only its low-level calls are used, each behind a recover: its channel APIs
// panic inside goroutines no caller can recover, and it trusts the header's
// chunk count. Slots, CRCs and header flags are read by this package's own
// code (format.go), so only record decoding is delegated.
type GolangEvtx struct{}

// Name implements Parser.
func (GolangEvtx) Name() string { return "golang-evtx" }

// Parse implements Parser.
func (p GolangEvtx) Parse(ctx context.Context, src Source, opt Options, visit Visitor) (*FileReport, error) {
	quietLibrary.Do(func() { gulog.SetLogLevel(gulog.LCritical) })
	rep, err := readFileHeader(src)
	rep.Parser = p.Name()
	if err != nil {
		return rep, err
	}
	buf := make([]byte, ChunkSize)
	var rec Record
	for idx := 0; ; idx++ {
		off := int64(FileHeaderSize) + int64(idx)*ChunkSize
		if off >= src.Size {
			break
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		st, data := readChunkSlot(src, idx, off, buf)
		if !st.Empty && !st.BadMagic {
			var stop error
			st.Records, stop = p.walkChunk(src, idx, off, data, opt.Filter, rep, &rec, visit)
			if stop != nil {
				rep.Chunks = append(rep.Chunks, st)
				return rep, stop
			}
		}
		if st.Err != nil {
			rep.Errors = append(rep.Errors, st.Err)
		}
		rep.Chunks = append(rep.Chunks, st)
		if opt.Progress != nil {
			opt.Progress(min(off+ChunkSize, src.Size))
		}
	}
	return rep, nil
}

// walkChunk decodes the records of one chunk. Chunk-level failures are
// appended to rep.Errors; the returned error only carries the visitor's stop.
func (p GolangEvtx) walkChunk(src Source, idx int, off int64, data []byte, keep Filter,
	rep *FileReport, rec *Record, visit Visitor) (n int, stop error) {
	chunk, offsets, err := p.openChunk(data)
	if err != nil {
		rep.Errors = append(rep.Errors, &ParseError{File: src.Name, Chunk: idx, Offset: off, Err: err})
	}
	if chunk == nil {
		return 0, nil
	}
	for _, ro := range offsets {
		if int64(ro) > int64(chunk.Header.OffsetLastRec) || ro < 0x200 {
			continue // golang-evtx lists the end of the last record as an offset
		}
		m, hdr, err := decodeEvent(chunk, int64(ro))
		if err != nil {
			rep.Errors = append(rep.Errors, &ParseError{File: src.Name, Chunk: idx, Offset: off + int64(ro), RecordID: hdr, Err: err})
			continue
		}
		*rec = Record{File: src.Name, ChunkIndex: idx, ChunkOffset: off, Offset: int64(ro)}
		fillFromMap(rec, m)
		if rec.RecordID == 0 {
			rec.RecordID = hdr
		}
		rep.noteTime(rec.TimeCreated)
		if keep != nil && !keep(rec.Provider, rec.EventID) {
			rep.Skipped++
			continue
		}
		n++
		rep.Records++
		if err := visit(rec); err != nil {
			return n, err
		}
	}
	return n, nil
}

// openChunk runs golang-evtx's table and offset parsing on a chunk's bytes.
// A panic becomes an error; whatever offsets were found before it are kept.
func (GolangEvtx) openChunk(data []byte) (c *gevtx.Chunk, offsets []int32, err error) {
	ch := gevtx.NewChunk()
	ch.Data = data
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrPanic, r)
			offsets = ch.EventOffsets
			c = &ch
		}
	}()
	rd := bytes.NewReader(data)
	ch.ParseChunkHeader(rd)
	gevtx.GoToSeeker(rd, int64(ch.Header.SizeHeader))
	ch.ParseStringTable(rd)
	if terr := ch.ParseTemplateTable(rd); terr != nil {
		err = fmt.Errorf("%w: template table: %v", ErrBinXML, terr)
	}
	if oerr := ch.ParseEventOffsets(rd); oerr != nil && err == nil {
		err = fmt.Errorf("%w: record walk stopped: %v", ErrBadRecord, oerr)
	}
	return &ch, ch.EventOffsets, err
}

// decodeEvent decodes one record; the record id from its header is returned
// even when decoding fails, so the error can name it.
func decodeEvent(c *gevtx.Chunk, off int64) (m *gevtx.GoEvtxMap, id uint64, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	e := c.ParseEvent(off)
	id = uint64(e.Header.ID)
	if verr := e.Header.Validate(); verr != nil {
		return nil, id, fmt.Errorf("%w: %v", ErrBadRecord, verr)
	}
	m, err = e.GoEvtxMap(c)
	if m == nil {
		if err == nil {
			err = errors.New("no event decoded")
		}
		return nil, id, fmt.Errorf("%w: %v", ErrBinXML, err)
	}
	return m, id, nil // a partial decode (err != nil with a map) still yields the record
}

// fillFromMap copies what golang-evtx decoded into rec.
func fillFromMap(rec *Record, m *gevtx.GoEvtxMap) {
	ev, ok := (*m)["Event"].(map[string]interface{})
	if !ok {
		if gm, ok2 := (*m)["Event"].(gevtx.GoEvtxMap); ok2 {
			ev, ok = map[string]interface{}(gm), true
		}
	}
	if !ok {
		return
	}
	sys := asMap(ev["System"])
	if prov := asMap(sys["Provider"]); prov != nil {
		rec.Provider = asString(prov["Name"])
	}
	switch eid := sys["EventID"].(type) {
	case nil:
	default:
		if em := asMap(eid); em != nil {
			rec.EventID = uint16(asUint(em["Value"]))
		} else {
			rec.EventID = uint16(asUint(eid))
		}
	}
	rec.Version = uint8(asUint(sys["Version"]))
	rec.Level = uint8(asUint(sys["Level"]))
	rec.Task = uint16(asUint(sys["Task"]))
	rec.Opcode = uint8(asUint(sys["Opcode"]))
	rec.Keywords = asString(sys["Keywords"])
	if tc := asMap(sys["TimeCreated"]); tc != nil {
		switch t := tc["SystemTime"].(type) {
		case time.Time:
			rec.TimeCreated = t.UTC()
		case gevtx.UTCTime:
			rec.TimeCreated = time.Time(t).UTC()
		case string:
			if pt, err := time.Parse(time.RFC3339Nano, t); err == nil {
				rec.TimeCreated = pt.UTC()
			}
		}
	}
	rec.RecordID = asUint(sys["EventRecordID"])
	rec.Channel = asString(sys["Channel"])
	rec.Computer = asString(sys["Computer"])
	if sec := asMap(sys["Security"]); sec != nil {
		rec.UserID = asString(sec["UserID"])
	}
	if ex := asMap(sys["Execution"]); ex != nil {
		rec.ProcessID = uint32(asUint(ex["ProcessID"]))
		rec.ThreadID = uint32(asUint(ex["ThreadID"]))
	}
	rec.Data = rec.Data[:0]
	if ed := asMap(ev["EventData"]); ed != nil {
		appendFields(rec, "", ed)
	} else if ud := asMap(ev["UserData"]); ud != nil {
		appendFields(rec, "", ud)
	}
}

// appendFields flattens a decoded EventData/UserData map. golang-evtx keeps
// them as maps, so document order is lost; sorting names keeps output stable.
func appendFields(rec *Record, prefix string, m map[string]interface{}) {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k == "xmlns" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := k
		if prefix != "" {
			name = prefix + "/" + k
		}
		if sub := asMap(m[k]); sub != nil {
			appendFields(rec, name, sub)
			continue
		}
		rec.Data = append(rec.Data, Field{Name: name, Value: asString(m[k])})
	}
}

func asMap(v interface{}) map[string]interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		return t
	case gevtx.GoEvtxMap:
		return map[string]interface{}(t)
	case *gevtx.GoEvtxMap:
		if t != nil {
			return map[string]interface{}(*t)
		}
	}
	return nil
}

// asString renders a golang-evtx value as text. Its "0x%08x"-style hex
// strings are kept as they come: the triage layer parses both forms.
func asString(v interface{}) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return strings.TrimRight(t, "\x00")
	case time.Time:
		return t.UTC().Format("2006-01-02T15:04:05.0000000Z")
	case gevtx.UTCTime:
		return time.Time(t).UTC().Format("2006-01-02T15:04:05.0000000Z")
	case fmt.Stringer:
		return t.String()
	case []interface{}:
		parts := make([]string, len(t))
		for i := range t {
			parts[i] = asString(t[i])
		}
		return strings.Join(parts, ",")
	case float32:
		return strconv.FormatFloat(float64(t), 'g', -1, 32)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1e15 {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func asUint(v interface{}) uint64 {
	switch t := v.(type) {
	case string:
		s := strings.TrimSpace(t)
		if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
			u, _ := strconv.ParseUint(s[2:], 16, 64)
			return u
		}
		u, _ := strconv.ParseUint(s, 10, 64)
		return u
	case int64:
		return uint64(t)
	case uint64:
		return t
	case int:
		return uint64(t)
	case uint8:
		return uint64(t)
	case uint16:
		return uint64(t)
	case uint32:
		return uint64(t)
	case int8:
		return uint64(t)
	case int16:
		return uint64(t)
	case int32:
		return uint64(t)
	case float64:
		return uint64(t)
	}
	return 0
}
