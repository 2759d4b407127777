// Package chromium drives a headless Chromium over the DevTools protocol,
// for tests that load scalebox's pages in a real browser. It talks through
// a pipe (--remote-debugging-pipe: JSON messages ended by NUL on fds 3 and
// 4), so it opens no port and needs no WebSocket library.
//
// The browser runs with a new, empty profile directory and with its
// background networking, component updates, sync and QUIC off, so that it
// contacts nothing; Page.Requests lists what a page asked for, so a test
// can check that a page fetched nothing from outside.
package chromium

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Names are the executables Find looks for, in order (Debian's package
// installs chromium).
var Names = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Find returns the path of a Chromium executable in PATH.
func Find() (string, error) {
	for _, n := range Names {
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium in PATH (looked for %s; Debian: apt-get install chromium)", strings.Join(Names, ", "))
}

// Flags are the command-line flags every browser gets besides the pipe and
// the profile directory: headless, no sandbox of its own (it runs as root
// in CI), no GPU, and nothing that would reach the network by itself.
var Flags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
	"--no-default-browser-check", "--disable-dev-shm-usage",
}

// Browser is a running headless Chromium. Its methods are safe for
// concurrent use.
type Browser struct {
	cmd     *exec.Cmd
	out     *os.File // our end of the browser's input (its fd 3)
	in      *os.File // our end of its output (its fd 4)
	tmpDir  string
	stderr  *tailBuffer
	readErr chan error

	wmu sync.Mutex // serializes writes to out

	mu      sync.Mutex
	nextID  int64
	pending map[int64]chan message
	pages   map[string]*Page // by session id
	closed  bool
}

type message struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *protoError     `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

type protoError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    string `json:"data,omitempty"`
}

func (e *protoError) Error() string {
	if e.Data != "" {
		return fmt.Sprintf("%s (%d): %s", e.Message, e.Code, e.Data)
	}
	return fmt.Sprintf("%s (%d)", e.Message, e.Code)
}

// Start starts Chromium at path (Find's when empty) with Flags, extra
// flags, and a new profile directory that Close removes.
func Start(path string, extra ...string) (*Browser, error) {
	if path == "" {
		p, err := Find()
		if err != nil {
			return nil, err
		}
		path = p
	}
	dir, err := os.MkdirTemp("", "scalebox-chromium-*")
	if err != nil {
		return nil, err
	}
	toBrowser, out, err := os.Pipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	in, fromBrowser, err := os.Pipe()
	if err != nil {
		toBrowser.Close()
		out.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	args := append(append([]string{}, Flags...), "--remote-debugging-pipe", "--user-data-dir="+dir)
	args = append(append(args, extra...), "about:blank")
	cmd := exec.Command(path, args...)
	b := &Browser{cmd: cmd, out: out, in: in, tmpDir: dir, stderr: &tailBuffer{max: 16 << 10},
		readErr: make(chan error, 1), pending: map[int64]chan message{}, pages: map[string]*Page{}}
	cmd.Stderr = b.stderr
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	// Its own process group, so that Close ends the renderers too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	toBrowser.Close()
	fromBrowser.Close()
	if err != nil {
		out.Close()
		in.Close()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	go b.read()
	return b, nil
}

// read dispatches the browser's messages until its output closes.
func (b *Browser) read() {
	r := bufio.NewReaderSize(b.in, 1<<20)
	var err error
	for {
		var raw []byte
		raw, err = r.ReadBytes(0)
		if err != nil {
			break
		}
		var m message
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.pending[m.ID]; ok {
				delete(b.pending, m.ID)
				ch <- m
			}
		} else if p := b.pages[m.SessionID]; p != nil {
			p.event(m)
		}
		b.mu.Unlock()
	}
	b.mu.Lock()
	b.closed = true
	for id, ch := range b.pending {
		close(ch)
		delete(b.pending, id)
	}
	b.mu.Unlock()
	b.readErr <- err
}

// call sends a command (to a page's session when session is set) and
// decodes its result into result (when not nil).
func (b *Browser) call(ctx context.Context, session, method string, params, result any) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return fmt.Errorf("%s: the browser has exited: %s", method, b.stderr.String())
	}
	b.nextID++
	id := b.nextID
	ch := make(chan message, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	b.wmu.Lock()
	_, err = b.out.Write(append(data, 0))
	b.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: write to the browser: %w", method, err)
	}
	select {
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return fmt.Errorf("%s: %w", method, ctx.Err())
	case m, ok := <-ch:
		if !ok {
			return fmt.Errorf("%s: the browser has exited: %s", method, b.stderr.String())
		}
		if m.Error != nil {
			return fmt.Errorf("%s: %w", method, m.Error)
		}
		if result != nil {
			return json.Unmarshal(m.Result, result)
		}
		return nil
	}
}

// Close closes the browser (asking it first, then killing it after 5
// seconds) and removes its profile directory.
func (b *Browser) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	_ = b.call(ctx, "", "Browser.close", nil, nil)
	cancel()
	done := make(chan error, 1)
	go func() { done <- b.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		b.cmd.Process.Kill()
		err = <-done
	}
	// Whatever of its group is left (a renderer that outlived it).
	syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL)
	b.out.Close()
	b.in.Close() // ends read, even if a child still holds the pipe
	<-b.readErr
	os.RemoveAll(b.tmpDir)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return nil // killed or closed: what Close asked for
	}
	return err
}

// Stderr is the end of the browser's standard error, for failure messages.
func (b *Browser) Stderr() string { return b.stderr.String() }

// Page is a browser tab.
type Page struct {
	b       *Browser
	session string
	target  string

	// guarded by b.mu
	problems []string
	requests []string
	loaded   chan struct{}
}

// NewPage opens a tab on about:blank, with the console, errors and the
// network recorded.
func (b *Browser) NewPage(ctx context.Context) (*Page, error) {
	var t struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &t); err != nil {
		return nil, err
	}
	var s struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": t.TargetID, "flatten": true}, &s); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: s.SessionID, target: t.TargetID}
	b.mu.Lock()
	b.pages[s.SessionID] = p
	b.mu.Unlock()
	for _, domain := range []string{"Page", "Runtime", "Log", "Network"} {
		if err := p.Call(ctx, domain+".enable", nil, nil); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Call sends a DevTools command to the page.
func (p *Page) Call(ctx context.Context, method string, params, result any) error {
	return p.b.call(ctx, p.session, method, params, result)
}

// event records what a page reports; b.mu is held.
func (p *Page) event(m message) {
	switch m.Method {
	case "Page.loadEventFired":
		if p.loaded != nil {
			close(p.loaded)
			p.loaded = nil
		}
	case "Runtime.consoleAPICalled":
		var e struct {
			Type string `json:"type"`
			Args []struct {
				Value       any    `json:"value"`
				Description string `json:"description"`
			} `json:"args"`
		}
		if json.Unmarshal(m.Params, &e) == nil && (e.Type == "error" || e.Type == "assert") {
			var parts []string
			for _, a := range e.Args {
				if a.Description != "" {
					parts = append(parts, a.Description)
				} else {
					parts = append(parts, fmt.Sprint(a.Value))
				}
			}
			p.problems = append(p.problems, "console."+e.Type+": "+strings.Join(parts, " "))
		}
	case "Runtime.exceptionThrown":
		var e struct {
			Details struct {
				Text      string `json:"text"`
				Exception struct {
					Description string `json:"description"`
				} `json:"exception"`
			} `json:"exceptionDetails"`
		}
		if json.Unmarshal(m.Params, &e) == nil {
			p.problems = append(p.problems, "exception: "+e.Details.Text+" "+e.Details.Exception.Description)
		}
	case "Log.entryAdded":
		var e struct {
			Entry struct {
				Level string `json:"level"`
				Text  string `json:"text"`
				URL   string `json:"url"`
			} `json:"entry"`
		}
		if json.Unmarshal(m.Params, &e) == nil && e.Entry.Level == "error" {
			p.problems = append(p.problems, "log: "+e.Entry.Text+" "+e.Entry.URL)
		}
	case "Network.requestWillBeSent":
		var e struct {
			Request struct {
				URL string `json:"url"`
			} `json:"request"`
		}
		if json.Unmarshal(m.Params, &e) == nil {
			p.requests = append(p.requests, e.Request.URL)
		}
	}
}

// Navigate loads url and waits for its load event.
func (p *Page) Navigate(ctx context.Context, url string) error {
	loaded := make(chan struct{})
	p.b.mu.Lock()
	p.loaded = loaded
	p.b.mu.Unlock()
	var r struct {
		ErrorText string `json:"errorText"`
	}
	if err := p.Call(ctx, "Page.navigate", map[string]any{"url": url}, &r); err != nil {
		return err
	}
	if r.ErrorText != "" {
		return fmt.Errorf("navigate to %s: %s", url, r.ErrorText)
	}
	select {
	case <-loaded:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("navigate to %s: waiting for the load event: %w", url, ctx.Err())
	}
}

// Eval evaluates a JavaScript expression in the page (awaiting a promise)
// and decodes its value, which must be JSON-serializable, into out (when
// not nil). A thrown exception is an error.
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.Call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &r)
	if err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("evaluate %.60q: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if out == nil || len(r.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

// SetViewport sets the page's size in CSS pixels; mobile emulates a phone
// (a mobile viewport and touch).
func (p *Page) SetViewport(ctx context.Context, width, height int, mobile bool) error {
	scale := 1.0
	if mobile {
		scale = 2
	}
	return p.Call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": scale, "mobile": mobile}, nil)
}

// EmulateMedia sets the CSS media type: "print", "screen", or "" for the
// default.
func (p *Page) EmulateMedia(ctx context.Context, media string) error {
	return p.Call(ctx, "Emulation.setEmulatedMedia", map[string]any{"media": media}, nil)
}

// Screenshot returns a PNG of the viewport, or of the whole page when
// full is set.
func (p *Page) Screenshot(ctx context.Context, full bool) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := p.Call(ctx, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": full}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

// PDF prints the page as the browser would (print media rules apply).
func (p *Page) PDF(ctx context.Context) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := p.Call(ctx, "Page.printToPDF", map[string]any{"printBackground": false}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

// Problems lists the page's console errors, uncaught exceptions and error
// log entries (a resource that failed to load, say), in order.
func (p *Page) Problems() []string {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return append([]string(nil), p.problems...)
}

// Requests lists the URLs the page requested, in order.
func (p *Page) Requests() []string {
	p.b.mu.Lock()
	defer p.b.mu.Unlock()
	return append([]string(nil), p.requests...)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}

var _ io.Writer = (*tailBuffer)(nil)
