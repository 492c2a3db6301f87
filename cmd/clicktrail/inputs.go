package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// input is one log to read, or one path that could not be.
type input struct {
	path string // as the report names it: a file, or a log's path inside an image
	size int64
	err  error // set when the path could not be read at all
	// open gives the bytes when they are not a plain file (a log inside a
	// disk image, carved chunks); nil means os.Open(path).
	open func() (io.ReaderAt, io.Closer, error)
	// carved marks data recovered from raw bytes; carvedBase is the offset
	// in the original (image, dump) that offset 0 of this data stands for,
	// so each carved record can be cited by its offset there.
	carved     bool
	carvedBase int64
}

// collectOptions: carve also carves explicitly named files (see image.go);
// progress, when set, follows carving.
type collectOptions struct {
	carve    bool
	progress func(done, total int64)
}

// collectInputs expands the command line into files: .evtx files (any case)
// under folders, recursively, and any file named explicitly. An explicitly
// named file that is not *.evtx, or any named file when carving, is first
// looked at as a disk image (image.go). Unreadable entries are kept with
// their error so the report lists them; they never stop the run.
func collectInputs(ctx context.Context, args []string, o collectOptions) []input {
	seen := map[string]bool{}
	var out []input
	add := func(in input) {
		key := in.path
		if abs, err := filepath.Abs(in.path); err == nil {
			key = abs
		}
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, in)
	}
	for _, arg := range args {
		fi, err := os.Stat(arg)
		if err != nil {
			add(input{path: arg, err: err})
			continue
		}
		if !fi.IsDir() {
			isEVTX := strings.EqualFold(filepath.Ext(arg), ".evtx")
			if o.carve || !isEVTX {
				img, isImage, err := imageInputsProgress(ctx, arg, o.carve, o.progress)
				for _, in := range img {
					add(in)
				}
				if err != nil {
					add(input{path: arg, err: err})
				}
				if err != nil || isImage || (o.carve && !isEVTX) {
					continue
				}
			}
			add(input{path: arg, size: fi.Size()})
			continue
		}
		walkErr := filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				add(input{path: p, err: err})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !strings.EqualFold(filepath.Ext(p), ".evtx") {
				return nil
			}
			if !d.Type().IsRegular() {
				// Links are followed only when named on the command line:
				// a collection may hold links that point outside it.
				if d.Type()&fs.ModeSymlink == 0 {
					return nil
				}
				fi, err := os.Stat(p)
				if err != nil || !fi.Mode().IsRegular() {
					if err == nil {
						err = fmt.Errorf("not a regular file")
					}
					add(input{path: p, err: err})
					return nil
				}
				add(input{path: p, size: fi.Size()})
				return nil
			}
			info, err := d.Info()
			if err != nil {
				add(input{path: p, err: err})
				return nil
			}
			add(input{path: p, size: info.Size()})
			return nil
		})
		if walkErr != nil {
			add(input{path: arg, err: walkErr})
		}
	}
	// Sorted by path: the order files are given in never changes a result.
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}
