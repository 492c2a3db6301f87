package evtx

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func xmlChar(r rune) rune {
	if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
		return '\uFFFD'
	}
	return r
}

// TestNativeGolden pins the decoded records and their XML rendering for
// the committed seed chunks (Sysmon, CAPI2 with embedded BinXML, a
// forwarded event). Rewrite with -update after a deliberate change.
func TestNativeGolden(t *testing.T) {
	data := testFile(t, 1)
	var out bytes.Buffer
	_, err := Native{Jobs: 2}.ParseXML(context.Background(), Source{Name: "seeds", R: bytes.NewReader(data), Size: int64(len(data))}, Options{},
		func(r *Record, x []byte) error {
			j, err := json.Marshal(r)
			if err != nil {
				return err
			}
			out.Write(j)
			out.WriteByte('\n')
			out.Write(x)
			out.WriteString("\n\n")
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "native_seeds.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("output differs from %s (run with -update if intended):\n%s", golden, out.String())
	}
}

// TestNativeXMLMatchesRecord checks, on every sample, that the XML
// rendering is well-formed and says what the Record says.
func TestNativeXMLMatchesRecord(t *testing.T) {
	shared := sharedDir(t)
	for _, rel := range sampleFiles(t, shared) {
		path := filepath.Join(shared, "samples", rel)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := f.Stat()
		bad := 0
		_, err = Native{}.ParseXML(context.Background(), Source{Name: path, R: f, Size: fi.Size()}, Options{}, func(r *Record, x []byte) error {
			var ev xmlNode
			if err := xml.Unmarshal(x, &ev); err != nil {
				bad++
				if bad <= 3 {
					t.Errorf("%s record %d: XML does not parse: %v\n%s", rel, r.RecordID, err, x)
				}
				return nil
			}
			got := parsedRecord{RecordID: r.RecordID, TimeCreated: formatTimeCreated(r.TimeCreated), EventID: r.EventID,
				Provider: r.Provider, Computer: r.Computer, Channel: r.Channel}
			for _, f := range r.Data { // XML 1.0 cannot carry control characters; the renderer writes U+FFFD
				got.Data = append(got.Data, Field{Name: f.Name, Value: strings.Map(xmlChar, f.Value)})
			}
			want := flattenXMLEvent(&ev)
			if want.RecordID == 0 {
				want.RecordID = r.RecordID // no EventRecordID element: the record header's id is used
			}
			if d := recordDiff(got, want, false); d != "" {
				bad++
				if bad <= 3 {
					t.Errorf("%s record %d: XML and Record differ: %s", rel, r.RecordID, d)
				}
			}
			return nil
		})
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
	}
}
