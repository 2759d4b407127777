package cmd

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/internal/chromium"
	"github.com/scalebox-dev/scalebox/report"
)

// needChromium returns the browser's path, or skips the test when there is
// none, except in CI (CI=true), where scripts/install-deps.sh installs it.
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

// artifactsDir is where a test leaves what a person may want to look at
// (pages, screenshots): $SCALEBOX_TEST_ARTIFACTS/<test name>, kept, when
// the variable is set (make test sets it to test-artifacts/), else a
// temporary directory removed after the test.
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
	t.Logf("artifacts (pages and screenshots) in %s", dir)
	return dir
}

// browserPage is a loaded page and what the checks need of it.
type browserPage struct {
	t    *testing.T
	ctx  context.Context
	p    *chromium.Page
	file string
	dir  string
}

func openPage(t *testing.T, ctx context.Context, b *chromium.Browser, file, dir string) *browserPage {
	t.Helper()
	p, err := b.NewPage(ctx)
	if err != nil {
		t.Fatalf("%v\nbrowser stderr:\n%s", err, b.Stderr())
	}
	if err := p.SetViewport(ctx, 1280, 900, false); err != nil {
		t.Fatal(err)
	}
	if err := p.Navigate(ctx, "file://"+file); err != nil {
		t.Fatal(err)
	}
	return &browserPage{t: t, ctx: ctx, p: p, file: file, dir: dir}
}

func (bp *browserPage) eval(expr string, out any) {
	bp.t.Helper()
	if err := bp.p.Eval(bp.ctx, expr, out); err != nil {
		bp.t.Fatal(err)
	}
}

// clean checks the console had no error and that the page requested
// nothing but itself (no CDN, nothing from outside).
func (bp *browserPage) clean() {
	bp.t.Helper()
	if probs := bp.p.Problems(); len(probs) > 0 {
		bp.t.Errorf("console errors:\n%s", strings.Join(probs, "\n"))
	}
	for _, u := range bp.p.Requests() {
		if u != "file://"+bp.file && !strings.HasPrefix(u, "data:") {
			bp.t.Errorf("the page requested %s", u)
		}
	}
}

// sections checks that each id is a section with a heading.
func (bp *browserPage) sections(ids ...string) {
	bp.t.Helper()
	for _, id := range ids {
		var ok bool
		bp.eval(fmt.Sprintf(`(() => { const s = document.getElementById(%q); return !!s && s.tagName === "SECTION" && !!s.querySelector("h2") && s.textContent.trim().length > 20; })()`, id), &ok)
		if !ok {
			bp.t.Errorf("no section #%s with a heading and content", id)
		}
	}
}

// fits checks that nothing spills out of a grid cell over its neighbour
// (a long hash or path in a table of facts, a chart).
func (bp *browserPage) fits() {
	bp.t.Helper()
	var spill []string
	bp.eval(`[...document.querySelectorAll(".sb-grid > *, .sb-charts > *")].filter(c => c.scrollWidth > c.clientWidth + 1).map(c => (c.querySelector("h3, figcaption, h4") || c).textContent.slice(0, 40))`, &spill)
	if len(spill) > 0 {
		bp.t.Errorf("content wider than its grid cell: %q", spill)
	}
}

// charts counts the page's charts and checks each draws something: bars
// of positive width, or an interval's marks.
func (bp *browserPage) charts() int {
	bp.t.Helper()
	var res struct {
		Total int      `json:"total"`
		Empty []string `json:"empty"`
	}
	bp.eval(`(() => {
		const figs = [...document.querySelectorAll("figure.sb-chart")];
		const empty = figs.filter(f => {
			const svg = f.querySelector("svg");
			if (!svg || !svg.querySelector("title") || !svg.getAttribute("aria-labelledby")) return true;
			const box = svg.getBoundingClientRect();
			if (box.width < 100 || box.height < 20) return true;
			const bars = [...svg.querySelectorAll("rect.sb-bar")].filter(r => r.getBBox().width > 0);
			const marks = svg.querySelectorAll("path.sb-mark, polyline");
			return bars.length === 0 && marks.length === 0;
		}).map(f => f.id);
		return {total: figs.length, empty};
	})()`, &res)
	if len(res.Empty) > 0 {
		bp.t.Errorf("empty charts: %v", res.Empty)
	}
	return res.Total
}

