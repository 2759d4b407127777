package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/internal/chromium"
)

// needChromium returns the browser's path, or skips the test when there is
// none, except in CI (CI=true), where scripts/install-deps.sh installs it
// (as cmd's browser tests do).
func needChromium(t *testing.T) string {
	t.Helper()
	path, err := chromium.Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	return path
}

// artifactsDir is $SCALEBOX_TEST_ARTIFACTS/<test name>, kept, when the
// variable is set (make test sets it), else a temporary directory.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("SCALEBOX_TEST_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir, err := filepath.Abs(filepath.Join(root, strings.ReplaceAll(t.Name(), "/", "_")))
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("artifacts (screenshots, PDF) in %s", dir)
	return dir
}

// loadGen sends requests to the nodes until stopped: programs that pass,
// crash and fail, a C++ one, and a request with an unknown language (an
// error status), two at a time. A node that stopped is skipped. It is
// bounded in count.
type loadGen struct {
	stop chan struct{}
	wg   sync.WaitGroup
	sent atomic.Int64
	down sync.Map // url → true
}

func startLoad(t *testing.T, urls ...string) *loadGen {
	l := &loadGen{stop: make(chan struct{})}
	bodies := []string{
		`{"code": "print(sum(range(100000)))", "language": "python"}`,
		`{"code": "print(1/0)", "language": "python"}`,
		`{"code": "echo hi", "language": "bash"}`,
		`{"code": "print(2)", "language": "python"}`,
		`{"completion": "` + "```python\\nprint(int(input()) + 2)\\n```" + `", "config": {"language": "python", "provided_data": {"test_cases": {"type": "stdin_stdout", "input": ["1", "2"], "output": ["2", "3"]}}, "extra": {"run_all_cases": true}}}`,
		`{"code": "x", "language": "cobol"}`,
	}
	paths := []string{"/run_code", "/run_code", "/run_code", "/run_code", "/common_evaluate_batch", "/run_code"}
	c := &http.Client{Timeout: time.Minute}
	for w := range 3 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := w; i < 5000; i += 3 {
				select {
				case <-l.stop:
					return
				default:
				}
				u := urls[i%len(urls)]
				if _, gone := l.down.Load(u); gone {
					continue
				}
				k := (i / len(urls)) % len(bodies)
				req, _ := http.NewRequest("POST", u+paths[k], strings.NewReader(bodies[k]))
				req.Header.Set("X-Request-Id", fmt.Sprintf("load-%d", i))
				resp, err := c.Do(req)
				if err != nil {
					time.Sleep(100 * time.Millisecond)
					continue
				}
				resp.Body.Close()
				l.sent.Add(1)
			}
		}()
	}
	t.Cleanup(l.end)
	return l
}

func (l *loadGen) end() {
	select {
	case <-l.stop:
	default:
		close(l.stop)
	}
	l.wg.Wait()
}

// dashPage is a dashboard open in the browser.
type dashPage struct {
	t      *testing.T
	ctx    context.Context
	p      *chromium.Page
	origin string // scheme://host:port the page came from
	dir    string
}

func (d *dashPage) eval(expr string, out any) {
	d.t.Helper()
	if err := d.p.Eval(d.ctx, expr, out); err != nil {
		d.t.Fatal(err)
	}
}

