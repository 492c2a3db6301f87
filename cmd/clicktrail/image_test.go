package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/evtx"
	"github.com/clicktrail/clicktrail/evtx/image"
	"github.com/clicktrail/clicktrail/evtx/image/imagetest"
	"github.com/clicktrail/clicktrail/triage"
)

// Shipped sample logs put into the test images.
var (
	sampleSysmon  = filepath.Join("..", "..", "samples", "evtx", "positives", "omer__sysmon.evtx")
	sampleMuseum  = filepath.Join("..", "..", "samples", "evtx", "positives", "museum__Win10_APTSimulatorVM_Microsoft-Windows-Sysmon%4Operational.evtx")
	sampleSecLog  = filepath.Join("..", "..", "samples", "evtx", "related", "e2m__ID4688-Edge_payload_download_via_command.evtx")
	logsDir       = "/Windows/System32/winevt/Logs/"
	volumeContent = []imagetest.File{
		{Dst: logsDir + "Microsoft-Windows-Sysmon%4Operational.evtx", Src: sampleSysmon},
		{Dst: logsDir + "Security.evtx", Src: sampleSecLog},
		{Dst: "/Users/Public/collected/Sysmon-old.EVTX", Src: sampleMuseum},
	}
)

// analyze runs what scan runs up to the triage result, so tests can look
// at events and findings beyond what the CSV shows.
func analyze(t *testing.T, carve bool, args ...string) (*triage.Result, []input) {
	t.Helper()
	ctx := context.Background()
	parser, err := evtx.New("")
	if err != nil {
		t.Fatal(err)
	}
	ins := collectInputs(ctx, args, collectOptions{carve: carve})
	coll := triage.NewCollector()
	results, err := readAll(ctx, parser, ins, 2, coll, nil)
	if err != nil {
		t.Fatal(err)
	}
	var files []*triage.FileCoverage
	for _, r := range results {
		files = append(files, r.cov)
	}
	events, dups := coll.Take()
	res, err := triage.AnalyzeEvents(ctx, events, files, triage.Options{Duplicates: dups})
	if err != nil {
		t.Fatal(err)
	}
	return res, ins
}

// findingKeys describes each finding by what it found, not where it was
// read: rule, host, record id, process and command line.
func findingKeys(res *triage.Result) []string {
	var keys []string
	for _, f := range res.Findings {
		e := f.Event
		keys = append(keys, fmt.Sprintf("%s|%s|%d|%s|%s|%s", f.Rule.ID, e.Host, e.RecordID, e.Created.Format("2006-01-02T15:04:05.0000000"), e.ProcessGUID, e.CommandLine))
	}
	sort.Strings(keys)
	return keys
}

func extracted(t *testing.T, files []imagetest.File) *triage.Result {
	t.Helper()
	var args []string
	for _, f := range files {
		if !f.Delete {
			args = append(args, f.Src)
		}
	}
	res, _ := analyze(t, false, args...)
	return res
}