// tableState is what a page's table shows.
type tableState struct {
	Rows  int    `json:"rows"`
	Count string `json:"count"`
}

func (bp *browserPage) table(id string) tableState {
	bp.t.Helper()
	var s tableState
	bp.eval(fmt.Sprintf(`(() => { const h = document.getElementById(%q); return {rows: h.querySelectorAll("tbody > tr:not(.sb-detail)").length, count: h.querySelector(".sb-note").textContent}; })()`, id), &s)
	return s
}

// search types a query into a table's search box and waits for the table
// to follow.
func (bp *browserPage) search(id, q string) tableState {
	bp.t.Helper()
	bp.eval(fmt.Sprintf(`(async () => {
		const i = document.querySelector("#%s input[type=search]");
		i.value = %q; i.dispatchEvent(new Event("input"));
		await new Promise(r => setTimeout(r, 400));
	})()`, id, q), nil)
	return bp.table(id)
}

// filter picks an option of a table's filter, by its label.
func (bp *browserPage) filter(id, label, option string) tableState {
	bp.t.Helper()
	var ok bool
	bp.eval(fmt.Sprintf(`(() => {
		for (const l of document.querySelectorAll("#%s .sb-controls label")) {
			if (!l.textContent.startsWith(%q)) continue;
			const s = l.querySelector("select");
			const o = [...s.options].find(o => o.textContent === %q);
			if (!o) return false;
			s.value = o.value; s.dispatchEvent(new Event("change")); return true;
		}
		return false;
	})()`, id, label, option), &ok)
	if !ok {
		bp.t.Fatalf("no filter %q with option %q in #%s", label, option, id)
	}
	return bp.table(id)
}

// expandFirst opens the first row's details and returns their text.
func (bp *browserPage) expandFirst(id string) string {
	bp.t.Helper()
	var text string
	bp.eval(fmt.Sprintf(`(() => {
		const b = document.querySelector("#%s tbody button.sb-toggle");
		b.click();
		const d = b.closest("tr").nextElementSibling;
		return d && d.classList.contains("sb-detail") && b.getAttribute("aria-expanded") === "true" ? d.textContent : "";
	})()`, id), &text)
	return text
}

// shots saves a full-page screenshot at desktop width and one at phone
// width, checking that the page does not overflow a phone's width, and a
// PDF of the printed page.
func (bp *browserPage) shots(name string) {
	bp.t.Helper()
	save := func(file string, data []byte, err error) {
		bp.t.Helper()
		if err != nil {
			bp.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bp.dir, file), data, 0o644); err != nil {
			bp.t.Fatal(err)
		}
	}
	png, err := bp.p.Screenshot(bp.ctx, true)
	save(name+".png", png, err)
	if err := bp.p.SetViewport(bp.ctx, 390, 844, true); err != nil {
		bp.t.Fatal(err)
	}
	var overflow int
	bp.eval(`document.documentElement.scrollWidth - window.innerWidth`, &overflow)
	if overflow > 1 {
		bp.t.Errorf("at phone width the page is %d px wider than the screen", overflow)
	}
	png, err = bp.p.Screenshot(bp.ctx, false)
	save(name+"-phone.png", png, err)
	if err := bp.p.SetViewport(bp.ctx, 1280, 900, false); err != nil {
		bp.t.Fatal(err)
	}
	var hidden bool
	if err := bp.p.EmulateMedia(bp.ctx, "print"); err != nil {
		bp.t.Fatal(err)
	}
	bp.eval(`getComputedStyle(document.querySelector("nav.sb-nav")).display === "none" && getComputedStyle(document.querySelector(".sb-controls")).display === "none"`, &hidden)
	if !hidden {
		bp.t.Error("print media shows the navigation or the table controls")
	}
	bp.p.EmulateMedia(bp.ctx, "")
	pdf, err := bp.p.PDF(bp.ctx)
	save(name+".pdf", pdf, err)
}

