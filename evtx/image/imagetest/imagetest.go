// Package imagetest builds NTFS disk images for tests with Debian's ntfs-3g
// tools (mkntfs, the ntfs-3g FUSE mount) and util-linux's sfdisk. Images
// are sparse files: a multi-megabyte volume takes little more disk than
// the logs put in it.
package imagetest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NeedTools skips the test when a tool is missing, or fails it when CI=true:
// CI installs them (.ci/run: apt-get install ntfs-3g fdisk).
func NeedTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found (apt-get install ntfs-3g fdisk): %v", tool, err)
			}
			t.Skipf("%s not found (apt-get install ntfs-3g fdisk)", tool)
		}
	}
	if _, err := os.Stat("/dev/fuse"); err != nil || os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the ntfs-3g FUSE mount needs root and /dev/fuse")
		}
		t.Skip("the ntfs-3g FUSE mount needs root and /dev/fuse")
	}
}

// File is a file to put on a volume: Src copied to Dst ("/"-separated,
// from the volume root). Delete removes it again once every file is
// written, leaving its clusters as they are, free.
type File struct {
	Dst, Src string
	Delete   bool
}

// NTFS makes a bare NTFS volume image of size bytes at path holding files.
func NTFS(t testing.TB, path string, size int64, files []File) {
	t.Helper()
	NeedTools(t, "mkntfs", "ntfs-3g", "umount")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// -p sets the hidden-sectors field to where the volume will sit when
	// it is copied into a partition; it changes nothing else.
	run(t, "mkntfs", "-F", "-q", "-f", "-s", "512", "-c", "4096", "-p", "2048", "-L", "clicktrail", path)
	mnt := filepath.Join(t.TempDir(), "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "ntfs-3g", path, mnt)
	mounted := true
	unmount := func() {
		if mounted {
			mounted = false
			run(t, "umount", mnt)
		}
	}
	t.Cleanup(unmount)
	for _, fl := range files {
		dst := filepath.Join(mnt, filepath.FromSlash(fl.Dst))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, dst, fl.Src)
	}
	for _, fl := range files {
		if fl.Delete {
			if err := os.Remove(filepath.Join(mnt, filepath.FromSlash(fl.Dst))); err != nil {
				t.Fatal(err)
			}
		}
	}
	unmount()
}

// Partitioned writes a disk image at path with one partition table
// (scheme "dos" for MBR, "gpt", or "dos-logical" for a logical partition
// inside an extended one) whose partition holds the volume image vol, and
// tail bytes of free space after it. It returns the partition's offset.
func Partitioned(t testing.TB, path, scheme, vol string, tail int64) int64 {
	t.Helper()
	NeedTools(t, "sfdisk")
	fi, err := os.Stat(vol)
	if err != nil {
		t.Fatal(err)
	}
	const start = 2048 // sectors
	sectors := fi.Size() / 512
	var script string
	offset := int64(start) * 512
	switch scheme {
	case "dos":
		script = fmt.Sprintf("label: dos\nstart=%d, size=%d, type=7\n", start, sectors)
	case "gpt":
		script = fmt.Sprintf("label: gpt\nstart=%d, size=%d, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7\n", start, sectors)
	case "dos-logical":
		// The logical partition sits 1 MiB into the extended one, behind
		// its extended boot record.
		offset = int64(2*start) * 512
		script = fmt.Sprintf("label: dos\nstart=%d, size=%d, type=5\nstart=%d, size=%d, type=7\n",
			start, sectors+start, 2*start, sectors)
	default:
		t.Fatalf("unknown scheme %q", scheme)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// GPT keeps a backup table in the last 33 sectors.
	if err := f.Truncate(offset + fi.Size() + tail + 1<<20); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sfdisk", "--no-reread", "--no-tell-kernel", "-q", path)
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	src, err := os.Open(vol)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	CopySparse(t, f, src, offset)
	return offset
}

// CopySparse copies src into dst at offset, skipping blocks of zeros so a
// sparse source stays sparse.
func CopySparse(t testing.TB, dst io.WriterAt, src io.Reader, offset int64) {
	t.Helper()
	buf := make([]byte, 64<<10)
	zero := make([]byte, len(buf))
	at := offset
	for {
		n, err := io.ReadFull(src, buf)
		if n > 0 && !bytes.Equal(buf[:n], zero[:n]) {
			if _, werr := dst.WriteAt(buf[:n], at); werr != nil {
				t.Fatal(werr)
			}
		}
		at += int64(n)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func copyFile(t testing.TB, dst, src string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
