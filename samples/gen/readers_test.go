package gen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/clicktrail/clicktrail/evtx"
)

// readRec is one record as a reader rendered it.
type readRec struct {
	id       uint64
	time     time.Time
	eventID  uint16
	provider string
	channel  string
	computer string
	data     map[string]string
	err      string // the reader could not decode this record
}

type reader struct {
	name string
	read func(t *testing.T, path string) []readRec
}

// TestThreeReaders writes every built-in scenario (plain and --hostile) and
// a small rotated --records sample, reads each file back with clicktrail's
// own readers (package evtx: the native parser and the golang-evtx
// backend), libevtx's evtxexport and python-evtx, and compares every record
// (EventRecordID, TimeCreated, EventID, Provider, Channel, Computer, every
// EventData name and value) with what was written.
//
// Rendering differences that are the readers' and not the file's are
// normalised here, each for a stated reason:
//   - GUIDs: evtxexport upper case with braces, python-evtx lower case with
//     braces, golang-evtx upper case without: compared case-blind, braces off.
//   - HexInt64 (LogonId, 4688 ids): "0x3e7" (Windows), zero-padded to 16
//     digits (evtxexport, python-evtx) or 8 (golang-evtx): compared as numbers.
//   - TimeCreated: python-evtx goes through a float and keeps microseconds,
//     so it is allowed 5 µs of error (seen: up to 3 µs); the others must
//     match to 100 ns.
//   - Unpaired UTF-16 surrogates (hostile): native and golang-evtx give
//     U+FFFD per unit; libevtx gives one U+FFFD and drops the unit after a lone high
//     surrogate; python-evtx raises on the record (evtx_dump.py would stop
//     the whole file there), so those records must be reported as errors.
//   - NUL inside a string (hostile): evtxexport's XML ends at the NUL, so
//     that value and every later field of the record are missing from it;
//     golang-evtx trims trailing NULs (none are written at a value's end).
func TestThreeReaders(t *testing.T) {
	readers := []reader{
		{"native", func(t *testing.T, path string) []readRec { return readClicktrail(t, evtx.Native{}, path) }},
		{"golang-evtx", func(t *testing.T, path string) []readRec { return readClicktrail(t, evtx.GolangEvtx{}, path) }},
	}
	if p := pythonWithEvtx(); p != "" {
		readers = append(readers, reader{"python-evtx", func(t *testing.T, path string) []readRec { return readPython(t, p, path) }})
	} else {
		needTool(t, "python3 with python-evtx (python3-evtx)") // skips or fails
	}
	if p := findExe("evtxexport"); p != "" {
		readers = append(readers, reader{"evtxexport", func(t *testing.T, path string) []readRec { return readLibevtx(t, p, path) }})
	} else {
		needTool(t, "evtxexport (libevtx-utils)")
	}

	dir := t.TempDir()
	files := map[string][]written{}
	var order []string
	for _, name := range Builtins() {
		for _, hostile := range []bool{false, true} {
			if name == "benign" && hostile {
				continue // benign --hostile is covered by the scale sample
			}
			path, recs, _ := writeBuiltin(t, dir, name, hostile)
			files[path] = recs
			order = append(order, path)
		}
	}
	scale, _ := writeScale(t, dir, 3000, true)
	for path, recs := range scale {
		files[path] = recs
		order = append(order, path)
	}

	// evtx_dump.py itself (not only the library under it) must print every
	// record of the files it can read whole: those without unpaired
	// surrogates, on which it stops by design.
	if dump := findExe("evtx_dump.py"); dump != "" && pythonWithEvtx() != "" {
		for _, path := range order {
			if strings.Contains(path, "hostile") || strings.Contains(path, "Sysmon%4") {
				continue
			}
			out, err := exec.Command(pythonWithEvtx(), dump, path).Output()
			if err != nil {
				t.Errorf("evtx_dump.py %s: %v", filepath.Base(path), err)
				continue
			}
			ids := reRecordID.FindAllSubmatch(out, -1)
			if len(ids) != len(files[path]) {
				t.Errorf("evtx_dump.py %s: %d records, wrote %d", filepath.Base(path), len(ids), len(files[path]))
				continue
			}
			for i, m := range ids {
				if string(m[1]) != strconv.FormatUint(files[path][i].id, 10) {
					t.Errorf("evtx_dump.py %s: record %d has id %s, want %d", filepath.Base(path), i, m[1], files[path][i].id)
					break
				}
			}
		}
	} else {
		needTool(t, "evtx_dump.py (python3-evtx)")
	}

	for _, path := range order {
		want := files[path]
		for _, rd := range readers {
			t.Run(filepath.Base(path)+"/"+rd.name, func(t *testing.T) {
				got := rd.read(t, path)
				compareRecords(t, rd.name, want, got)
			})
		}
	}
}

