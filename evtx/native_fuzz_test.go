package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files and fuzz seeds under testdata")

// seedSources are the MIT-licensed omerbenamram/evtx samples the committed
// seeds are cut from: Sysmon templates, CAPI2 embedded BinXML, a forwarded
// record, SizeT values.
var seedSources = []string{
	"positives/omer__sysmon.evtx",
	"broken/omer__E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
	"broken/omer__MSExchange_Management_wec.evtx",
}

// seedChunk cuts the first chunk of a file down to its first k records and
// fixes the chunk header (free space, last record, CRCs) to match, so a seed
// is a small, valid chunk.
func seedChunk(file []byte, k int) ([]byte, error) {
	if len(file) < FileHeaderSize+ChunkSize {
		return nil, fmt.Errorf("file too short")
	}
	c := append([]byte(nil), file[FileHeaderSize:FileHeaderSize+ChunkSize]...)
	pos, last := chunkHeaderSize, chunkHeaderSize
	var lastID uint64
	for i := 0; i < k && pos+minRecordSize <= len(c); i++ {
		if binary.LittleEndian.Uint32(c[pos:]) != recordMagic {
			break
		}
		size := int(binary.LittleEndian.Uint32(c[pos+4:]))
		if size < minRecordSize || pos+size > len(c) {
			break
		}
		last, lastID = pos, binary.LittleEndian.Uint64(c[pos+8:])
		pos += size
	}
	if pos == chunkHeaderSize {
		return nil, fmt.Errorf("no records")
	}
	first := binary.LittleEndian.Uint64(c[8:])
	binary.LittleEndian.PutUint64(c[16:], first+uint64(k)-1)
	binary.LittleEndian.PutUint64(c[32:], lastID)
	binary.LittleEndian.PutUint32(c[44:], uint32(last))
	binary.LittleEndian.PutUint32(c[48:], uint32(pos))
	binary.LittleEndian.PutUint32(c[52:], crc32.ChecksumIEEE(c[chunkHeaderSize:pos]))
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:chunkHeaderSize])
	binary.LittleEndian.PutUint32(c[124:], h.Sum32())
	return c[:pos], nil
}

// seedFile puts a chunk behind a valid file header.
func seedFile(chunk []byte) []byte {
	f := make([]byte, FileHeaderSize, FileHeaderSize+len(chunk))
	copy(f, fileMagic)
	binary.LittleEndian.PutUint64(f[16:], 0)
	binary.LittleEndian.PutUint32(f[32:], 128)
	binary.LittleEndian.PutUint16(f[36:], 1)
	binary.LittleEndian.PutUint16(f[38:], 3)
	binary.LittleEndian.PutUint16(f[40:], FileHeaderSize)
	binary.LittleEndian.PutUint16(f[42:], 1)
	binary.LittleEndian.PutUint32(f[124:], crc32.ChecksumIEEE(f[:120]))
	return append(f, chunk...)
}

func writeCorpusFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte("go test fuzz v1\n[]byte("+strconv.Quote(string(b))+")\n"), 0o644)
}

// TestFuzzSeeds checks that the committed seeds are still what the samples
// give (rewrite them with -update) and that each decodes cleanly, so the
// fuzzers start from inputs that reach deep into the decoder.
func TestFuzzSeeds(t *testing.T) {
	for i := range seedSources {
		for _, target := range []string{"FuzzChunk", "FuzzFile"} {
			path := filepath.Join("testdata", "fuzz", target, fmt.Sprintf("seed-%d", i))
			if *update {
				shared := sharedDir(t)
				file, err := os.ReadFile(filepath.Join(shared, "samples", seedSources[i]))
				if err != nil {
					t.Fatal(err)
				}
				c, err := seedChunk(file, 3)
				if err != nil {
					t.Fatalf("%s: %v", seedSources[i], err)
				}
				if target == "FuzzFile" {
					c = seedFile(c)
				}
				if err := writeCorpusFile(path, c); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("missing seed (run with -update): %v", err)
			}
			b, err := parseCorpusFile(raw)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if target == "FuzzChunk" {
				b = seedFile(b)
			}
			full := make([]byte, FileHeaderSize+ChunkSize)
			copy(full, b)
			rep, err := Native{Jobs: 1}.Parse(context.Background(), Source{Name: path, R: bytes.NewReader(full), Size: int64(len(full))},
				Options{}, func(*Record) error { return nil })
			if err != nil || len(rep.Errors) > 0 || rep.Records == 0 || !rep.Chunks[0].HeaderCRCValid || !rep.Chunks[0].DataCRCValid {
				t.Errorf("%s: %d records, err %v, errors %v, chunk %+v", path, rep.Records, err, rep.Errors, rep.Chunks)
			}
		}
	}
}

