package main

import (
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress draws a byte-based bar with an ETA on stderr, only when stderr
// is a terminal: logs and CI output stay clean.
type progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

func newProgress(e *env, total int64, want bool) *progress {
	p := &progress{}
	if !want || !e.isTerminal || total <= 0 {
		return p
	}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription("reading logs"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	return p
}

// set moves the bar to done bytes; safe from many goroutines.
func (p *progress) set(done int64) {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Set64(done)
}

func (p *progress) finish() {
	if p.bar == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.bar.Finish()
}
