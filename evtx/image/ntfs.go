package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	ntfs "www.velocidex.com/golang/go-ntfs/parser"
)

// LogsDir is where Windows keeps its event logs; logs there are listed
// before logs found anywhere else on the volume.
const LogsDir = "/Windows/System32/winevt/Logs"

// ErrNTFSPanic marks a failure inside the NTFS parser on malformed data.
var ErrNTFSPanic = errors.New("NTFS parser failed on malformed data")

// Page cache of the NTFS parser's metadata reads: file-table entries are
// read field by field, so they need a cache; 256 pages of 4 KiB bound it.
const (
	pageSize  = 4096
	pageCache = 256
)

// FS is one NTFS volume opened read-only.
type FS struct {
	vol         Volume
	ctx         *ntfs.NTFSContext
	ClusterSize int64
}

// Log is one *.evtx file found on a volume.
type Log struct {
	Path     string // inside the volume, "/"-separated, from the root
	Size     int64
	MFTEntry int64
}

// OpenNTFS opens the NTFS volume v of the image r.
func OpenNTFS(r io.ReaderAt, v Volume) (fs *FS, err error) {
	defer recoverTo(&err, "opening NTFS at %#x", v.Offset)
	paged, err := ntfs.NewPagedReader(io.NewSectionReader(r, v.Offset, v.Size), pageSize, pageCache)
	if err != nil {
		return nil, fmt.Errorf("NTFS at %#x: %w", v.Offset, err)
	}
	c, err := ntfs.GetNTFSContext(paged, 0)
	if err != nil {
		return nil, fmt.Errorf("NTFS at %#x: %w", v.Offset, err)
	}
	return &FS{vol: v, ctx: c, ClusterSize: c.ClusterSize}, nil
}

// Close drops the parser's caches.
func (f *FS) Close() { f.ctx.Close() }

// Logs walks the whole file table for allocated files named *.evtx (any
// case). Logs under LogsDir come first, then the rest, each group by path.
// Entries the parser cannot read are skipped: one damaged entry must not
// hide the others.
func (f *FS) Logs(ctx context.Context) (logs []Log, err error) {
	defer recoverTo(&err, "walking the NTFS file table at %#x", f.vol.Offset)
	mft, ok := f.ctx.MFTReader.(ntfs.RangeReaderAt)
	if !ok {
		return nil, fmt.Errorf("NTFS at %#x: file table is not readable", f.vol.Offset)
	}
	rs := f.ctx.GetRecordSize()
	if rs <= 0 {
		return nil, fmt.Errorf("NTFS at %#x: bad file record size %d", f.vol.Offset, rs)
	}
	// A damaged $MFT size must not turn into an endless walk: the table
	// cannot be larger than the volume.
	entries := min(ntfs.RangeSize(mft), f.vol.Size) / rs
	for id := int64(0); id < entries; id++ {
		if id%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if l, ok := f.logAt(id); ok {
			logs = append(logs, l)
		}
	}
	sort.SliceStable(logs, func(i, j int) bool {
		a, b := inLogsDir(logs[i].Path), inLogsDir(logs[j].Path)
		if a != b {
			return a
		}
		return logs[i].Path < logs[j].Path
	})
	return logs, nil
}

// logAt looks at one file-table entry; a panic in the parser makes it a
// non-log rather than ending the walk.
func (f *FS) logAt(id int64) (l Log, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	e, err := f.ctx.GetMFT(id)
	if err != nil {
		return l, false
	}
	flags := e.Flags()
	if !flags.IsSet("ALLOCATED") || flags.IsSet("DIRECTORY") {
		return l, false
	}
	evtxName := false
	for _, fn := range e.FileName(f.ctx) {
		if strings.EqualFold(path.Ext(fn.Name()), ".evtx") {
			evtxName = true
			break
		}
	}
	if !evtxName {
		return l, false
	}
	attr, err := e.GetAttribute(f.ctx, ntfs.ATTR_TYPE_DATA, -1, "")
	if err != nil {
		return l, false
	}
	// A size past the volume's end is damage; reading it would only yield
	// zeros for a long time.
	size := max(0, min(attr.DataSize(), f.vol.Size))
	return Log{Path: ntfs.GetFullPath(f.ctx, e), Size: size, MFTEntry: id}, true
}

