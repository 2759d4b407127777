package page

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/internal/golden"
	"github.com/scalebox-dev/scalebox/report"
)

func sp(s string) *string { return &s }
func bp(b bool) *bool     { return &b }
func ip(i int) *int       { return &i }

// fixture is a small report with what a page shows: pass@k with base
// scores, metadata, several samples per problem, each verdict, cases with
// a cut input and a late difference, stderr, a build failure, usage,
// warnings, unknown samples, config, toolchains and timing.
func fixture(t testing.TB, samplesPath string, fail map[string]bool) *report.Report {
	t.Helper()
	r := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Tool:          report.Tool{Name: "scalebox", Version: "v0.9.0", Commit: "abc123"},
		Benchmark:     report.Benchmark{Name: "fixture", Version: "1", SHA256: "ab12cd34", DataPath: "/data/fixture.jsonl", Origin: "builtin", Problems: 5},
		Config:        map[string]any{"name": "fixture", "limits": map[string]any{"cpu_time": "2s"}, "eval": map[string]any{"k": []int{1, 2}}},
		Run:           report.Run{SamplesPath: samplesPath, SamplesSHA256: "ffee", EarlyStop: "first_failure", Retries: 2},
		Sandbox: report.Sandbox{Backend: "bwrap", Version: "0.8.0", Cgroup: "v2", HostUID: 0, Isolation: []string{"user", "pid", "net"},
			Limits: report.Limits{CPUTimeMS: 2000, WallTimeMS: 6000, MemoryBytes: 512 << 20, OutputBytes: 64 << 20, FileSizeBytes: 64 << 20, Processes: 64, TmpfsBytes: 64 << 20, CompileCPUMS: 30000, CompileMemBytes: 1 << 30}},
		Environment:    report.Environment{OS: "linux", Arch: "amd64", Kernel: "6.1.0", CPUs: 2, Toolchains: map[string]string{"python3": "Python 3.11.2", "cpp": "g++ 12.2.0"}},
		UnknownSamples: []report.SampleRef{{TaskID: "nope/1", Line: 9}},
		Warnings:       []string{"a warning of the run <with markup>"},
		Timing:         &report.Timing{Started: "2025-01-02T03:04:05Z", Finished: "2025-01-02T03:05:05Z", WallSeconds: 60, Jobs: 2, TestsRun: 40, TestsPerSecond: 0.667, Compiles: 3},
	}
	usage := func(cpu float64) *report.Usage {
		return &report.Usage{CPUTimeMS: cpu, WallTimeMS: cpu + 1, MemoryKiB: 9000}
	}
	ac := func(i, line int, lang string) report.Sample {
		return report.Sample{Index: i, Line: line, Language: lang, Passed: true, BasePassed: bp(true), Verdict: "AC", TestsTotal: 2, TestsPassed: 2,
			Tests: []report.Test{{Index: 0, Verdict: "AC", Usage: usage(10 * float64(line))}, {Index: 1, Verdict: "AC", Usage: usage(5)}}}
	}
	wa := report.Sample{Index: 1, Line: 2, Language: "python3", BasePassed: bp(false), Verdict: "WA", Message: "test 1: line 2: expected \"5\", got \"6\"", TestsTotal: 2, TestsPassed: 1,
		Tests: []report.Test{{Index: 0, Verdict: "AC", Usage: usage(3)}, {Index: 1, Verdict: "WA", Message: "line 2: expected \"5\", got \"6\"", ExitCode: ip(0), Usage: usage(4),
			Case: &report.Case{Input: strings.Repeat("x", 40) + "</script><b>", Expected: sp("4\n5\n"), Got: sp("4\n6\n"), Truncated: []string{"input"}}}}}
	tle := report.Sample{Index: 0, Line: 3, Language: "cpp", BasePassed: bp(false), Verdict: "TLE", Message: "test 0: CPU time limit (2s) exceeded", TestsTotal: 2,
		Compile: &report.Compile{OK: true, Usage: usage(800)},
		Tests: []report.Test{{Index: 0, Verdict: "TLE", Message: "CPU time limit (2s) exceeded", Usage: &report.Usage{CPUTimeMS: 2001, WallTimeMS: 2002, MemoryKiB: 2048, StoppedBy: "cpu_time"},
			Case: &report.Case{Input: "1 2\n", Expected: sp("3\n")}}}}
	re := report.Sample{Index: 0, Line: 4, Language: "python3", BasePassed: bp(false), Verdict: "RE", Message: "test 0: base input 0: ZeroDivisionError: division by zero", TestsTotal: 1,
		Tests: []report.Test{{Index: 0, Verdict: "RE", Group: "base+plus", Inputs: 12, Message: "base input 0: ZeroDivisionError: division by zero",
			Stderr: "Traceback (most recent call last):\n  File \"main.py\", line 2\nZeroDivisionError: division by zero\n", Usage: usage(20),
			Case: &report.Case{Input: "div(1, 0)", Expected: sp("inf"), FromLine: 0}}}}
	ce := report.Sample{Index: 1, Line: 5, Language: "cpp", BasePassed: bp(false), Verdict: "CE", Message: "main.cpp:1:1: error: expected unqualified-id", TestsTotal: 2,
		Compile: &report.Compile{OK: false, Message: "main.cpp:1:1: error: expected unqualified-id\n 1 | oops\n", Usage: usage(300)}, Tests: []report.Test{}}
	se := report.Sample{Index: 0, Line: 6, Language: "python3", Verdict: "SE", Message: "test 0: sandbox failed after 3 attempts: boom", TestsTotal: 1,
		Tests: []report.Test{{Index: 0, Verdict: "SE", Message: "sandbox failed after 3 attempts: boom", Attempts: 3}}}
	late := report.Sample{Index: 2, Line: 7, Language: "python3", BasePassed: bp(true), Verdict: "WA", Message: "test 1: line 1999: expected \"1\", got \"2\"", TestsTotal: 2, TestsPassed: 1,
		Tests: []report.Test{{Index: 0, Verdict: "AC", Usage: usage(1)}, {Index: 1, Verdict: "WA", Message: "line 1999: expected \"1\", got \"2\"", ExitCode: ip(0), Usage: usage(2),
			Case: &report.Case{Input: "2000\n", Expected: sp("1\n1\n1\n"), Got: sp("1\n1\n2\n"), FromLine: 1997, Truncated: []string{"expected", "got"}}}}}
	r.Problems = []report.Problem{
		{TaskID: "fx/1", Meta: map[string]string{"difficulty": "easy", "contest_month": "2024-05"}, Samples: []report.Sample{ac(0, 1, "python3"), wa, late}},
		{TaskID: "fx/2", Meta: map[string]string{"difficulty": "hard", "contest_month": "2024-06"}, Checker: &report.Checker{Name: "float(abs=1e-06,rel=1e-06)", Protocol: "builtin", Origin: "benchmark"},
			Samples: []report.Sample{tle, ce}},
		{TaskID: "fx/10", Meta: map[string]string{"difficulty": "easy"}, Samples: []report.Sample{re, ac(1, 8, "python3")}},
		{TaskID: "fx/3", Samples: []report.Sample{se, ac(1, 10, "python3")}},
	}
	for _, p := range r.Problems {
		for i := range p.Samples {
			if fail[p.TaskID] && p.Samples[i].Passed {
				p.Samples[i].Passed, p.Samples[i].Verdict = false, "WA"
				p.Samples[i].Message = "test 0: broken on purpose"
				p.Samples[i].Tests = []report.Test{{Index: 0, Verdict: "WA", Message: "broken on purpose"}}
			}
		}
	}
	r.Summarize([]int{1, 2})
	return r
}

