package image_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clicktrail/clicktrail/evtx/image"
	"github.com/clicktrail/clicktrail/evtx/image/imagetest"
)

var samples = filepath.Join("..", "..", "samples", "evtx")

// TestNTFSLogs: on a volume made by mkntfs and filled through the ntfs-3g
// mount, every *.evtx (any case) is found, Logs folder first, and reads
// back byte for byte; other files are not listed.
func TestNTFSLogs(t *testing.T) {
	dir := t.TempDir()
	files := []imagetest.File{
		{Dst: "/Windows/System32/winevt/Logs/Security.evtx", Src: filepath.Join(samples, "related", "e2m__ID4688-Edge_payload_download_via_command.evtx")},
		{Dst: "/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx", Src: filepath.Join(samples, "positives", "omer__sysmon.evtx")},
		{Dst: "/Cases/Old.EVTX", Src: filepath.Join(samples, "positives", "museum__Win10_APTSimulatorVM_Microsoft-Windows-Sysmon%4Operational.evtx")},
		{Dst: "/Cases/notes.txt", Src: filepath.Join(samples, "MANIFEST.tsv")},
		{Dst: "/Cases/gone.evtx", Src: filepath.Join(samples, "broken", "velocidex__Security_1_record.evtx"), Delete: true},
	}
	vol := filepath.Join(dir, "vol.img")
	imagetest.NTFS(t, vol, 16<<20, files)
	f, err := os.Open(vol)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	kind, vols, err := image.Volumes(f, fi.Size())
	if err != nil || kind != image.KindNTFS || len(vols) != 1 || !vols[0].NTFS {
		t.Fatalf("Volumes: %v %v %v", kind, vols, err)
	}
	fs, err := image.OpenNTFS(f, vols[0])
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	logs, err := fs.Logs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range logs {
		got = append(got, l.Path)
	}
	want := []string{
		"/Windows/System32/winevt/Logs/Microsoft-Windows-Sysmon%4Operational.evtx",
		"/Windows/System32/winevt/Logs/Security.evtx",
		"/Cases/Old.EVTX",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("logs:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	src := map[string]string{}
	for _, fl := range files {
		src[fl.Dst] = fl.Src
	}
	for _, l := range logs {
		wantData, err := os.ReadFile(src[l.Path])
		if err != nil {
			t.Fatal(err)
		}
		ra, err := fs.Open(l)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		n, err := io.Copy(h, io.NewSectionReader(ra, 0, l.Size))
		if err != nil || n != int64(len(wantData)) || l.Size != n {
			t.Fatalf("%s: read %d of %d bytes (size %d): %v", l.Path, n, len(wantData), l.Size, err)
		}
		if sum := sha256.Sum256(wantData); !bytes.Equal(h.Sum(nil), sum[:]) {
			t.Errorf("%s: bytes differ from the file copied in", l.Path)
		}
	}
}

// TestNTFSUnallocated: the free clusters the $Bitmap gives hold a deleted
// file's bytes and none of a live file's.
func TestNTFSUnallocated(t *testing.T) {
	dir := t.TempDir()
	mark := func(tag string) []byte { return bytes.Repeat([]byte("clicktrail-"+tag+"-"), 8192) }
	live, gone := filepath.Join(dir, "live.bin"), filepath.Join(dir, "gone.bin")
	if err := os.WriteFile(live, mark("live"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gone, mark("gone"), 0o644); err != nil {
		t.Fatal(err)
	}
	vol := filepath.Join(dir, "vol.img")
	imagetest.NTFS(t, vol, 8<<20, []imagetest.File{{Dst: "/a/live.bin", Src: live}, {Dst: "/b/gone.bin", Src: gone, Delete: true}})
	raw, err := os.ReadFile(vol)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := image.OpenNTFS(bytes.NewReader(raw), image.Volume{Size: int64(len(raw)), NTFS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fs.Close()
	var free [][2]int64
	var last int64 = -1
	err = fs.Unallocated(context.Background(), func(off, n int64) error {
		if off <= last || n <= 0 || off%fs.ClusterSize != 0 {
			t.Errorf("range %d+%d after %d", off, n, last)
		}
		last = off + n
		free = append(free, [2]int64{off, off + n})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	inFree := func(at int) bool {
		for _, r := range free {
			if int64(at) >= r[0] && int64(at) < r[1] {
				return true
			}
		}
		return false
	}
	for tag, wantFree := range map[string]bool{"live": false, "gone": true} {
		at := bytes.Index(raw, []byte("clicktrail-"+tag+"-clicktrail-"))
		if at < 0 {
			t.Fatalf("%s file's bytes not in the image", tag)
		}
		if inFree(at) != wantFree {
			t.Errorf("%s file's bytes at %#x: free=%v, want %v", tag, at, !wantFree, wantFree)
		}
	}
}
