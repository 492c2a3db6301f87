package evtx

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Native is clicktrail's own EVTX decoder.
//
// Chunks are decoded on Jobs workers (0 means runtime.NumCPU()) and merged
// back in file order, so the Visitor runs on the caller's goroutine, in
// order. Each worker parses a template once per chunk and walks the parsed
// form for every record that uses it, rendering substitution values straight
// into the Record; steady-state decoding allocates one string per kept
// record (its data values) and nothing for a skipped one.
//
// Field naming: EventData <Data Name="X"> becomes Field{Name: "X"};
// unnamed Data elements are "Data", "Data[2]", "Data[3]", ... in document
// order; other EventData children (Binary) keep their element name. UserData
// is flattened: each leaf element is named by its path below UserData joined
// with "/" ("LogFileCleared/SubjectUserName"), each attribute by its
// element's path plus "@name" ("CertGetCertificateChain/Certificate@fileRef");
// namespace declarations are dropped. Values are rendered as appendValue
// documents; embedded BinXML inside a Data element becomes compact XML text.
// Bounds (maxWalk and friends) turn hostile input into located errors.
//
// Memory is bounded by the number of chunks in flight (2 per worker), each
// at most one 64 KiB slot plus what its records render to. Options.Filter is
// called by the workers before a record's data values are decoded; the calls
// are serialised (a Filter may keep state without locking) but, with more
// than one worker, not in file order.
type Native struct {
	Jobs int
}

// Name implements Parser.
func (Native) Name() string { return "native" }

// Parse implements Parser.
func (p Native) Parse(ctx context.Context, src Source, opt Options, visit Visitor) (*FileReport, error) {
	return p.parse(ctx, src, opt, visit, nil)
}

// visitors holds the caller's callback: a plain Visitor, or an XMLVisitor
// when the records are rendered as XML too.
type visitors struct {
	rec Visitor
	xml XMLVisitor
}

func (p Native) parse(ctx context.Context, src Source, opt Options, visit Visitor, xvisit XMLVisitor) (*FileReport, error) {
	vis := visitors{visit, xvisit}
	rep, err := readFileHeader(src)
	rep.Parser = p.Name()
	if err != nil {
		return rep, err
	}
	slots := 0
	if src.Size > FileHeaderSize {
		slots = int((src.Size - FileHeaderSize + ChunkSize - 1) / ChunkSize)
	}
	jobs := p.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	// A worker costs a decoder and buffers; below eight chunks each, the
	// start-up outweighs the gain (a folder of small logs is the usual case
	// and is already read in parallel file by file).
	jobs = max(1, min(jobs, (slots+7)/8))
	if jobs == 1 {
		return p.parseSerial(ctx, src, opt, vis, rep, slots)
	}
	return p.parseParallel(ctx, src, opt, vis, rep, slots, jobs)
}

func (Native) parseSerial(ctx context.Context, src Source, opt Options, visit visitors, rep *FileReport, slots int) (*FileReport, error) {
	d := newDecoder()
	buf := make([]byte, ChunkSize)
	res := &chunkResult{wantXML: visit.xml != nil}
	for idx := 0; idx < slots; idx++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		d.decodeSlot(src, idx, buf, res, opt.Filter)
		if err := merge(rep, res, opt, visit, src.Size); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// parseParallel runs the worker pool. Workers claim slot indices in
// increasing order, each holding one of a fixed set of result buffers; the
// caller's goroutine visits results in index order and hands the buffers
// back, which bounds how far ahead the workers can run.
func (Native) parseParallel(ctx context.Context, src Source, opt Options, visit visitors, rep *FileReport, slots, jobs int) (*FileReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	inFlight := 2 * jobs
	free := make(chan *chunkResult, inFlight)
	for i := 0; i < inFlight; i++ {
		free <- &chunkResult{wantXML: visit.xml != nil}
	}
	type done struct {
		idx int
		res *chunkResult
	}
	out := make(chan done, inFlight)
	keep := opt.Filter
	if keep != nil {
		var mu sync.Mutex
		keep = func(provider string, eventID uint16) bool {
			mu.Lock()
			defer mu.Unlock()
			return opt.Filter(provider, eventID)
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := newDecoder()
			buf := make([]byte, ChunkSize)
			for {
				var res *chunkResult
				select {
				case res = <-free:
				case <-ctx.Done():
					return
				}
				idx := int(next.Add(1) - 1)
				if idx >= slots || ctx.Err() != nil {
					free <- res
					return
				}
				d.decodeSlot(src, idx, buf, res, keep)
				out <- done{idx, res} // never blocks: at most inFlight results exist
			}
		}()
	}
	defer func() { cancel(); wg.Wait() }()
	pending := make(map[int]*chunkResult, inFlight)
	for want := 0; want < slots; want++ {
		res, ok := pending[want]
		for !ok {
			select {
			case dn := <-out:
				if dn.idx == want {
					res, ok = dn.res, true
				} else {
					pending[dn.idx] = dn.res
				}
			case <-ctx.Done():
				return rep, ctx.Err()
			}
		}
		delete(pending, want)
		err := merge(rep, res, opt, visit, src.Size)
		free <- res
		if err != nil {
			cancel()
			return rep, err
		}
	}
	return rep, nil
}

// merge adds one decoded chunk to the report and visits its records.
func merge(rep *FileReport, res *chunkResult, opt Options, visit visitors, size int64) error {
	res.bindFields()
	rep.Skipped += res.skipped
	st := res.status
	st.Records = len(res.records)
	var stop error
	for i := range res.records {
		rec := &res.records[i]
		rep.Records++
		rep.noteTime(rec.TimeCreated)
		var err error
		if visit.xml != nil {
			x := res.xmlRanges[i]
			err = visit.xml(rec, res.xml[x[0]:x[1]])
		} else {
			err = visit.rec(rec)
		}
		if err != nil {
			stop = err
			st.Records = i + 1
			break
		}
	}
	rep.Errors = append(rep.Errors, res.errs...)
	if st.Err != nil && !containsErr(res.errs, st.Err) {
		rep.Errors = append(rep.Errors, st.Err)
	}
	rep.Chunks = append(rep.Chunks, st)
	if opt.Progress != nil {
		opt.Progress(min(int64(FileHeaderSize)+int64(st.Index+1)*ChunkSize, size))
	}
	return stop
}

func containsErr(errs []error, e error) bool {
	for _, x := range errs {
		if x == e {
			return true
		}
	}
	return false
}
