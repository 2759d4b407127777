package chromium

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// need starts a browser, or skips the test when there is no Chromium,
// except in CI (CI=true), where scripts/install-deps.sh installs it.
func need(t *testing.T) *Browser {
	t.Helper()
	path, err := Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	b, err := Start(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return b
}

func TestPage(t *testing.T) {
	b := need(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dir := t.TempDir()
	page := filepath.Join(dir, "p.html")
	os.WriteFile(page, []byte(`<!DOCTYPE html><title>t</title><h1 id="h">hello</h1>
<script>console.log("fine"); console.error("bad", 42); document.getElementById("h").dataset.n = 7;</script>
<script>undefinedFunction();</script>`), 0o644)
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Navigate(ctx, "file://"+page); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Text string `json:"text"`
		N    string `json:"n"`
	}
	if err := p.Eval(ctx, `({text: document.getElementById("h").textContent, n: document.getElementById("h").dataset.n})`, &got); err != nil {
		t.Fatal(err)
	}
	if got.Text != "hello" || got.N != "7" {
		t.Errorf("eval: %+v", got)
	}
	probs := strings.Join(p.Problems(), "\n")
	if !strings.Contains(probs, "console.error: bad 42") || !strings.Contains(probs, "undefinedFunction") || len(p.Problems()) != 2 {
		t.Errorf("problems:\n%s", probs)
	}
	if err := p.Eval(ctx, `(() => { throw new Error("boom") })()`, nil); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a thrown exception: %v", err)
	}
	if reqs := p.Requests(); len(reqs) != 1 || reqs[0] != "file://"+page {
		t.Errorf("requests %v, want the page alone", reqs)
	}
	if err := p.SetViewport(ctx, 360, 640, true); err != nil {
		t.Fatal(err)
	}
	png, err := p.Screenshot(ctx, true)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("screenshot: %v, %d bytes", err, len(png))
	}
	pdf, err := p.PDF(ctx)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Errorf("pdf: %v, %d bytes", err, len(pdf))
	}
}