// TestHTMLPagesInBrowser loads the pages of a real HumanEval+ run (the
// Qwen2.5-Coder-1.5B samples) and of its comparison with a copy where
// eight passing solutions were broken in headless Chromium, and checks what
// a reader relies on: no console errors, nothing fetched, every section,
// charts that draw, the problem table paging, searching, filtering and
// expanding a failing sample's deciding test, a link that opens one
// problem, a phone-width layout and print rules. It saves screenshots and
// PDFs (see artifactsDir).
func TestHTMLPagesInBrowser(t *testing.T) {
	browser := needChromium(t)
	base, next, broken := realRuns(t)
	dir := artifactsDir(t)
	reportPage, comparePage := filepath.Join(dir, "report.html"), filepath.Join(dir, "compare.html")
	if _, stderr, code := run(t, context.Background(), "", "report", "html", base, "-o", reportPage); code != 0 {
		t.Fatalf("report html: exit %d: %s", code, stderr)
	}
	if _, stderr, code := run(t, context.Background(), "", "compare", base, next, "--html", comparePage); code != 0 {
		t.Fatalf("compare --html: exit %d: %s", code, stderr)
	}
	b, ctx := startBrowser(t, browser)

	t.Run("report", func(t *testing.T) {
		p := openPage(t, ctx, b, reportPage, dir)
		p.sections("summary", "verdicts", "problems", "slowest", "reproduce")
		if n := p.charts(); n < 2 {
			t.Errorf("%d charts, want the sample and test verdicts", n)
		}
		var facts struct {
			PassAt1 string `json:"pass1"`
			Repro   string `json:"repro"`
		}
		p.eval(`({pass1: document.querySelector("#summary dd").textContent, repro: document.getElementById("reproduce").textContent})`, &facts)
		if !strings.HasSuffix(facts.PassAt1, "%") {
			t.Errorf("first summary number %q, want pass@1", facts.PassAt1)
		}
		for _, want := range []string{"humanevalplus", "pool", "python3", "samples sha256"} {
			if !strings.Contains(facts.Repro, want) {
				t.Errorf("reproducibility section lacks %q", want)
			}
		}
		if s := p.table("problems-table"); s.Rows != 50 || !strings.Contains(s.Count, "of 164 problems") {
			t.Errorf("problem table: %+v, want 50 rows of 164", s)
		}
		// HumanEval/16 and /160 to /163.
		if s := p.search("problems-table", "HumanEval/16"); s.Rows != 5 || !strings.Contains(s.Count, "of 5 problems (of 164)") {
			t.Errorf("search HumanEval/16: %+v", s)
		}
		p.search("problems-table", "")
		if s := p.filter("problems-table", "Show", "with a sample failing only the plus inputs"); s.Rows == 0 {
			t.Errorf("no problem fails only the plus inputs, yet pass@1 is below its base score: %+v", s)
		}
		p.filter("problems-table", "Show", "all problems")
		p.search("problems-table", "")
		if s := p.filter("problems-table", "Verdict", "a sample WA"); s.Rows == 0 {
			t.Errorf("no problem with a WA sample: %+v", s)
		}
		text := p.expandFirst("problems-table")
		for _, want := range []string{"Deciding test", "Input", "Expected", "Got", "Diff"} {
			if !strings.Contains(text, want) {
				t.Errorf("a WA problem's details lack %q:\n%s", want, text)
			}
		}
		p.fits()
		p.clean()
		p.shots("report")

		// A link to one problem opens it.
		q := openPage(t, ctx, b, reportPage+"#task=HumanEval/16", dir)
		var label string
		q.eval(`(() => { const b = document.querySelector("#problems-table button.sb-toggle[aria-expanded=true]"); return b ? b.getAttribute("aria-label") : ""; })()`, &label)
		if label != "Hide details of HumanEval/16" {
			t.Errorf("report.html#task=HumanEval/16: the open row is %q", label)
		}
	})

	t.Run("compare", func(t *testing.T) {
		p := openPage(t, ctx, b, comparePage, dir)
		p.sections("verdict", "scores", "significance", "flips", "runs")
		if n := p.charts(); n < 2 {
			t.Errorf("%d charts, want pass@k and the interval", n)
		}
		var verdict string
		p.eval(`document.querySelector("#verdict .sb-verdict").textContent`, &verdict)
		if verdict != report.VerdictRegression {
			t.Errorf("verdict %q, want %q", verdict, report.VerdictRegression)
		}
		s := p.table("flips-table")
		if s.Rows != len(broken) || !strings.Contains(s.Count, fmt.Sprintf("of %d flipped problems", len(broken))) {
			t.Errorf("flips table: %+v, want the %d broken problems", s, len(broken))
		}
		text := p.expandFirst("flips-table")
		if !strings.Contains(text, "base: ") || !strings.Contains(text, "new: ") || !strings.Contains(text, "broken on purpose") {
			t.Errorf("a flipped problem's details:\n%s", text)
		}
		p.fits()
		p.clean()
		p.shots("compare")
	})
}

