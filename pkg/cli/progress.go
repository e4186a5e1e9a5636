package cli

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows bytes read of the total and records/s on stderr, only
// when a person is watching it (stderr is a terminal and not --quiet).
type progress struct {
	bar     *progressbar.ProgressBar
	records *atomic.Int64
	start   time.Time
	last    atomic.Int64 // unix ns of the last description update
}

func newProgress(io *IOStreams, quiet bool, total int64, records *atomic.Int64) *progress {
	p := &progress{records: records, start: time.Now()}
	if quiet || !io.StderrTTY {
		return p
	}
	if total <= 0 {
		total = -1 // unknown size (stdin): a spinner with a byte count
	}
	p.bar = progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(io.ErrOut),
		progressbar.OptionSetDescription("reading"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetPredictTime(true),
	)
	return p
}

// addBytes is called by the scanner from any goroutine.
func (p *progress) addBytes(n int64) {
	if p.bar == nil {
		return
	}
	_ = p.bar.Add64(n)
	now := time.Now().UnixNano()
	if last := p.last.Load(); now-last > int64(250*time.Millisecond) && p.last.CompareAndSwap(last, now) {
		secs := time.Since(p.start).Seconds()
		if secs > 0 {
			p.bar.Describe(fmt.Sprintf("reading (%s records/s)", humanCount(float64(p.records.Load())/secs)))
		}
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// humanCount writes 1234567 as 1.2M.
func humanCount(v float64) string {
	switch {
	case v >= 1e9:
		return fmt.Sprintf("%.1fG", v/1e9)
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}
