package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/clicktrail/clicktrail/evtx/carve"
	"github.com/clicktrail/clicktrail/evtx/image"
)

// Names of what comes out of an image (see package evtx/image):
//
//	disk.img#p2:/Windows/System32/winevt/Logs/Security.evtx  a log on partition 2
//	vol.img#/Windows/System32/winevt/Logs/Security.evtx      a log on a bare NTFS volume
//	disk.img#p2:unallocated@0x0000123a0000                   chunks carved from partition 2's free clusters
//	disk.img#p3:raw@0x000040000000                           chunks carved from partition 3, not NTFS
//	disk.img#unpartitioned@0x000000000000                    chunks carved outside every partition
//	dump.raw#carved@0x000000100000                           chunks carved from a file that is no disk image
//
// Carved offsets are in the image, zero-padded so names sort by offset.

// span is a byte range of an image to carve, with the label its carved
// runs are named under.
type span struct {
	start, end int64
	label      string // "p2:unallocated", "p3:raw", "unpartitioned" or "carved"
}

// imageInputs turns a disk image into inputs: every .evtx on its NTFS
// volumes and, when carve is set, every run of chunks carved from the
// volumes' free clusters and from the bytes outside them. A file that is no
// disk image gives isImage false and, when carve is set, the runs carved
// from all of it. An EWF or virtual disk container is an error saying how
// to convert it.
func imageInputs(ctx context.Context, path string, carve bool) (ins []input, isImage bool, err error) {
	return imageInputsProgress(ctx, path, carve, nil)
}

// imageInputsProgress is imageInputs reporting carving progress as bytes
// carved and bytes to carve in this image.
func imageInputsProgress(ctx context.Context, path string, doCarve bool, progress func(done, total int64)) (ins []input, isImage bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	size := fi.Size()
	kind, vols, err := image.Volumes(f, size)
	if errors.Is(err, image.ErrEWF) || errors.Is(err, image.ErrVirtual) {
		return nil, true, err
	}
	if err != nil {
		return nil, false, err
	}
	isImage = kind == image.KindNTFS || kind == image.KindMBR || kind == image.KindGPT
	var spans []span
	if isImage {
		var volSpans []span
		for _, v := range vols {
			if !v.NTFS {
				continue
			}
			vi, vs := volumeInputs(ctx, f, path, v, doCarve)
			if err := ctx.Err(); err != nil {
				return nil, true, err
			}
			ins = append(ins, vi...)
			volSpans = append(volSpans, vs...)
		}
		if doCarve {
			spans = outsideVolumes(vols, size, volSpans)
		}
	} else if doCarve {
		spans = []span{{0, size, "carved"}}
	}
	if len(spans) == 0 {
		return ins, isImage, nil
	}
	carved, err := carveSpans(ctx, f, path, spans, progress)
	if err != nil {
		return nil, isImage, err
	}
	return append(ins, carved...), isImage, nil
}

// volumeInputs lists one NTFS volume's logs and, for carving, its free
// clusters (the whole volume when its $Bitmap cannot be read). A volume
// that cannot be opened is an input carrying the error, so the report says
// which part of the image was not read.
func volumeInputs(ctx context.Context, r io.ReaderAt, path string, v image.Volume, doCarve bool) ([]input, []span) {
	prefix := path + "#"
	if v.Label() != "" {
		prefix += v.Label() + ":"
	}
	var ins []input
	fs, err := image.OpenNTFS(r, v)
	if err != nil {
		ins = append(ins, input{path: prefix + "/", err: err})
		if doCarve {
			return ins, []span{{v.Offset, v.Offset + v.Size, prefix + "unallocated"}}
		}
		return ins, nil
	}
	defer fs.Close()
	logs, err := fs.Logs(ctx)
	if err != nil {
		ins = append(ins, input{path: prefix + "/", err: err})
	}
	for _, l := range logs {
		ins = append(ins, input{path: prefix + l.Path, size: l.Size, open: openLog(path, v, l)})
	}
	if !doCarve {
		return ins, nil
	}
	label := prefix[len(path)+1:] + "unallocated"
	var spans []span
	err = fs.Unallocated(ctx, func(off, n int64) error {
		spans = append(spans, span{v.Offset + off, v.Offset + off + n, label})
		return nil
	})
	if err != nil && ctx.Err() == nil {
		spans = []span{{v.Offset, v.Offset + v.Size, label}}
	}
	return ins, spans
}

