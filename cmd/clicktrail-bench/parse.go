package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/clicktrail/clicktrail/evtx"
)

// parseOnly is the child the harness runs to time a decoder by itself: it
// decodes every file and drops the records, printing how many it saw.
func parseOnly(ctx context.Context, parser string, jobs int, files []string, stdout io.Writer) error {
	p, err := evtx.New(parser)
	if err != nil {
		return err
	}
	if n, ok := p.(evtx.Native); ok {
		n.Jobs = jobs
		p = n
	}
	total := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		rep, err := p.Parse(ctx, evtx.Source{Name: path, R: f, Size: fi.Size()}, evtx.Options{}, func(*evtx.Record) error { return nil })
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		total += rep.Records
	}
	_, err = fmt.Fprintf(stdout, "records %d\n", total)
	return err
}
