package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clicktrail/clicktrail/evtx"
	"github.com/clicktrail/clicktrail/evtx/image/imagetest"
)

// childEnv makes the test binary run the CLI instead of the tests, so a
// test can measure a whole scan's peak memory in a process of its own.
const childEnv = "CLICKTRAIL_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		code := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)
		// The child's own high-water mark: wait4's figure would start from
		// the test process's size at the fork, however large it had grown.
		if status, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(line, "VmHWM:") {
					fmt.Fprintln(os.Stderr, hwmMarker+strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")))
				}
			}
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

const hwmMarker = "clicktrail-test-child VmHWM "

// scanChild runs `clicktrail args...` in a child process and returns its
// exit code and peak resident memory in MiB.
func scanChild(t *testing.T, args ...string) (code int, maxRSSMiB float64, output string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState == nil {
		t.Fatalf("child did not run: %v", err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if rest, ok := strings.CutPrefix(line, hwmMarker); ok {
			var kb float64
			if _, err := fmt.Sscanf(rest, "%f kB", &kb); err == nil {
				return cmd.ProcessState.ExitCode(), kb / 1024, string(out)
			}
		}
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no resource usage for the child")
	}
	return cmd.ProcessState.ExitCode(), float64(ru.Maxrss) / 1024, string(out) // Maxrss is in KiB on Linux
}

// TestCarveMemoryFlat: carving a 4 GiB sparse disk image (a small NTFS
// partition, then a chunk 3.5 GiB in) takes no more memory than carving a
// 64 MiB one, and finds the far chunk's findings, marked carved.
func TestCarveMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 4 GiB of sparse file")
	}
	dir := t.TempDir()
	vol := filepath.Join(dir, "vol.img")
	imagetest.NTFS(t, vol, 16<<20, []imagetest.File{{Dst: logsDir + "Microsoft-Windows-Sysmon%4Operational.evtx", Src: sampleSysmon}})
	museum, err := os.ReadFile(sampleMuseum)
	if err != nil {
		t.Fatal(err)
	}
	// Chunk 25 of the museum log holds its findings.
	far := museum[evtx.FileHeaderSize+25*evtx.ChunkSize : evtx.FileHeaderSize+26*evtx.ChunkSize]

	peak := map[string]float64{}
	for _, c := range []struct {
		name     string
		tail, at int64
	}{
		{"64MiB", 40 << 20, 30<<20 + 12345},
		{"4GiB", 4<<30 - 24<<20, 7<<29 + 12345},
	} {
		img := filepath.Join(dir, c.name+".img")
		imagetest.Partitioned(t, img, "dos", vol, c.tail)
		f, err := os.OpenFile(img, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteAt(far, c.at); err != nil {
			t.Fatal(err)
		}
		f.Close()
		out := filepath.Join(dir, c.name+"-report")
		start := time.Now()
		code, rss, output := scanChild(t, "scan", "--carve", "--no-progress", "-o", out, img)
		if code != exitFindings {
			t.Fatalf("%s: exit %d\n%s", c.name, code, output)
		}
		peak[c.name] = rss
		t.Logf("%s image: peak RSS %.1f MiB, %v", c.name, rss, time.Since(start))
		carved := 0
		for _, r := range readCSV(t, filepath.Join(out, "findings.csv")) {
			if r["carved"] == "true" {
				carved++
				if !strings.Contains(r["source_file"], "#unpartitioned@") {
					t.Errorf("%s: carved finding from %q", c.name, r["source_file"])
				}
			}
		}
		if carved == 0 {
			t.Errorf("%s: the far chunk's findings are missing", c.name)
		}
	}
	if peak["4GiB"] > 200 {
		t.Errorf("peak RSS %.1f MiB carving a 4 GiB image, want < 200", peak["4GiB"])
	}
	if grow := peak["4GiB"] - peak["64MiB"]; grow > 32 {
		t.Errorf("peak RSS grows by %.1f MiB from a 64 MiB to a 4 GiB image, want flat (< 32)", grow)
	}
}