// openLog opens the image again for each read of a log, so logs can be
// read in parallel and nothing stays open between runs.
func openLog(path string, v image.Volume, l image.Log) func() (io.ReaderAt, io.Closer, error) {
	return func() (io.ReaderAt, io.Closer, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, err
		}
		fs, err := image.OpenNTFS(f, v)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		ra, err := fs.Open(l)
		if err != nil {
			fs.Close()
			f.Close()
			return nil, nil, err
		}
		return ra, closers{fs.Close, f.Close}, nil
	}
}

type closers struct {
	fs   func()
	file func() error
}

func (c closers) Close() error {
	c.fs()
	return c.file()
}

// outsideVolumes is the image minus its NTFS volumes, plus the volumes'
// free clusters: everything carving should look at, in order. Other
// partitions are carved whole ("pN:raw"), the space between partitions as
// "unpartitioned".
func outsideVolumes(vols []image.Volume, size int64, volSpans []span) []span {
	var parts []span
	for _, v := range vols {
		label := v.Label() + ":raw"
		if v.NTFS {
			label = "" // carved through its free clusters instead
		}
		parts = append(parts, span{v.Offset, v.Offset + v.Size, label})
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].start < parts[j].start })
	out := append([]span(nil), volSpans...)
	at := int64(0)
	for _, p := range parts {
		if p.start > at {
			out = append(out, span{at, p.start, "unpartitioned"})
		}
		if p.label != "" && p.end > at {
			out = append(out, span{max(p.start, at), p.end, p.label})
		}
		at = max(at, p.end)
	}
	if at < size {
		out = append(out, span{at, size, "unpartitioned"})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// carveSpans carves the spans in one pass and makes an input of each run
// of chunks found. Each run is named by the label of the span it starts in.
func carveSpans(ctx context.Context, f *os.File, path string, spans []span, progress func(done, total int64)) ([]input, error) {
	var total int64
	for _, s := range spans {
		total += s.end - s.start
	}
	var ins []input
	opt := carve.Options{}
	if progress != nil {
		opt.Progress = func(done int64) { progress(done, total) }
	}
	c := carve.New(f, opt, func(r *carve.Run) error {
		ins = append(ins, carvedInput(path, labelAt(spans, r.Offset), r))
		return nil
	})
	for _, s := range spans {
		if err := c.Scan(ctx, s.start, s.end); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := c.Finish(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ins, nil
}

// labelAt names the span a run starts in: a run is handed out only once
// the scan is past it, possibly in a later span.
func labelAt(spans []span, off int64) string {
	i := sort.Search(len(spans), func(i int) bool { return spans[i].end > off })
	if i < len(spans) && spans[i].start <= off {
		return spans[i].label
	}
	return "carved"
}

func carvedInput(path, label string, r *carve.Run) input {
	return input{
		path:       fmt.Sprintf("%s#%s@%#014x", path, label, r.Offset),
		size:       r.Size(),
		carved:     true,
		carvedBase: r.Base(),
		open: func() (io.ReaderAt, io.Closer, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, nil, err
			}
			return r.Reader(f), f, nil
		},
	}
}

// carveProgress draws a byte bar for each image being carved.
type carveProgress struct {
	e     *env
	want  bool
	bar   *progress
	total int64
}

func (c *carveProgress) set(done, total int64) {
	if c.bar == nil || total != c.total {
		c.finish()
		c.bar, c.total = newProgress(c.e, total, c.want), total
	}
	c.bar.set(done)
}

func (c *carveProgress) finish() {
	if c.bar != nil {
		c.bar.finish()
		c.bar = nil
	}
}
