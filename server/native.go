package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
)

// evaluateRequest is the body of POST /v1/evaluate (docs/api.md).
type evaluateRequest struct {
	// Benchmark names a benchmark loaded at start; it may be left out when
	// the server loaded exactly one, or when Problems are given.
	Benchmark string `json:"benchmark"`
	// Problems are inline problems in scalebox's format (docs/report.md),
	// judged under Language, Limits and Comparator.
	Problems []json.RawMessage `json:"problems"`
	Language string            `json:"language"`
	Limits   *struct {
		CPUTime string `json:"cpu_time"`
		Memory  string `json:"memory"`
	} `json:"limits"`
	Comparator string  `json:"comparator"`
	AbsTol     float64 `json:"abs_tol"`
	RelTol     float64 `json:"rel_tol"`
	// Samples are {task_id, solution | completion | generation, language}.
	Samples []json.RawMessage `json:"samples"`
	// AllTests runs every test even after a failure (partial credit).
	AllTests bool `json:"all_tests"`
	// Stream answers NDJSON, one line per sample as it finishes (also
	// chosen by Accept: application/x-ndjson).
	Stream bool `json:"stream"`
	// KeepOutput returns each test's stdout and stderr.
	KeepOutput bool `json:"keep_output"`
}

// sampleOut is one sample's judgement.
type sampleOut struct {
	Type string `json:"type,omitempty"`
	// Index is the sample's position in the request.
	Index       int           `json:"index"`
	TaskID      string        `json:"task_id"`
	SampleIndex int           `json:"sample_index"`
	Language    string        `json:"language"`
	Verdict     judge.Verdict `json:"verdict"`
	Message     string        `json:"message,omitempty"`
	Passed      bool          `json:"passed"`
	// Reward is 1 or 0 (the fraction of tests passed with all_tests);
	// null for a system error, which is neither.
	Reward       *float64 `json:"reward"`
	PassFraction *float64 `json:"pass_fraction"`
	TestsPassed  int      `json:"tests_passed"`
	TestsTotal   int      `json:"tests_total"`
	BasePassed   *bool    `json:"base_passed,omitempty"`
	// LimitRatio is the largest share of its CPU time limit an input used
	// (function problems): near 1, the verdict sits at the limit.
	LimitRatio float64     `json:"limit_ratio,omitempty"`
	Compile    *compileOut `json:"compile,omitempty"`
	Tests      []testOut   `json:"tests"`
}

type compileOut struct {
	OK          bool    `json:"ok"`
	Cached      bool    `json:"cached"`
	Message     string  `json:"message,omitempty"`
	CPUTime     float64 `json:"cpu_time"`
	WallTime    float64 `json:"wall_time"`
	MemoryBytes int64   `json:"memory_peak_bytes"`
}

type testOut struct {
	Index           int           `json:"index"`
	Verdict         judge.Verdict `json:"verdict"`
	Message         string        `json:"message,omitempty"`
	Status          string        `json:"status"`
	ExitCode        int           `json:"exit_code"`
	Signal          int           `json:"signal,omitempty"`
	Inputs          int           `json:"inputs,omitempty"`
	CPUTime         float64       `json:"cpu_time"`
	WallTime        float64       `json:"wall_time"`
	MemoryPeakBytes int64         `json:"memory_peak_bytes"`
	Stderr          string        `json:"stderr,omitempty"`
	Stdout          *string       `json:"stdout,omitempty"`
	// Files are the test's fetched files (name -> base64), with keep_output.
	Files map[string]string `json:"files,omitempty"`
	// FilesTruncated names the fetched files cut at their cap.
	FilesTruncated []string `json:"files_truncated,omitempty"`
}

type summaryOut struct {
	Type         string                `json:"type,omitempty"`
	Benchmark    string                `json:"benchmark"`
	Samples      int                   `json:"samples"`
	Passed       int                   `json:"passed"`
	SystemErrors int                   `json:"system_errors"`
	Interrupted  int                   `json:"interrupted"`
	Verdicts     map[judge.Verdict]int `json:"verdicts"`
	Seconds      float64               `json:"seconds"`
}

