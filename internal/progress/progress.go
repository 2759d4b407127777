// Package progress shows an evaluation's progress on a terminal: samples
// done of the total, tests per second, the time left and the verdicts so far.
package progress

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
)

// Bar is an eval.Observer that draws a progress bar. It is used from one
// goroutine (eval.Run's caller).
type Bar struct {
	// Extra, when set, is added to the bar's description (a generation's
	// progress, when samples are generated as they are judged).
	Extra func() string

	w        io.Writer
	bar      *progressbar.ProgressBar
	counts   map[judge.Verdict]int
	tests    int
	start    time.Time
	lastDesc time.Time
}

// New returns a Bar writing to w (a terminal).
func New(w io.Writer) *Bar {
	return &Bar{w: w, counts: map[judge.Verdict]int{}}
}

// Started implements eval.Observer.
func (b *Bar) Started(samples, tests int) {
	b.start = time.Now()
	b.bar = progressbar.NewOptions(samples,
		progressbar.OptionSetWriter(b.w),
		progressbar.OptionSetDescription("samples"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
}

// Added implements eval.FeedObserver: samples arrived while the run goes.
func (b *Bar) Added(samples, _ int) {
	b.bar.ChangeMax(b.bar.GetMax() + samples)
	b.describe()
}

// TestDone implements eval.Observer.
func (b *Bar) TestDone(judge.Verdict) {
	b.tests++
	if time.Since(b.lastDesc) > 200*time.Millisecond {
		b.describe()
	}
}

// SampleDone implements eval.Observer.
func (b *Bar) SampleDone(r *eval.SampleResult) {
	b.counts[r.Verdict]++
	b.describe()
	_ = b.bar.Add(1)
}

// Finish clears the bar.
func (b *Bar) Finish() {
	if b.bar != nil {
		_ = b.bar.Finish()
		fmt.Fprint(b.w, "\r\033[K")
	}
}

func (b *Bar) describe() {
	b.lastDesc = time.Now()
	var parts []string
	for _, v := range judge.All {
		if n := b.counts[v]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", v, n))
		}
	}
	rate := 0.0
	if el := time.Since(b.start).Seconds(); el > 0 {
		rate = float64(b.tests) / el
	}
	desc := fmt.Sprintf("%.1f tests/s  %s", rate, strings.Join(parts, " "))
	if b.Extra != nil {
		desc = b.Extra() + "  " + desc
	}
	b.bar.Describe(desc)
}
