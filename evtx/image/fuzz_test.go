package image

import (
	"bytes"
	"context"
	"testing"
)

// FuzzVolumes: any bytes, read as a disk image, give volumes inside the
// image, and opening and walking what claims to be NTFS returns (with an
// error or not) instead of panicking. Seeds (testdata/fuzz/FuzzVolumes)
// hold MBR, extended-partition, GPT and NTFS boot sector layouts.
func FuzzVolumes(f *testing.F) {
	f.Add(ntfsBoot())
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		_, vols, _ := Volumes(r, int64(len(data)))
		for _, v := range vols {
			if v.Offset < 0 || v.Size < 0 || (v.Size > 0 && v.Offset+v.Size > int64(len(data))) {
				t.Fatalf("volume %+v outside a %d-byte image", v, len(data))
			}
			if !v.NTFS {
				continue
			}
			fs, err := OpenNTFS(r, v)
			if err != nil {
				continue
			}
			logs, _ := fs.Logs(context.Background())
			for _, l := range logs {
				if ra, err := fs.Open(l); err == nil {
					ra.ReadAt(make([]byte, 64), 0)
				}
			}
			fs.Unallocated(context.Background(), func(off, n int64) error { return nil })
			fs.Close()
		}
	})
}