// TestImageScanMatchesExtractedLogs: a bare NTFS volume, and the same
// volume in an MBR, a logical MBR and a GPT partition, give the findings
// the logs give when copied out, every log named by its path inside the
// image.
func TestImageScanMatchesExtractedLogs(t *testing.T) {
	dir := t.TempDir()
	vol := filepath.Join(dir, "vol.img")
	imagetest.NTFS(t, vol, 16<<20, volumeContent)
	want := findingKeys(extracted(t, volumeContent))
	if len(want) == 0 {
		t.Fatal("the extracted logs give no findings: the comparison would prove nothing")
	}
	cases := []struct {
		scheme, prefix string
	}{
		{"", "vol.img#"},
		{"dos", "disk-dos.img#p1:"},
		{"gpt", "disk-gpt.img#p1:"},
		{"dos-logical", "disk-dos-logical.img#p5:"},
	}
	for _, c := range cases {
		t.Run("scheme="+c.scheme, func(t *testing.T) {
			img := vol
			if c.scheme != "" {
				img = filepath.Join(dir, "disk-"+c.scheme+".img")
				imagetest.Partitioned(t, img, c.scheme, vol, 1<<20)
			}
			res, ins := analyze(t, false, img)
			if got := findingKeys(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("findings differ from the extracted logs'\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			var names []string
			for _, in := range ins {
				if in.err != nil {
					t.Errorf("%s: %v", in.path, in.err)
				}
				names = append(names, strings.TrimPrefix(in.path, dir+string(filepath.Separator)))
			}
			wantNames := []string{
				c.prefix + logsDir + "Microsoft-Windows-Sysmon%4Operational.evtx",
				c.prefix + logsDir + "Security.evtx",
				c.prefix + "/Users/Public/collected/Sysmon-old.EVTX",
			}
			sort.Strings(wantNames)
			if strings.Join(names, "\n") != strings.Join(wantNames, "\n") {
				t.Errorf("inputs:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(wantNames, "\n"))
			}
			for _, f := range res.Findings {
				if f.Event.Carved {
					t.Errorf("finding from %s marked carved without --carve", f.Event.File)
				}
			}
		})
	}
}

// TestCarveDeletedLog: a Sysmon log deleted from the volume is gone from a
// plain scan, and --carve brings its findings back from the free clusters,
// each marked carved with its offset in the image, where its record is.
func TestCarveDeletedLog(t *testing.T) {
	dir := t.TempDir()
	content := []imagetest.File{
		{Dst: logsDir + "Microsoft-Windows-Sysmon%4Operational.evtx", Src: sampleSysmon},
		{Dst: "/Users/Public/old/Sysmon-2022.evtx", Src: sampleMuseum, Delete: true},
	}
	vol := filepath.Join(dir, "vol.img")
	imagetest.NTFS(t, vol, 16<<20, content)
	live := findingKeys(extracted(t, content))
	all := findingKeys(extracted(t, append(content[:1:1], imagetest.File{Src: sampleMuseum})))
	if len(all) <= len(live) {
		t.Fatalf("the deleted log holds no findings of its own (%d vs %d): the test would prove nothing", len(all), len(live))
	}
	for _, scheme := range []string{"", "gpt"} {
		t.Run("scheme="+scheme, func(t *testing.T) {
			img := vol
			if scheme != "" {
				img = filepath.Join(dir, "disk-"+scheme+".img")
				imagetest.Partitioned(t, img, scheme, vol, 1<<20)
			}
			plain, _ := analyze(t, false, img)
			if got := findingKeys(plain); strings.Join(got, "\n") != strings.Join(live, "\n") {
				t.Fatalf("without --carve:\n%s\nwant the live log's:\n%s", strings.Join(got, "\n"), strings.Join(live, "\n"))
			}
			res, _ := analyze(t, true, img)
			if got := findingKeys(res); strings.Join(got, "\n") != strings.Join(all, "\n") {
				t.Fatalf("with --carve:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(all, "\n"))
			}
			raw, err := os.ReadFile(img)
			if err != nil {
				t.Fatal(err)
			}
			carved := 0
			for _, f := range res.Findings {
				e := f.Event
				fromDeleted := strings.Contains(e.File, "unallocated@")
				if e.Carved != fromDeleted {
					t.Errorf("%s record %d: carved=%v", e.File, e.RecordID, e.Carved)
				}
				if !e.Carved {
					continue
				}
				carved++
				// The offset cites the record in the image.
				if e.Offset < 0 || e.Offset+16 > int64(len(raw)) || string(raw[e.Offset:e.Offset+4]) != "**\x00\x00" ||
					leUint64(raw[e.Offset+8:]) != e.RecordID {
					t.Errorf("carved record %d: image offset %#x does not hold it", e.RecordID, e.Offset)
				}
			}
			if carved != len(all)-len(live) {
				t.Errorf("%d carved findings, want %d", carved, len(all)-len(live))
			}
		})
	}
}

// TestCarveLiveLogDropsCopies: carving a log that is also read live finds
// its chunks again; the carved copies are the ones dropped as duplicates.
func TestCarveLiveLogDropsCopies(t *testing.T) {
	res, ins := analyze(t, true, sampleSysmon)
	carvedInputs := 0
	for _, in := range ins {
		if in.carved {
			carvedInputs++
		}
	}
	if carvedInputs == 0 {
		t.Fatal("nothing carved from a whole log")
	}
	if res.Duplicates == 0 {
		t.Error("no carved copy was dropped as a duplicate")
	}
	plain, _ := analyze(t, false, sampleSysmon)
	if got, want := findingKeys(res), findingKeys(plain); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range res.Findings {
		if f.Event.Carved {
			t.Errorf("record %d: the carved copy was kept over the live one (%s)", f.Event.RecordID, f.Event.File)
		}
	}
}

func leUint64(b []byte) uint64 {
	var v uint64
	for i := 7; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

// TestCarveOverwrittenChunks: a log whose file header and middle chunks
// are overwritten, and whose last chunk lost its header: the live read
// gets the intact chunks, --carve adds the records of the headless chunk,
// marked carved at their offsets in the file, and nothing from the
// overwritten chunks is made up.
func TestCarveOverwrittenChunks(t *testing.T) {
	orig, err := os.ReadFile(sampleMuseum)
	if err != nil {
		t.Fatal(err)
	}
	const headless = 25
	overwritten := func(chunk int) bool { return chunk >= 5 && chunk <= 20 }
	chunkAt := func(i int) int { return evtx.FileHeaderSize + i*evtx.ChunkSize }
	dmg := append([]byte(nil), orig...)
	clear(dmg[:evtx.FileHeaderSize])
	for i := 5; i <= 20; i++ {
		copy(dmg[chunkAt(i):chunkAt(i+1)], bytes.Repeat([]byte("overwritten "), evtx.ChunkSize/12+1))
	}
	copy(dmg[chunkAt(headless):chunkAt(headless)+0x200], bytes.Repeat([]byte{0xA5}, 0x200))
	path := filepath.Join(t.TempDir(), "damaged.evtx")
	if err := os.WriteFile(path, dmg, 0o644); err != nil {
		t.Fatal(err)
	}

	base, _ := analyze(t, false, sampleMuseum)
	var want []string
	fromHeadless := map[uint64]int64{}
	for _, f := range base.Findings {
		if !overwritten(f.Event.Chunk) {
			want = append(want, findingKeys(&triage.Result{Findings: []*triage.Finding{f}})...)
		}
		if f.Event.Chunk == headless {
			fromHeadless[f.Event.RecordID] = f.Event.Offset
		}
	}
	sort.Strings(want)
	if len(fromHeadless) == 0 {
		t.Fatal("no finding in the headless chunk: the test would prove nothing")
	}

	live, _ := analyze(t, false, path)
	for _, f := range live.Findings {
		if f.Event.Chunk == headless {
			t.Fatalf("the live read decoded the headless chunk: the test would prove nothing")
		}
	}
	res, _ := analyze(t, true, path)
	if got := findingKeys(res); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("with --carve:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range res.Findings {
		e := f.Event
		off, isHeadless := fromHeadless[e.RecordID]
		if e.Carved != isHeadless {
			t.Errorf("record %d from %s: carved=%v", e.RecordID, e.File, e.Carved)
		}
		if isHeadless && e.Offset != off {
			t.Errorf("carved record %d at %#x, it is at %#x in the file", e.RecordID, e.Offset, off)
		}
	}
}

// csvFindings reads findings.csv without the columns that say where a
// finding was read, which differ between an image and its logs copied out.
func csvFindings(t *testing.T, dir string) []string {
	t.Helper()
	var rows []string
	for _, r := range readCSV(t, filepath.Join(dir, "findings.csv")) {
		delete(r, "source_file")
		delete(r, "file_offset")
		keys := make([]string, 0, len(r))
		for k := range r {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		row := ""
		for _, k := range keys {
			row += k + "=" + r[k] + ";"
		}
		rows = append(rows, row)
	}
	sort.Strings(rows)
	return rows
}

// TestScanImageReportMatchesExtracted: `clicktrail scan disk.img` writes
// the findings.csv that scanning the logs copied out writes, but for where
// each was read.
func TestScanImageReportMatchesExtracted(t *testing.T) {
	dir := t.TempDir()
	vol := filepath.Join(dir, "vol.img")
	imagetest.NTFS(t, vol, 16<<20, volumeContent)
	img := filepath.Join(dir, "disk.img")
	imagetest.Partitioned(t, img, "gpt", vol, 0)
	var srcs []string
	for _, f := range volumeContent {
		srcs = append(srcs, f.Src)
	}
	wantDir, wantCode, _, _ := scanInto(t, srcs...)
	gotDir, gotCode, _, stderr := scanInto(t, img)
	if gotCode != wantCode {
		t.Fatalf("exit %d, want %d\n%s", gotCode, wantCode, stderr)
	}
	got, want := csvFindings(t, gotDir), csvFindings(t, wantDir)
	if len(want) == 0 {
		t.Fatal("no findings in the extracted logs: the comparison would prove nothing")
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings.csv differs:\ngot:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range readCSV(t, filepath.Join(gotDir, "findings.csv")) {
		if !strings.HasPrefix(r["source_file"], img+"#p1:/") {
			t.Errorf("finding read from %q, not named by its path in the image", r["source_file"])
		}
	}
}

// TestScanE01SaysHowToConvert: an EWF image is not read, and the message
// says how to turn it into a raw one.
func TestScanE01SaysHowToConvert(t *testing.T) {
	path := filepath.Join(t.TempDir(), "disk.E01")
	if err := os.WriteFile(path, append([]byte("EVF\x09\x0d\x0a\xff\x00"), make([]byte, 4096)...), 0o644); err != nil {
		t.Fatal(err)
	}
	_, code, stdout, stderr := scanInto(t, path)
	if code != exitInput {
		t.Errorf("exit %d, want %d", code, exitInput)
	}
	if !strings.Contains(stdout+stderr, "ewfexport") || !strings.Contains(stdout+stderr, "ewf-tools") {
		t.Errorf("no word of ewfexport / ewf-tools:\n%s%s", stdout, stderr)
	}
}

// TestOutsideVolumes: carving covers NTFS volumes' free clusters, other
// partitions whole and the space between partitions, once each, in order.
func TestOutsideVolumes(t *testing.T) {
	vols := []image.Volume{
		{Number: 2, Offset: 5000, Size: 1000, NTFS: true},
		{Number: 1, Offset: 1000, Size: 2000},
		{Number: 3, Offset: 5500, Size: 100}, // overlaps 2: a damaged table
	}
	free := []span{{5100, 5200, "p2:unallocated"}, {5900, 6000, "p2:unallocated"}}
	got := fmt.Sprint(outsideVolumes(vols, 8000, free))
	want := "[{0 1000 unpartitioned} {1000 3000 p1:raw} {3000 5000 unpartitioned} {5100 5200 p2:unallocated} {5900 6000 p2:unallocated} {6000 8000 unpartitioned}]"
	if got != want {
		t.Errorf("spans\n%s\nwant\n%s", got, want)
	}
}

// TestImageInputsKinds: what imageInputs makes of files that are no disk
// image, with and without carving.
func TestImageInputsKinds(t *testing.T) {
	e01 := filepath.Join(t.TempDir(), "x.E01")
	if err := os.WriteFile(e01, []byte("EVF\x09\x0d\x0a\xff\x00rest"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		path      string
		carve     bool
		isImage   bool
		carved    bool // some carved input comes out
		errSubstr string
	}{
		{"log, no carving", sampleSysmon, false, false, false, ""},
		{"log, carving", sampleSysmon, true, false, true, ""},
		{"E01", e01, false, true, false, "ewfexport"},
		{"missing", e01 + ".nope", false, false, false, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ins, isImage, err := imageInputs(context.Background(), c.path, c.carve)
			if isImage != c.isImage || (err == nil) != (c.errSubstr == "") ||
				(err != nil && !strings.Contains(err.Error(), c.errSubstr)) {
				t.Fatalf("isImage %v, err %v", isImage, err)
			}
			carved := false
			for _, in := range ins {
				carved = carved || in.carved
				if !in.carved {
					t.Errorf("%s: a live input from a file that is no image", in.path)
				}
			}
			if carved != c.carved {
				t.Errorf("carved inputs: %v, want %v", carved, c.carved)
			}
		})
	}
}