// startBrowser starts Chromium for a test, closed when it ends, and a
// context that bounds the test's use of it.
func startBrowser(t *testing.T, path string) (*chromium.Browser, context.Context) {
	t.Helper()
	b, err := chromium.Start(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close the browser: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return b, ctx
}

// TestLargeReportPageInBrowser: the page of a synthetic 10,000-sample
// report (1,000 problems of 10 samples, in the shape of a LiveCodeBench
// run) opens and its table works in headless Chromium. It logs how long
// the page took to load and its table to draw, and how long sorting and
// searching took: figures for people, not asserted (the machine is
// shared and its load varies).
func TestLargeReportPageInBrowser(t *testing.T) {
	browser := needChromium(t)
	dir := artifactsDir(t)
	large, largePage := filepath.Join(t.TempDir(), "large.json"), filepath.Join(dir, "large.html")
	writeLargeReport(t, large, 1000, 10)
	if _, stderr, code := run(t, context.Background(), "", "report", "html", large, "-o", largePage); code != 0 {
		t.Fatalf("report html: exit %d: %s", code, stderr)
	}
	b, ctx := startBrowser(t, browser)
	p := openPage(t, ctx, b, largePage, dir)
	var timing struct {
		Load  float64 `json:"load"`
		Ready float64 `json:"ready"`
		Size  float64 `json:"size"`
	}
	p.eval(`(() => { const n = performance.getEntriesByType("navigation")[0]; const r = performance.getEntriesByName("sb-ready")[0];
		return {load: n.loadEventEnd - n.startTime, ready: r ? r.startTime : -1, size: n.decodedBodySize || 0}; })()`, &timing)
	t.Logf("10,000-sample page (%.1f MiB): table ready %.0f ms, load event done %.0f ms after navigation start", timing.Size/(1<<20), timing.Ready, timing.Load)
	if timing.Ready < 0 {
		t.Error("the table never became ready")
	}
	if s := p.table("problems-table"); s.Rows != 50 || !strings.Contains(s.Count, "of 1000 problems") {
		t.Errorf("problem table: %+v", s)
	}
	var sortMS float64
	p.eval(`(() => { const t0 = performance.now(); document.querySelectorAll("#problems-table th button.sb-sort")[3].click(); return performance.now() - t0; })()`, &sortMS)
	t0 := time.Now()
	s := p.search("problems-table", "ZeroDivisionError")
	t.Logf("sorting 1000 problems by pass@1 took %.0f ms; a search over every message %d ms (with its 120 ms debounce and the 400 ms wait)", sortMS, time.Since(t0).Milliseconds())
	if s.Rows == 0 {
		t.Errorf("search of a message found nothing: %+v", s)
	}
	p.charts()
	p.fits()
	p.clean()
	png, err := p.p.Screenshot(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "large.png"), png, 0o644)
}