func (s *Server) handleEvaluate(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	start := time.Now()
	var req evaluateRequest
	if err := decodeJSON(r, &req, true); err != nil {
		writeError(w, err)
		return
	}
	b, aerr := s.evaluateBenchmark(&req)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	samples, aerr := readSamples(req.Samples, b)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	for i, smp := range samples {
		if _, ok := b.Problem(smp.TaskID); !ok {
			writeError(w, badField(fmt.Sprintf("samples[%d].task_id", i), "task %q is not in benchmark %s", smp.TaskID, b.Config.Name))
			return
		}
		if smp.Language != "" {
			id, err := s.langs.lookup(smp.Language)
			if err != nil {
				writeError(w, badField(fmt.Sprintf("samples[%d].language", i), "%v", err))
				return
			}
			smp.Language = id
		}
	}
	if len(samples) > 0 {
		rc.language = b.SampleLanguage(mustProblem(b, samples[0].TaskID), samples[0])
	}
	earlyStop := !req.AllTests && b.Config.Eval.EarlyStop == benchmarks.EarlyStopFirstFailure
	stream := req.Stream || strings.Contains(r.Header.Get("Accept"), "application/x-ndjson")
	var enc *json.Encoder
	var flush func()
	if stream {
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		enc = json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		flush = func() {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
		}
	}
	var onResult func(int, *eval.SampleResult)
	if stream {
		onResult = func(i int, res *eval.SampleResult) {
			o := sampleFrom(i, res, req.AllTests, req.KeepOutput)
			o.Type = "result"
			enc.Encode(o)
			flush()
		}
	}
	out, aerr := s.run(r.Context(), rc, eval.Request{Benchmark: b, Samples: samples, EarlyStop: earlyStop, KeepOutput: req.KeepOutput}, onResult)
	if aerr != nil {
		if stream {
			enc.Encode(map[string]any{"type": "error", "error": aerr.Error()})
			return
		}
		writeError(w, aerr)
		return
	}
	if r.Context().Err() != nil {
		return
	}
	sum := summaryOut{Benchmark: b.Config.Name, Samples: len(samples), Verdicts: map[judge.Verdict]int{}, Seconds: time.Since(start).Seconds()}
	results := make([]sampleOut, 0, len(samples))
	for i, res := range out.results {
		if res == nil {
			sum.Interrupted++
			continue
		}
		sum.Verdicts[res.Verdict]++
		if res.Passed() {
			sum.Passed++
		}
		if res.Verdict == judge.SE {
			sum.SystemErrors++
		}
		if !stream {
			results = append(results, sampleFrom(i, res, req.AllTests, req.KeepOutput))
		}
	}
	if stream {
		sum.Type = "summary"
		enc.Encode(sum)
		flush()
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results, "summary": sum})
}

func mustProblem(b *benchmarks.Benchmark, id string) *benchmarks.Problem {
	p, _ := b.Problem(id)
	return p
}

// evaluateBenchmark is the loaded benchmark the request names, or one
// made of its inline problems.
func (s *Server) evaluateBenchmark(req *evaluateRequest) (*benchmarks.Benchmark, *apiError) {
	if len(req.Problems) == 0 {
		if req.Limits != nil || req.Comparator != "" || req.Language != "" {
			return nil, badField("problems", "limits, comparator and language are for inline problems; a loaded benchmark has its own")
		}
		name := req.Benchmark
		if name == "" {
			if len(s.benches) != 1 {
				return nil, badField("benchmark", "is required: this server has %s", s.benchList())
			}
			for n := range s.benches {
				name = n
			}
		}
		b, ok := s.benches[name]
		if !ok {
			return nil, badField("benchmark", "%q is not loaded (this server has %s; start it with --bench)", name, s.benchList())
		}
		return b, nil
	}
	if req.Benchmark != "" {
		return nil, badField("benchmark", "give a loaded benchmark or inline problems, not both")
	}
	lang := "python3"
	if req.Language != "" {
		id, err := s.langs.lookup(req.Language)
		if err != nil {
			return nil, badField("language", "%v", err)
		}
		lang = id
	}
	var cpu time.Duration
	var mem int64
	if l := req.Limits; l != nil {
		if l.CPUTime != "" {
			d, err := time.ParseDuration(l.CPUTime)
			if err != nil || d <= 0 || d > time.Hour {
				return nil, badField("limits.cpu_time", "%q is not a duration in (0, 1h] such as \"2s\"", l.CPUTime)
			}
			cpu = d
		}
		if l.Memory != "" {
			m, err := benchmarks.ParseByteSize(l.Memory)
			if err != nil || m < 1<<20 {
				return nil, badField("limits.memory", "%q is not a size of at least 1MiB such as \"256MiB\"", l.Memory)
			}
			mem = int64(m)
		}
	}
	comparator := req.Comparator
	if comparator == "" {
		comparator = "lines"
	}
	tol := judge.ComparatorOptions{AbsTol: req.AbsTol, RelTol: req.RelTol}
	if _, err := judge.NewComparator(comparator, tol); err != nil {
		return nil, badField("comparator", "%v", err)
	}
	var problems []*benchmarks.Problem
	for i, raw := range req.Problems {
		var p benchmarks.Problem
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, badField(fmt.Sprintf("problems[%d]", i), "%v", err)
		}
		if p.Language != "" {
			id, err := s.langs.lookup(p.Language)
			if err != nil {
				return nil, badField(fmt.Sprintf("problems[%d].language", i), "%v", err)
			}
			p.Language = id
		}
		if p.Checker != nil && p.Checker.Language != "" {
			id, err := s.langs.lookup(p.Checker.Language)
			if err != nil {
				return nil, badField(fmt.Sprintf("problems[%d].checker.language", i), "%v", err)
			}
			p.Checker.Language = id
		}
		if p.Checker != nil {
			p.CheckerOrigin = "request"
		}
		problems = append(problems, &p)
	}
	cfg := s.inlineConfig("inline", lang, cpu, mem, comparator, tol, true)
	b, err := benchmarks.New(cfg, problems, "problems")
	if err != nil {
		return nil, badField("problems", "%v", err)
	}
	return b, nil
}

