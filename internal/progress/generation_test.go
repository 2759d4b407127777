package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/generate"
)

func TestGeneration(t *testing.T) {
	p := &generate.Progress{}
	p.Total.Store(10)
	p.Started.Store(time.Now().Add(-2 * time.Second).UnixNano())
	p.Done.Store(4)
	p.CompletionTokens.Store(3000)
	p.Retries.Store(2)
	p.Failed.Store(1)
	if s := GenerationLine(p); !strings.HasPrefix(s, "generated 4/10") || !strings.Contains(s, "k tok/s") || !strings.Contains(s, "2 retries") || !strings.Contains(s, "1 failed") {
		t.Errorf("line %q", s)
	}
	var buf bytes.Buffer
	g := NewGeneration(&buf, p)
	time.Sleep(250 * time.Millisecond)
	g.Stop()
	if !strings.Contains(buf.String(), "tok/s") {
		t.Errorf("the bar drew %q", buf.String())
	}
}