// writeLargeReport writes a synthetic report of problems × perProblem
// samples in the shape of a LiveCodeBench run: metadata, two languages,
// every verdict, failing tests with cases and stderr, usage. Seeded, so the
// same every time.
func writeLargeReport(t *testing.T, path string, problems, perProblem int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 13))
	r := &report.Report{SchemaVersion: report.SchemaVersion, Tool: report.Tool{Name: "scalebox", Version: "test"},
		Benchmark:   report.Benchmark{Name: "synthetic", Version: "1", SHA256: "00", Problems: problems},
		Run:         report.Run{SamplesPath: "synthetic.jsonl", EarlyStop: "first_failure"},
		Sandbox:     report.Sandbox{Backend: "bwrap", Cgroup: "v2", Limits: report.Limits{CPUTimeMS: 2000, MemoryBytes: 1 << 30}},
		Environment: report.Environment{OS: "linux", Arch: "amd64", CPUs: 2, Toolchains: map[string]string{"python3": "Python 3.11", "cpp": "g++ 12"}},
		Timing:      &report.Timing{Started: "2025-01-01T00:00:00Z", WallSeconds: 1000},
	}
	difficulties, platforms := []string{"easy", "medium", "hard"}, []string{"atcoder", "codeforces", "leetcode"}
	fails := []string{"WA", "WA", "WA", "TLE", "RE", "RE", "MLE", "CE", "SE"}
	for i := range problems {
		p := report.Problem{TaskID: fmt.Sprintf("synthetic/%04d", i), Meta: map[string]string{
			"difficulty": difficulties[i%3], "platform": platforms[(i/3)%3], "contest_month": fmt.Sprintf("2024-%02d", 1+i%12)}}
		skill := rng.Float64()
		for j := range perProblem {
			lang := "python3"
			if rng.IntN(5) == 0 {
				lang = "cpp"
			}
			s := report.Sample{Index: j, Line: i*perProblem + j + 1, Language: lang, TestsTotal: 20}
			u := &report.Usage{CPUTimeMS: 1 + 100*rng.Float64(), WallTimeMS: 2 + 100*rng.Float64(), MemoryKiB: 9000}
			if rng.Float64() < skill {
				s.Passed, s.Verdict, s.TestsPassed = true, "AC", 20
				s.Tests = []report.Test{{Index: 0, Verdict: "AC", Usage: u}}
			} else {
				v := fails[rng.IntN(len(fails))]
				k := rng.IntN(20)
				input := strings.Repeat(fmt.Sprintf("%d ", rng.IntN(1000)), 40)
				exp, got := fmt.Sprintf("%d\n%d\n", k, k*k), fmt.Sprintf("%d\n%d\n", k, k*k+1)
				ft := report.Test{Index: k, Verdict: v, Usage: u, Case: &report.Case{Input: input, Expected: &exp}}
				switch v {
				case "WA":
					ft.Message = fmt.Sprintf("line 2: expected %q, got %q", fmt.Sprint(k*k), fmt.Sprint(k*k+1))
					ft.Case.Got = &got
				case "RE":
					ft.Message = "exit code 1: ZeroDivisionError: division by zero"
					ft.Stderr = "Traceback (most recent call last):\n  File \"/box/main.py\", line 7, in <module>\n    print(a // b)\nZeroDivisionError: division by zero\n"
				case "TLE", "MLE":
					ft.Message = "the " + strings.ToLower(v) + " limit was reached"
				case "CE", "SE":
					ft.Case = nil
					ft.Message = "the build failed: main.cpp:3:1: error: expected ';'"
				}
				s.Verdict, s.Message, s.TestsPassed = v, fmt.Sprintf("test %d: %s", k, ft.Message), k
				s.Tests = []report.Test{ft}
				if v == "CE" {
					s.Tests = []report.Test{}
					s.Compile = &report.Compile{OK: false, Message: ft.Message}
				}
			}
			p.Samples = append(p.Samples, s)
		}
		r.Problems = append(r.Problems, p)
	}
	r.Summarize([]int{1, 5, 10})
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
}
