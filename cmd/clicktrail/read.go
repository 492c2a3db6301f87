package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/clicktrail/clicktrail/evtx"
	"github.com/clicktrail/clicktrail/triage"
)

// fileResult is what reading one input produced; its events went into
// the collector.
type fileResult struct {
	cov *triage.FileCoverage
}

// readAll parses every input on a bounded pool of workers. Results come back
// in input order whatever order the workers finish in. progress, when set,
// receives bytes read so far across all files.
func readAll(ctx context.Context, parser evtx.Parser, ins []input, jobs int, coll *triage.Collector, progress func(int64)) ([]fileResult, error) {
	results := make([]fileResult, len(ins))
	if jobs < 1 {
		jobs = 1
	}
	var done atomic.Int64
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				var last int64
				report := func(n int64) {
					if progress != nil {
						progress(done.Add(n - last))
						last = n
					}
				}
				results[i] = readOne(ctx, parser, i, ins[i], coll, report)
				report(ins[i].size)
			}
		}()
	}
feed:
	for i := range ins {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return results, ctx.Err()
}

// readOne hashes and parses one file. Any failure is recorded in the
// coverage; it never stops the run.
func readOne(ctx context.Context, parser evtx.Parser, idx int, in input, coll *triage.Collector, progress func(int64)) fileResult {
	cov := triage.NewFileCoverage(in.path)
	cov.Size = in.size
	res := fileResult{cov: cov}
	if in.err != nil {
		cov.ReadError = in.err.Error()
		return res
	}
	ra, closer, err := openInput(in)
	if err != nil {
		cov.ReadError = err.Error()
		return res
	}
	defer closer.Close()
	hr := newHashingReader(ra, in.size)
	defer func() {
		sum, err := hr.Sum()
		cov.SHA256 = sum
		if err != nil && cov.ReadError == "" {
			cov.ReadError = fmt.Sprintf("hashing: %v", err)
		}
	}()
	keep := func(provider string, id uint16) bool {
		cov.Count(provider, id)
		return triage.Wanted(provider, id)
	}
	opt := evtx.Options{Filter: keep, Progress: progress}
	// Events go to the collector in small batches: memory holds what is
	// distinct across all files, not a copy of each file's events too.
	batch := make([]triage.Event, 0, 512)
	rep, err := parser.Parse(ctx, evtx.Source{Name: in.path, R: hr, Size: in.size}, opt, func(r *evtx.Record) error {
		if ev, ok := triage.Normalize(r, idx); ok {
			if in.carved {
				ev.Carved = true
				ev.Offset += in.carvedBase
			}
			if batch = append(batch, ev); len(batch) == cap(batch) {
				coll.Add(batch)
				batch = batch[:0]
			}
		}
		return nil
	})
	coll.Add(batch)
	cov.Finish(rep)
	if err != nil {
		cov.ReadError = err.Error()
	}
	return res
}

func openInput(in input) (io.ReaderAt, io.Closer, error) {
	if in.open != nil {
		return in.open()
	}
	f, err := os.Open(in.path)
	if err != nil {
		return nil, nil, err
	}
	return f, f, nil
}
