package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/scalebox-dev/scalebox/generate"
)

// Generation draws a generation run's progress on a terminal: samples
// written of the total, completion tokens per second, retries and failed
// requests. It reads the run's counters from its own goroutine, every
// 200 ms, until Stop.
type Generation struct {
	p    *generate.Progress
	bar  *progressbar.ProgressBar
	stop chan struct{}
	done sync.WaitGroup
}

// NewGeneration starts drawing p's progress to w.
func NewGeneration(w io.Writer, p *generate.Progress) *Generation {
	g := &Generation{p: p, stop: make(chan struct{})}
	g.bar = progressbar.NewOptions64(max(p.Total.Load(), 1),
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("samples"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(true),
	)
	g.done.Add(1)
	go func() {
		defer g.done.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			g.update()
			select {
			case <-g.stop:
				return
			case <-t.C:
			}
		}
	}()
	return g
}

func (g *Generation) update() {
	if total := g.p.Total.Load(); total > 0 && total != g.bar.GetMax64() {
		g.bar.ChangeMax64(total)
	}
	g.bar.Describe(GenerationSummary(g.p))
	_ = g.bar.Set64(g.p.Resumed.Load() + g.p.Done.Load())
}

// Stop stops drawing and clears the bar.
func (g *Generation) Stop() {
	close(g.stop)
	g.done.Wait()
	_ = g.bar.Finish()
}

// GenerationSummary describes a generation's progress in a few words:
// tokens per second, retries and failed requests.
func GenerationSummary(p *generate.Progress) string {
	s := fmt.Sprintf("%s tok/s", humanRate(p.TokensPerSecond()))
	if r := p.Retries.Load(); r > 0 {
		s += fmt.Sprintf("  %d retries", r)
	}
	if f := p.Failed.Load(); f > 0 {
		s += fmt.Sprintf("  %d failed", f)
	}
	return s
}

// GenerationLine is GenerationSummary with the samples generated of the
// total, for a line of its own.
func GenerationLine(p *generate.Progress) string {
	return fmt.Sprintf("generated %d/%d  %s", p.Resumed.Load()+p.Done.Load(), p.Total.Load(), GenerationSummary(p))
}

func humanRate(x float64) string {
	if x >= 1000 {
		return fmt.Sprintf("%.1fk", x/1000)
	}
	return fmt.Sprintf("%.0f", x)
}