func TestWriteReport(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReport(&buf, fixture(t, "samples.jsonl", nil), Options{Source: "fixture.json"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	// Untrusted text never reaches the page as markup.
	for _, bad := range []string{"</script><b>", "<with markup>"} {
		if strings.Contains(out, bad) {
			t.Errorf("page has %q unescaped", bad)
		}
	}
	for _, want := range []string{`id="summary"`, `id="verdicts"`, `id="breakdowns"`, `id="problems"`, `id="slowest"`, `id="reproduce"`,
		`pass@1 by contest_month`, `Passing samples by language`, `Problems by share of passing samples`, `Python 3.11.2`, `first_failure`, `2025-01-02T03:04:05Z`} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	golden.Check(t, buf.Bytes(), ".html")
}

// pageJSON extracts the page's embedded data.
func pageJSON(t *testing.T, html string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`<script type="application/json" id="sb-data">(.*?)</script>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("page has no data")
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(m[1]), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestReportData: the table's data hold every problem, with the counts
// pass@k uses and each failing sample's deciding test.
func TestReportData(t *testing.T) {
	r := fixture(t, "s.jsonl", nil)
	var buf bytes.Buffer
	if err := WriteReport(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	d := pageJSON(t, buf.String())
	if diff := cmp.Diff([]any{"contest_month", "difficulty"}, d["meta_keys"]); diff != "" {
		t.Errorf("meta keys (-want +got):\n%s", diff)
	}
	ps := d["problems"].([]any)
	var got []string
	for _, p := range ps {
		p := p.(map[string]any)
		got = append(got, p["id"].(string)+" "+jsonNum(p["c"])+"/"+jsonNum(p["n"]))
	}
	if diff := cmp.Diff([]string{"fx/1 1/3", "fx/2 0/2", "fx/10 1/2", "fx/3 1/1"}, got); diff != "" {
		t.Errorf("problems c/n (-want +got):\n%s", diff)
	}
	wa := ps[0].(map[string]any)["s"].([]any)[1].(map[string]any)
	test := wa["test"].(map[string]any)
	if test["i"].(float64) != 1 || test["case"].(map[string]any)["got"] != "4\n6\n" {
		t.Errorf("deciding test of fx/1 sample 1: %v", test)
	}
	if _, ok := ps[0].(map[string]any)["s"].([]any)[0].(map[string]any)["test"]; ok {
		t.Error("a passing sample has a deciding test")
	}
}

func jsonNum(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestWriteReportWithoutUsageOrMeta(t *testing.T) {
	r := fixture(t, "s.jsonl", nil)
	r.StripTimings()
	for i := range r.Problems {
		r.Problems[i].Meta = nil
	}
	r.Summarize([]int{1})
	var buf bytes.Buffer
	if err := WriteReport(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, `id="breakdowns-h"`) && !strings.Contains(out, "by language") {
		t.Error("breakdowns without metadata")
	}
	if !strings.Contains(out, "no usage figures") || strings.Contains(out, "Timing") {
		t.Error("a stripped report: want the no-usage note and no timing")
	}
}

func TestWriteComparison(t *testing.T) {
	base := fixture(t, "base.jsonl", nil)
	next := fixture(t, "new.jsonl", map[string]bool{"fx/10": true, "fx/3": true})
	c, err := report.Compare(report.Input{Path: "base.json", Report: base}, report.Input{Path: "new.json", Report: next}, report.CompareOptions{Resamples: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.ApplyGate(1)
	var buf bytes.Buffer
	if err := WriteComparison(&buf, c, base, next); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`id="verdict"`, `id="scores"`, `id="significance"`, `id="breakdowns"`, `id="flips"`, `id="runs"`,
		`data-chart="intervals"`, "McNemar exact test", "(differs)"} {
		if !strings.Contains(out, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	d := pageJSON(t, out)
	var flips []string
	for _, f := range d["flips"].([]any) {
		f := f.(map[string]any)
		flips = append(flips, f["id"].(string)+" "+f["kind"].(string))
		if f["bp"] == nil || f["np"] == nil {
			t.Errorf("flip %v lacks a side's problem", f["id"])
		}
	}
	if diff := cmp.Diff([]string{"fx/10 broken", "fx/3 broken"}, flips); diff != "" {
		t.Errorf("flips (-want +got):\n%s", diff)
	}
	golden.Check(t, buf.Bytes(), ".html")
}

func TestCut(t *testing.T) {
	if got := cut("short", 10); got != "short" {
		t.Errorf("cut short: %q", got)
	}
	got := cut(strings.Repeat("é", 10), 5)
	if !strings.HasPrefix(got, "éé\n… (cut: 20 bytes") {
		t.Errorf("cut: %q", got)
	}
}

// TestWriteReportEmpty: a report without samples (an interrupted run that
// finished none) still makes a page.
func TestWriteReportEmpty(t *testing.T) {
	r := &report.Report{SchemaVersion: report.SchemaVersion, Benchmark: report.Benchmark{Name: "empty", Version: "1", Problems: 3}}
	r.Summary.Interrupted = true
	r.Summarize([]int{1})
	var buf bytes.Buffer
	if err := WriteReport(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Interrupted:", "n/a <small>no scored samples</small>", `"problems":[]`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