// waitFor evaluates cond every 200 ms until it is true, for up to limit.
func (d *dashPage) waitFor(what, cond string, limit time.Duration) {
	d.t.Helper()
	for end := time.Now().Add(limit); ; {
		var ok bool
		d.eval(cond, &ok)
		if ok {
			return
		}
		if time.Now().After(end) {
			var state string
			d.eval(`JSON.stringify({updates: document.body.dataset.updates, hidden: document.hidden, announce: document.getElementById("db-announce").textContent, tests: document.querySelector("#card-tests dd.db-value").textContent})`, &state)
			d.t.Fatalf("after %v: %s (page: %s; console: %q)", limit, what, state, d.p.Problems())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (d *dashPage) updates() int {
	d.t.Helper()
	var n int
	d.eval(`+(document.body.dataset.updates || 0)`, &n)
	return n
}

// clean checks that the console had no error and that the page asked its
// own origin for everything.
func (d *dashPage) clean() {
	d.t.Helper()
	if probs := d.p.Problems(); len(probs) > 0 {
		d.t.Errorf("console errors:\n%s", strings.Join(probs, "\n"))
	}
	for _, u := range d.p.Requests() {
		if !strings.HasPrefix(u, d.origin+"/") && !strings.HasPrefix(u, "data:") {
			d.t.Errorf("the page requested %s, outside %s", u, d.origin)
		}
	}
}

func (d *dashPage) save(name string, data []byte, err error) {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d.dir, name), data, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// chartState says, for each chart, whether it draws something: a line of
// at least two points, or a bar.
const chartState = `(() => {
	const out = {};
	for (const f of document.querySelectorAll("figure.sb-chart")) {
		const svg = f.querySelector("svg[role=img]");
		const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
		const lines = [...f.querySelectorAll("polyline")].filter(p => p.getAttribute("points").trim().split(/\s+/).length >= 2).length;
		const bars = [...f.querySelectorAll("rect.sb-bar")].filter(r => r.getBBox().width > 1).length;
		out[f.id] = {ok: !!svg && !!svg.querySelector("title") && box.width > 100 && box.height > 50 && (lines > 0 || bars > 0), lines,
			names: [...f.querySelectorAll("polyline > title")].map(t => t.textContent.replace(/: last .*$/, ""))};
	}
	return out;
})()`

type chartInfo struct {
	OK    bool     `json:"ok"`
	Lines int      `json:"lines"`
	Names []string `json:"names"`
}

// TestDashboardInBrowser starts two `scalebox serve` nodes on loopback,
// one given the other as its peer, sends them requests throughout, and
// loads the first one's /dashboard in headless Chromium: no console
// errors, nothing asked of another origin, every section, charts that draw
// both nodes, numbers that change between two reads, request filters; then
// it stops the peer and sees it shown down with its history kept and the
// totals without it; last, it loads the dashboard through a reverse proxy
// that serves the node under a path. It saves screenshots (desktop and
// phone) and a PDF (see artifactsDir).
func TestDashboardInBrowser(t *testing.T) {
	needSandbox(t)
	browser := needChromium(t)
	dir := artifactsDir(t)
	b := startServer(t, "--stats-interval", "1s", "-j", "2")
	a := startServer(t, "--stats-interval", "1s", "-j", "2", "--peers", b.url)
	ld := startLoad(t, a.url, b.url)

	// Wait until the first node sees both with a few intervals of work.
	for end := time.Now().Add(90 * time.Second); ; {
		_, body := a.get(t, "/dashboard/data?window=60")
		var d dashData
		json.Unmarshal(body, &d)
		both := len(d.Nodes) == 2 && d.Nodes[0].Status == "up" && d.Nodes[1].Status == "up"
		nodesWithRequests := map[string]bool{}
		for _, r := range d.Requests {
			nodesWithRequests[r.Node] = true
		}
		if both && len(nodesWithRequests) == 2 && d.card("tests") != "0" && strings.Count(string(body), "<polyline") >= 12 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("the dashboard did not show two nodes at work within 90 s: %s", body)
		}
		time.Sleep(500 * time.Millisecond)
	}

	bro, err := chromium.Start(browser)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := bro.Close(); err != nil {
			t.Errorf("close the browser: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	open := func(pageURL string) *dashPage {
		t.Helper()
		p, err := bro.NewPage(ctx)
		if err != nil {
			t.Fatalf("%v\n%s", err, bro.Stderr())
		}
		if err := p.SetViewport(ctx, 1280, 900, false); err != nil {
			t.Fatal(err)
		}
		if err := p.Navigate(ctx, pageURL); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(pageURL)
		return &dashPage{t: t, ctx: ctx, p: p, origin: u.Scheme + "://" + u.Host, dir: dir}
	}
	bName := strings.TrimPrefix(b.url, "http://")

	d := open(a.url + "/dashboard?window=60")
	var sections []string
	d.eval(`[...document.querySelectorAll("main section")].filter(s => s.querySelector("h2") && s.textContent.trim().length > 40).map(s => s.id)`, &sections)
	if strings.Join(sections, " ") != "nodes resources traffic requests" {
		t.Errorf("sections %v", sections)
	}
	// The page refreshes itself.
	d.waitFor("the page fetched its data twice", `+(document.body.dataset.updates || 0) >= 2`, 30*time.Second)
	var charts map[string]chartInfo
	d.eval(chartState, &charts)
	if len(charts) != 9 {
		t.Errorf("%d charts, want 9: %v", len(charts), charts)
	}
	for id, c := range charts {
		if !c.OK {
			t.Errorf("chart %s draws nothing: %+v", id, c)
		}
	}
	for _, id := range []string{"chart-tests", "chart-running", "chart-cpu"} {
		if names := strings.Join(charts[id].Names, ","); !strings.Contains(names, "all nodes") || !strings.Contains(names, bName) {
			t.Errorf("%s has lines %s: want all nodes and each node", id, names)
		}
	}
	// Both nodes up (waited for: on a loaded machine a poll of the peer
	// may miss its timeout now and then, and the row says "not answering").
	d.waitFor("both nodes shown up, this one marked", fmt.Sprintf(`(() => {
		const rows = [...document.querySelectorAll("#nodes-table tbody tr")];
		return rows.length === 2 && rows.every(r => r.classList.contains("db-node-up")) &&
			rows[0].querySelector("th").textContent.includes("(this node)") && rows[1].querySelector("th").textContent.startsWith(%q); })()`, bName), 20*time.Second)

	// Live numbers: the tests judged and the clock change between two reads.
	read := func() (string, string) {
		var v struct{ Tests, Updated string }
		d.eval(`({tests: document.querySelector("#card-tests dd.db-value").textContent, updated: document.querySelector("#db-updated time").textContent})`, &v)
		return v.Tests, v.Updated
	}
	tests1, clock1 := read()
	u := d.updates()
	d.waitFor("the numbers changed", fmt.Sprintf(`+(document.body.dataset.updates || 0) >= %d && document.querySelector("#card-tests dd.db-value").textContent !== %q`, u+2, tests1), 30*time.Second)
	tests2, clock2 := read()
	t.Logf("tests judged %s at %s, then %s at %s (%d requests sent)", tests1, clock1, tests2, clock2, ld.sent.Load())

	if clock1 == clock2 {
		t.Errorf("the update time did not change: %s", clock1)
	}

	// The requests table: both nodes, a filter by node, errors marked.
	var req struct {
		Rows, Flagged, OfB int
		Count              string
	}
	requests := `(() => { const rows = [...document.querySelectorAll("#requests-table tbody tr")];
		return {rows: rows.length, flagged: rows.filter(r => r.classList.contains("db-flag") && r.textContent.includes("\u26a0")).length,
			ofb: rows.filter(r => r.children[1] && r.children[1].textContent === %q).length, count: document.querySelector("#requests-table .sb-note").textContent}; })()`
	d.eval(fmt.Sprintf(requests, bName), &req)
	if req.Rows != 25 || !strings.Contains(req.Count, "requests") {
		t.Errorf("requests table: %+v", req)
	}
	setFilter := func(label, option string) {
		t.Helper()
		var ok bool
		d.eval(fmt.Sprintf(`(() => { for (const l of document.querySelectorAll("#requests-table .sb-controls label")) {
			if (!l.textContent.startsWith(%q)) continue;
			const s = l.querySelector("select"), o = [...s.options].find(o => o.textContent === %q);
			if (!o) return false; s.value = o.value; s.dispatchEvent(new Event("change")); return true; } return false; })()`, label, option), &ok)
		if !ok {
			t.Fatalf("no filter %s: %s", label, option)
		}
	}
	setFilter("Node", bName)
	d.eval(fmt.Sprintf(requests, bName), &req)
	if req.Rows == 0 || req.OfB != req.Rows {
		t.Errorf("filtered by node %s: %+v", bName, req)
	}
	setFilter("Node", "all nodes")
	setFilter("Show", "answered with an error status")
	d.eval(fmt.Sprintf(requests, bName), &req)
	if req.Rows == 0 || req.Flagged != req.Rows {
		t.Errorf("requests with an error status (the unknown language's 400s), each marked: %+v", req)
	}
	setFilter("Show", "all requests")
	// Search by request id: the id of the newest request.
	var found struct {
		ID          string
		Rows, Match int
	}
	d.eval(`(async () => { const id = document.querySelector("#requests-table tbody tr code").textContent;
		const i = document.querySelector("#requests-table input[type=search]"); i.value = id; i.dispatchEvent(new Event("input"));
		await new Promise(r => setTimeout(r, 400)); const codes = [...document.querySelectorAll("#requests-table tbody tr code")];
		const out = {id, rows: codes.length, match: codes.filter(c => c.textContent.includes(id)).length};
		i.value = ""; i.dispatchEvent(new Event("input")); await new Promise(r => setTimeout(r, 400)); return out; })()`, &found)
	if found.Rows == 0 || found.Match != found.Rows {
		t.Errorf("search by request id %q: %d rows, %d with the id", found.ID, found.Rows, found.Match)
	}

	png, err := d.p.Screenshot(ctx, true)
	d.save("dashboard-live.png", png, err)
	// Phone width: one column, no sideways scrolling.
	if err := d.p.SetViewport(ctx, 390, 844, true); err != nil {
		t.Fatal(err)
	}
	var overflow int
	d.eval(`document.documentElement.scrollWidth - window.innerWidth`, &overflow)
	if overflow > 1 {
		t.Errorf("at phone width the page is %d px wider than the screen", overflow)
	}
	png, err = d.p.Screenshot(ctx, false)
	d.save("dashboard-live-phone.png", png, err)
	d.p.SetViewport(ctx, 1280, 900, false)
	// Print: no controls.
	d.p.EmulateMedia(ctx, "print")
	var hidden bool
	d.eval(`[...document.querySelectorAll(".sb-controls, nav.sb-nav")].every(e => getComputedStyle(e).display === "none")`, &hidden)
	if !hidden {
		t.Error("print media shows the controls")
	}
	d.p.EmulateMedia(ctx, "")
	pdf, err := d.p.PDF(ctx)
	d.save("dashboard-live.pdf", pdf, err)

	// The peer goes away: shown down, with its last-seen time; its lines
	// stay; the totals count this node alone.
	ld.down.Store(b.url, true)
	if err := b.stop(); err != nil && !strings.Contains(err.Error(), "signal") {
		t.Errorf("stop the peer: %v", err)
	}
	stopped := time.Now()
	d.waitFor("the stopped peer shown down", `!!document.querySelector("#nodes-table tbody tr.db-node-down")`, 30*time.Second)
	t.Logf("the stopped peer was shown down %.1f s after it exited", time.Since(stopped).Seconds())
	var down struct {
		Row, Nodes, Slots, Announce string
	}
	d.eval(`({row: document.querySelector("#nodes-table tr.db-node-down").textContent, nodes: document.querySelector("#card-nodes dd.db-value").textContent,
		slots: document.querySelector("#card-slots dd.db-value").textContent, announce: document.getElementById("db-announce").textContent})`, &down)
	if !strings.Contains(down.Row, bName) || !strings.Contains(down.Row, "down since") || !strings.Contains(down.Row, "refused") || !strings.Contains(down.Row, "ago") {
		t.Errorf("the down node's row: %q", down.Row)
	}
	if down.Nodes != "1 of 2" || !strings.HasSuffix(down.Slots, " of 2") || !strings.Contains(down.Announce, bName+" is down") {
		t.Errorf("after the peer stopped: nodes %q, slots %q (want this node's 2), announced %q", down.Nodes, down.Slots, down.Announce)
	}
	d.eval(chartState, &charts)
	if names := strings.Join(charts["chart-tests"].Names, ","); !strings.Contains(names, bName) {
		t.Errorf("the down node's history left the tests chart: %s", names)
	}
	png, err = d.p.Screenshot(ctx, true)
	d.save("dashboard-node-down.png", png, err)
	d.clean()

	// Behind a reverse proxy that serves the node under /scalebox/ (as an
	// nginx front may): the page and its data come through it.
	target, _ := url.Parse(a.url)
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.Handle("/scalebox/", http.StripPrefix("/scalebox", proxy))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	pd := open("http://" + ln.Addr().String() + "/scalebox/dashboard")
	pd.waitFor("the page refreshed through the proxy", `+(document.body.dataset.updates || 0) >= 1`, 30*time.Second)
	for _, u := range pd.p.Requests() {
		if !strings.HasPrefix(u, pd.origin+"/scalebox/dashboard") {
			t.Errorf("through the proxy the page asked for %s", u)
		}
	}
	pd.clean()
	ld.end()
}