func compareRecords(t *testing.T, rdName string, want []written, got []readRec) {
	t.Helper()
	byID := make(map[uint64]readRec, len(got))
	for _, r := range got {
		if _, dup := byID[r.id]; dup {
			t.Errorf("record %d read twice", r.id)
		}
		byID[r.id] = r
	}
	if len(got) != len(want) {
		t.Errorf("read %d records, wrote %d", len(got), len(want))
	}
	bad := 0
	for _, w := range want {
		r, ok := byID[w.id]
		if !ok {
			t.Errorf("record %d missing", w.id)
			continue
		}
		if errs := diffRecord(rdName, w, r); len(errs) > 0 {
			bad++
			if bad <= 5 {
				t.Errorf("record %d (%s):\n  %s", w.id, w.schema.Name, strings.Join(errs, "\n  "))
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d records differ in all", bad)
	}
}

func diffRecord(rdName string, w written, r readRec) []string {
	var errs []string
	if rdName == "python-evtx" && hasLoneSurrogate(w) {
		if r.err == "" {
			errs = append(errs, "python-evtx decoded a record with an unpaired surrogate; expected its UnicodeDecodeError")
		}
		return errs
	}
	if r.err != "" {
		return []string{"reader error: " + r.err}
	}
	if r.eventID != w.schema.EventID {
		errs = append(errs, fmt.Sprintf("EventID %d, want %d", r.eventID, w.schema.EventID))
	}
	if r.provider != w.schema.Provider {
		errs = append(errs, fmt.Sprintf("Provider %q, want %q", r.provider, w.schema.Provider))
	}
	if r.channel != w.schema.Channel {
		errs = append(errs, fmt.Sprintf("Channel %q, want %q", r.channel, w.schema.Channel))
	}
	if r.computer != w.computer {
		errs = append(errs, fmt.Sprintf("Computer %q, want %q", r.computer, w.computer))
	}
	tol := time.Duration(0)
	if rdName == "python-evtx" {
		tol = 5 * time.Microsecond
	}
	if d := r.time.Sub(w.time.UTC()); d > tol || d < -tol {
		errs = append(errs, fmt.Sprintf("TimeCreated %s, want %s", r.time.Format(time.RFC3339Nano), w.time.UTC().Format(time.RFC3339Nano)))
	}
	fields := w.schema.Fields
	if rdName == "evtxexport" {
		for i, v := range w.values {
			if v.Type == TypeString && strings.IndexByte(v.S, 0) >= 0 {
				fields = fields[:i]
				break
			}
		}
	}
	if len(r.data) != len(fields) {
		errs = append(errs, fmt.Sprintf("%d EventData fields, want %d", len(r.data), len(fields)))
	}
	for i, f := range fields {
		gotV, ok := r.data[f.Name]
		if !ok {
			errs = append(errs, "missing field "+f.Name)
			continue
		}
		wantV := w.values[i]
		if !sameValue(rdName, f.Type, wantV, gotV) {
			errs = append(errs, fmt.Sprintf("%s = %s, want %s", f.Name, clip(strconv.Quote(gotV)), clip(strconv.Quote(wantV.Text()))))
		}
	}
	return errs
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func sameValue(rdName string, typ ValueType, want Value, got string) bool {
	switch typ {
	case TypeGUID:
		return strings.EqualFold(strings.Trim(got, "{}"), strings.Trim(want.Text(), "{}"))
	case TypeHexInt64:
		g, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(got), "0x"), 16, 64)
		return err == nil && g == want.U
	case TypeString:
		return got == renderString(rdName, want.S)
	}
	return got == want.Text()
}

// renderString is how each reader shows a string value (see the
// normalisations listed on TestThreeReaders).
func renderString(rdName, s string) string {
	units := utf16Of(s)
	switch rdName {
	case "evtxexport":
		for i, u := range units {
			if u == 0 {
				units = units[:i]
				break
			}
		}
		var out []rune
		for i := 0; i < len(units); i++ {
			u := units[i]
			switch {
			case u >= 0xd800 && u < 0xdc00:
				if i+1 < len(units) && units[i+1] >= 0xdc00 && units[i+1] < 0xe000 {
					out = append(out, utf16.DecodeRune(rune(u), rune(units[i+1])))
				} else {
					out = append(out, 0xfffd)
				}
				i++
			case u >= 0xdc00 && u < 0xe000:
				out = append(out, 0xfffd)
			default:
				out = append(out, rune(u))
			}
		}
		return string(out)
	case "golang-evtx":
		return strings.TrimRight(string(utf16.Decode(units)), "\x00")
	}
	return string(utf16.Decode(units))
}

func utf16Of(s string) []uint16 {
	b := appendUTF16(nil, s)
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return u
}

func hasLoneSurrogate(w written) bool {
	for _, v := range w.values {
		if v.Type == TypeString && loneSurrogate(utf16Of(v.S)) {
			return true
		}
	}
	return loneSurrogate(utf16Of(w.computer))
}

func loneSurrogate(units []uint16) bool {
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xd800 && u < 0xdc00:
			if i+1 >= len(units) || units[i+1] < 0xdc00 || units[i+1] >= 0xe000 {
				return true
			}
			i++
		case u >= 0xdc00 && u < 0xe000:
			return true
		}
	}
	return false
}

// --- readers ---