func (s *Server) benchList() string {
	if len(s.benches) == 0 {
		return "no benchmark loaded"
	}
	var names []string
	for n := range s.benches {
		names = append(names, n)
	}
	sort.Strings(names)
	return "benchmarks " + strings.Join(names, ", ")
}

var sampleLineRef = regexp.MustCompile(`^samples:(\d+): `)

// readSamples parses the request's samples exactly as `scalebox eval`
// reads a samples file (the same code extraction), one JSONL line per
// item. A sample may leave out task_id when the benchmark has one problem.
func readSamples(items []json.RawMessage, b *benchmarks.Benchmark) ([]*benchmarks.Sample, *apiError) {
	if len(items) == 0 {
		return nil, badField("samples", "holds no sample")
	}
	var buf bytes.Buffer
	for i, raw := range items {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, badField(fmt.Sprintf("samples[%d]", i), "must be an object {task_id, solution | completion, language}")
		}
		if _, ok := obj["task_id"]; !ok && len(b.Problems) == 1 {
			id, _ := json.Marshal(b.Problems[0].TaskID)
			obj["task_id"] = id
		}
		line, _ := json.Marshal(obj)
		buf.Write(line)
		buf.WriteByte('\n')
	}
	samples, err := benchmarks.ReadSamples(&buf, "samples")
	if err != nil {
		msg := err.Error()
		if m := sampleLineRef.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			return nil, badField(fmt.Sprintf("samples[%d]", n-1), "%s", strings.TrimPrefix(msg, m[0]))
		}
		return nil, badField("samples", "%s", msg)
	}
	return samples, nil
}

// sampleFrom renders a sample's judgement.
func sampleFrom(i int, res *eval.SampleResult, partial, keepOutput bool) sampleOut {
	o := sampleOut{
		Index: i, TaskID: res.Sample.TaskID, SampleIndex: res.Sample.Index, Language: res.Language,
		Verdict: res.Verdict, Message: res.Message, Passed: res.Passed(), TestsTotal: res.TestsTotal,
		BasePassed: res.BasePassed, LimitRatio: res.LimitRatio(), Tests: []testOut{},
	}
	if c := res.Compile; c != nil && c.Ran {
		o.Compile = &compileOut{OK: c.OK, Cached: c.Cached, Message: c.Message, CPUTime: c.Usage.CPUTime.Seconds(),
			WallTime: c.Usage.WallTime.Seconds(), MemoryBytes: c.Usage.MemoryPeakBytes}
	}
	for _, t := range res.Tests {
		if t.Verdict == judge.AC {
			o.TestsPassed += max(t.Inputs, 1)
		}
		to := testOut{Index: t.Index, Verdict: t.Verdict, Message: t.Message, Status: t.Status.String(), ExitCode: t.ExitCode,
			Signal: t.Signal, Inputs: t.Inputs, CPUTime: t.Usage.CPUTime.Seconds(), WallTime: t.Usage.WallTime.Seconds(),
			MemoryPeakBytes: t.Usage.MemoryPeakBytes, Stderr: t.Stderr}
		if keepOutput && t.Output != nil {
			out := text(t.Output.Stdout)
			to.Stdout = &out
			to.Stderr = text(t.Output.Stderr)
			for _, f := range t.Output.Files {
				if to.Files == nil {
					to.Files = map[string]string{}
				}
				to.Files[f.Name] = base64.StdEncoding.EncodeToString(f.Data)
				if f.Truncated {
					to.FilesTruncated = append(to.FilesTruncated, f.Name)
				}
			}
		}
		o.Tests = append(o.Tests, to)
	}
	if res.Verdict != judge.SE {
		frac := 0.0
		if o.TestsTotal > 0 {
			frac = float64(min(o.TestsPassed, o.TestsTotal)) / float64(o.TestsTotal)
		}
		if res.Passed() {
			frac = 1
		}
		reward := 0.0
		switch {
		case res.Passed():
			reward = 1
		case partial:
			reward = frac
		}
		o.PassFraction, o.Reward = &frac, &reward
	}
	return o
}