func parseCorpusFile(raw []byte) ([]byte, error) {
	const head = "go test fuzz v1\n[]byte("
	s := string(bytes.TrimSpace(raw))
	if len(s) < len(head)+1 || s[:len(head)] != head || s[len(s)-1] != ')' {
		return nil, fmt.Errorf("not a one-[]byte corpus file")
	}
	v, err := strconv.Unquote(s[len(head) : len(s)-1])
	return []byte(v), err
}

// Committed seeds live in testdata/fuzz/Fuzz*/seed-N (see TestFuzzSeeds);
// when the shared samples are present more seeds are added from them.
var fuzzSeedFiles = []string{
	"positives/omer__sysmon.evtx",
	"broken/omer__E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
	"broken/omer__MSExchange_Management_wec.evtx",
	"broken/omer__sample-with-zero-data-size-event.evtx",
	"parser/Security_with_size_t.evtx",
}

// sharedChunks returns the used part of the first chunk of each seed file.
func sharedChunks(f *testing.F) [][]byte {
	var out [][]byte
	shared := os.Getenv("CLICKTRAIL_SHARED")
	if shared == "" {
		shared = filepath.Join("..", "..", "shared")
	}
	for _, rel := range fuzzSeedFiles {
		b, err := os.ReadFile(filepath.Join(shared, "samples", rel))
		if err != nil || len(b) < FileHeaderSize+ChunkSize {
			continue
		}
		out = append(out, trimChunk(b[FileHeaderSize:FileHeaderSize+ChunkSize]))
	}
	return out
}

// trimChunk cuts a chunk to its free-space offset; the fuzz targets pad it
// back with zeros.
func trimChunk(c []byte) []byte {
	free := int(uint32(c[48]) | uint32(c[49])<<8 | uint32(c[50])<<16 | uint32(c[51])<<24)
	if free > chunkHeaderSize && free <= len(c) {
		c = c[:free]
	}
	return append([]byte(nil), c...)
}

// checkParse runs the decoder over a whole file image and checks the
// invariants every input must keep.
func checkParse(t *testing.T, data []byte, jobs int) {
	limit := len(data)/minRecordSize + 1
	n := 0
	rep, err := Native{Jobs: jobs}.Parse(context.Background(), Source{Name: "fuzz", R: bytes.NewReader(data), Size: int64(len(data))}, Options{},
		func(r *Record) error {
			n++
			if n > limit {
				t.Fatalf("%d records from %d bytes", n, len(data))
			}
			if r.Offset < chunkHeaderSize || r.Offset >= ChunkSize {
				t.Fatalf("record offset 0x%x outside a chunk", r.Offset)
			}
			return nil
		})
	if err != nil && !errors.Is(err, ErrNotEVTX) && !errors.Is(err, ErrTruncated) {
		t.Fatalf("parse: %v", err)
	}
	for _, e := range rep.Errors {
		if errors.Is(e, ErrPanic) {
			t.Fatalf("decoder panicked: %v", e)
		}
	}
	if rep.Records != n {
		t.Fatalf("report says %d records, visitor saw %d", rep.Records, n)
	}
}

// FuzzChunk decodes one chunk behind a valid file header.
func FuzzChunk(f *testing.F) {
	for _, c := range sharedChunks(f) {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, chunk []byte) {
		if len(chunk) > ChunkSize {
			chunk = chunk[:ChunkSize]
		}
		file := make([]byte, FileHeaderSize+ChunkSize)
		copy(file, fileMagic)
		copy(file[FileHeaderSize:], chunk)
		checkParse(t, file, 1)
	})
}

// FuzzFile parses arbitrary bytes as a whole file, on two workers.
func FuzzFile(f *testing.F) {
	for _, c := range sharedChunks(f) {
		file := make([]byte, FileHeaderSize, FileHeaderSize+2*len(c))
		copy(file, fileMagic)
		file = append(file, c...)
		f.Add(file)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4<<20 {
			return
		}
		checkParse(t, data, 2)
	})
}