func inLogsDir(p string) bool { return strings.EqualFold(path.Dir(p), LogsDir) }

// Open serves the bytes of a log from the image. Reads go straight to the
// image through the file's run list; nothing of the file is held.
func (f *FS) Open(l Log) (ra io.ReaderAt, err error) {
	defer recoverTo(&err, "opening %s", l.Path)
	e, err := f.ctx.GetMFT(l.MFTEntry)
	if err != nil {
		return nil, fmt.Errorf("%s: file record %d: %w", l.Path, l.MFTEntry, err)
	}
	rr, err := ntfs.OpenStream(f.ctx, e, ntfs.ATTR_TYPE_DATA, ntfs.WILDCARD_STREAM_ID, "")
	if err != nil {
		return nil, fmt.Errorf("%s: data: %w", l.Path, err)
	}
	return io.NewSectionReader(safeReader{rr, l.Path}, 0, l.Size), nil
}

// safeReader turns a parser panic on a damaged run list into a read error.
type safeReader struct {
	r    io.ReaderAt
	name string
}

func (s safeReader) ReadAt(p []byte, off int64) (n int, err error) {
	defer recoverTo(&err, "reading %s at %#x", s.name, off)
	return s.r.ReadAt(p, off)
}

// Unallocated calls fn with each run of clusters the volume's $Bitmap marks
// free, as byte offsets in the volume, in order, adjacent runs merged. The
// bitmap is read 64 KiB at a time.
func (f *FS) Unallocated(ctx context.Context, fn func(off, n int64) error) (err error) {
	defer recoverTo(&err, "reading $Bitmap at %#x", f.vol.Offset)
	const bitmapEntry = 6
	e, err := f.ctx.GetMFT(bitmapEntry)
	if err != nil {
		return fmt.Errorf("$Bitmap: %w", err)
	}
	attr, err := e.GetAttribute(f.ctx, ntfs.ATTR_TYPE_DATA, -1, "")
	if err != nil {
		return fmt.Errorf("$Bitmap: %w", err)
	}
	rr, err := ntfs.OpenStream(f.ctx, e, ntfs.ATTR_TYPE_DATA, ntfs.WILDCARD_STREAM_ID, "")
	if err != nil {
		return fmt.Errorf("$Bitmap: %w", err)
	}
	cs := f.ClusterSize
	clusters := min(attr.DataSize()*8, f.vol.Size/cs)
	runStart := int64(-1)
	buf := make([]byte, 64<<10)
	for base := int64(0); base < clusters; base += int64(len(buf)) * 8 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, rerr := rr.ReadAt(buf, base/8)
		if n == 0 && rerr != nil {
			return fmt.Errorf("$Bitmap at byte %d: %w", base/8, rerr)
		}
		for i := 0; i < n*8 && base+int64(i) < clusters; i++ {
			c := base + int64(i)
			free := buf[i/8]&(1<<(i%8)) == 0
			switch {
			case free && runStart < 0:
				runStart = c
			case !free && runStart >= 0:
				if err := fn(runStart*cs, (c-runStart)*cs); err != nil {
					return err
				}
				runStart = -1
			}
		}
	}
	if runStart >= 0 {
		if err := fn(runStart*cs, (clusters-runStart)*cs); err != nil {
			return err
		}
	}
	return nil
}

// recoverTo is the last line against go-ntfs panicking on malformed
// structures: the panic becomes an error naming where it happened.
func recoverTo(err *error, format string, args ...any) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: %w: %v", fmt.Sprintf(format, args...), ErrNTFSPanic, r)
	}
}