// readClicktrail reads a file with one of package evtx's parsers, and
// checks the integrity flags it reports (header, CRCs) on the way.
func readClicktrail(t *testing.T, p evtx.Parser, path string) []readRec {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	var out []readRec
	rep, err := p.Parse(context.Background(), evtx.Source{Name: path, R: f, Size: fi.Size()}, evtx.Options{},
		func(r *evtx.Record) error {
			rr := readRec{id: r.RecordID, time: r.TimeCreated, eventID: r.EventID, provider: r.Provider, channel: r.Channel,
				computer: r.Computer, data: map[string]string{}}
			for _, fl := range r.Data {
				rr.data[fl.Name] = fl.Value
			}
			out = append(out, rr)
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Errors {
		t.Errorf("%s: %v", p.Name(), e)
	}
	for _, c := range rep.Chunks {
		if !c.HeaderCRCValid || !c.DataCRCValid {
			t.Errorf("chunk %d: CRC flags header=%v data=%v", c.Index, c.HeaderCRCValid, c.DataCRCValid)
		}
	}
	if !rep.HeaderValid || !rep.HeaderCRCValid || rep.Dirty {
		t.Errorf("file header: valid=%v crc=%v dirty=%v", rep.HeaderValid, rep.HeaderCRCValid, rep.Dirty)
	}
	return out
}

func findExe(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, d := range []string{"/usr/bin", "/usr/local/bin"} {
		if _, err := os.Stat(filepath.Join(d, name)); err == nil {
			return filepath.Join(d, name)
		}
	}
	return ""
}

// pythonWithEvtx finds a python3 that can import python-evtx (a pyenv
// shim first on PATH may not see Debian's dist-packages).
func pythonWithEvtx() string {
	for _, p := range []string{"/usr/bin/python3", findExe("python3")} {
		if p == "" {
			continue
		}
		if exec.Command(p, "-c", "import Evtx.Evtx").Run() == nil {
			return p
		}
	}
	return ""
}

func readPython(t *testing.T, py, path string) []readRec {
	script, err := filepath.Abs(filepath.Join("testdata", "pyevtx_records.py"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, script, path).Output()
	if err != nil {
		t.Fatalf("python-evtx: %v", err)
	}
	var recs []readRec
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "OK "):
			recs = append(recs, parseXMLRecord(t, "python-evtx", line[3:]))
		case strings.HasPrefix(line, "ERR "):
			f := strings.SplitN(line, " ", 3)
			n, _ := strconv.ParseUint(f[1], 10, 64)
			recs = append(recs, readRec{id: n, err: f[2]})
		}
	}
	return recs
}

func readLibevtx(t *testing.T, exe, path string) []readRec {
	cmd := exec.Command(exe, "-f", "xml", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("evtxexport: %v: %s", err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Errorf("evtxexport stderr: %s", s)
	}
	var recs []readRec
	parts := strings.Split(string(out), "<Event xmlns=")
	for _, p := range parts[1:] {
		recs = append(recs, parseXMLRecord(t, "evtxexport", "<Event xmlns="+p))
	}
	return recs
}

var (
	reRecordID = regexp.MustCompile(`<EventRecordID>(\d+)</EventRecordID>`)
	reEventID  = regexp.MustCompile(`<EventID[^>]*>(\d+)</EventID>`)
	reTime     = regexp.MustCompile(`<TimeCreated SystemTime="([^"]*)"`)
	reProvider = regexp.MustCompile(`<Provider Name="([^"]*)"`)
	reChannel  = regexp.MustCompile(`(?s)<Channel>(.*?)</Channel>`)
	reComputer = regexp.MustCompile(`(?s)<Computer>(.*?)</Computer>`)
	reData     = regexp.MustCompile(`(?s)<Data Name="([^"]*)"(?:/>|>(.*?)</Data>)`)
)

// parseXMLRecord reads one <Event> as the XML-printing readers show it.
// Values are XML-unescaped; nothing else is changed.
func parseXMLRecord(t *testing.T, rdName, x string) readRec {
	t.Helper()
	un := func(s string) string { return html.UnescapeString(strings.ReplaceAll(s, "&#10;", "\n")) }
	first := func(re *regexp.Regexp) string {
		if m := re.FindStringSubmatch(x); m != nil {
			return m[1]
		}
		return ""
	}
	var r readRec
	r.id, _ = strconv.ParseUint(first(reRecordID), 10, 64)
	eid, _ := strconv.ParseUint(first(reEventID), 10, 16)
	r.eventID = uint16(eid)
	r.provider = un(first(reProvider))
	r.channel = un(first(reChannel))
	r.computer = un(first(reComputer))
	ts := first(reTime)
	var err error
	if rdName == "python-evtx" {
		r.time, err = time.Parse("2006-01-02 15:04:05.999999", ts)
	} else {
		r.time, err = time.Parse(time.RFC3339Nano, ts)
	}
	if err != nil {
		t.Errorf("%s: record %d: TimeCreated %q: %v", rdName, r.id, ts, err)
	}
	r.data = map[string]string{}
	for _, m := range reData.FindAllStringSubmatch(x, -1) {
		r.data[un(m[1])] = un(m[2])
	}
	return r
}
