package generate_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/registry"
	"github.com/scalebox-dev/scalebox/generate"
	"github.com/scalebox-dev/scalebox/generate/generatetest"
	"github.com/scalebox-dev/scalebox/internal/llm"
)

// demo returns the demo benchmark's stdin/stdout problems and its family.
func demo(t *testing.T) (*benchmarks.Benchmark, []*benchmarks.Problem, family.Family) {
	t.Helper()
	cfg, err := (&benchmarks.Registry{}).Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	var stdio []*benchmarks.Problem
	for _, p := range b.Problems {
		if p.Kind == benchmarks.KindStdio {
			stdio = append(stdio, p)
		}
	}
	e, err := registry.For(b)
	if err != nil {
		t.Fatal(err)
	}
	return b, stdio, e.Family
}

// taskOf finds the demo task a prompt is about (its statement's first
// words are in the prompt).
func taskOf(b *benchmarks.Benchmark, text string) string {
	for _, p := range b.Problems {
		if strings.Contains(text, p.Statement) {
			return p.TaskID
		}
	}
	return "?"
}

// answer is a chat answer naming the task and the choice.
func answer(b *benchmarks.Benchmark) func(r *generatetest.Request, i int) string {
	return func(r *generatetest.Request, i int) string {
		seed := int64(-1)
		if r.Seed != nil {
			seed = *r.Seed
		}
		return fmt.Sprintf("Here you go:\n```python\nprint(%q)  # choice %d seed %d\n```\n", taskOf(b, r.Text()), i, seed)
	}
}

func options(t *testing.T, srv *generatetest.Server, b *benchmarks.Benchmark, probs []*benchmarks.Problem, f family.Family, n int) generate.Options {
	seed := int64(100)
	client := &llm.Client{URL: srv.URL(), Model: "m", Retries: 3, Backoff: time.Millisecond, Timeout: 10 * time.Second}
	return generate.Options{
		Benchmark: b, Family: f, Problems: probs, Client: client, Concurrency: 4, MaxChoices: 2,
		FamilyOptions: family.Options{Language: "python3"},
		Settings: generate.Settings{Model: "m", Endpoint: client.EndpointFor(llm.APIChat), API: family.APIChat, Family: "scalebox",
			Style: "chat", Temperature: 0.8, TopP: 0.95, MaxTokens: 100, Seed: &seed, N: n},
		Out: filepath.Join(t.TempDir(), "samples.jsonl"),
	}
}

func readLines(t *testing.T, path string) []generate.Line {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []generate.Line
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l generate.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v: %s", path, err, sc.Text())
		}
		out = append(out, l)
	}
	return out
}

// TestRunWritesSamples: every problem gets N samples, asked for in
// requests of at most MaxChoices, each line with its settings, prompt
// hash, raw answer and the code lcb_runner's rule extracts; the file reads
// as scalebox eval reads samples.
func TestRunWritesSamples(t *testing.T) {
	b, probs, f := demo(t)
	srv := generatetest.New("m", answer(b))
	defer srv.Close()
	opts := options(t, srv, b, probs, f, 3)
	var mu sync.Mutex
	var emitted []*benchmarks.Sample
	opts.Emit = func(s *benchmarks.Sample) { mu.Lock(); emitted = append(emitted, s); mu.Unlock() }
	opts.Progress = &generate.Progress{}
	res, err := generate.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Samples != 3*len(probs) || len(res.Failed) != 0 || res.Usage.CompletionTokens == 0 {
		t.Errorf("result %+v", res)
	}
	reqs := srv.Requests()
	if len(reqs) != 2*len(probs) {
		t.Errorf("%d requests, want 2 per problem (n=2 and n=1)", len(reqs))
	}
	for _, r := range reqs {
		if r.Path != "/v1/chat/completions" || r.Temperature != 0.8 || r.TopP != 0.95 || r.MaxTokens != 100 || len(r.Messages) != 2 {
			t.Errorf("request %+v", r)
		}
	}
	lines := readLines(t, opts.Out)
	seen := map[string]bool{}
	for _, l := range lines {
		seen[fmt.Sprintf("%s#%d", l.TaskID, l.Index)] = true
		p, _ := b.Problem(l.TaskID)
		pr, _ := f.Prompt(p, "chat", family.Options{Language: "python3"})
		want := fmt.Sprintf("print(%q)  # choice %d seed %d", l.TaskID, (l.Index)%2, 100+l.Index-l.Index%2)
		if l.Solution == nil || *l.Solution != want || l.PromptSHA256 != pr.SHA256() || l.Generation.Model != "m" ||
			l.Generation.Temperature != 0.8 || l.Generation.N != 3 || !strings.Contains(l.Raw, "Here you go") || l.Usage == nil {
			t.Errorf("line %+v (solution %v, want %q)", l, l.Solution, want)
		}
	}
	if len(seen) != 3*len(probs) || len(lines) != 3*len(probs) {
		t.Errorf("%d lines, %d distinct samples; want %d", len(lines), len(seen), 3*len(probs))
	}
	if len(emitted) != len(lines) || opts.Progress.Done.Load() != int64(len(lines)) || opts.Progress.Total.Load() != int64(len(lines)) {
		t.Errorf("emitted %d, progress %d/%d", len(emitted), opts.Progress.Done.Load(), opts.Progress.Total.Load())
	}
	data, _ := os.ReadFile(opts.Out)
	samples, err := benchmarks.ReadSamples(strings.NewReader(string(data)), opts.Out)
	if err != nil || len(samples) != len(lines) {
		t.Fatalf("scalebox eval reads %d samples, %v", len(samples), err)
	}
}

// TestRetries: 429 and 500 are retried; the samples are all there and no
// error was saved as a sample.
func TestRetries(t *testing.T) {
	b, probs, f := demo(t)
	srv := generatetest.New("m", answer(b))
	defer srv.Close()
	srv.SetFail(func(r *generatetest.Request, n int) int {
		switch n % 3 {
		case 1:
			return http.StatusTooManyRequests
		case 2:
			return http.StatusInternalServerError
		}
		return 0
	})
	opts := options(t, srv, b, probs[:3], f, 1)
	opts.Client.Retries = 10
	opts.Progress = &generate.Progress{}
	res, err := generate.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	lines := readLines(t, opts.Out)
	if res.Samples != 3 || len(lines) != 3 || opts.Progress.Retries.Load() < 4 {
		t.Errorf("samples %d, lines %d, retries %d", res.Samples, len(lines), opts.Progress.Retries.Load())
	}
	statuses := map[int]int{}
	for _, r := range srv.Requests() {
		statuses[r.Status]++
	}
	if statuses[429] == 0 || statuses[500] == 0 || statuses[200] != 3 {
		t.Errorf("statuses %v", statuses)
	}
	for _, l := range lines {
		if strings.Contains(l.Raw, "injected") {
			t.Errorf("an error was saved as a sample: %+v", l)
		}
	}
}

// TestResumeAfterKill: a run stopped midway, its file then cut inside a
// line as a crash leaves it, resumes: it asks only for the samples the
// file lacks, never again for one it holds, and ends with all of them.
func TestResumeAfterKill(t *testing.T) {
	b, probs, f := demo(t)
	srv := generatetest.New("m", answer(b))
	defer srv.Close()
	opts := options(t, srv, b, probs, f, 4)
	opts.Concurrency = 2
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	// The kill: after the fifth answer, stop; requests in flight then
	// never get their answers written.
	srv.SetDelay(func(r *generatetest.Request) time.Duration {
		if len(srv.Requests()) > 5 {
			once.Do(cancel)
			return time.Second
		}
		return 0
	})
	res, err := generate.Run(ctx, opts)
	if err != nil || !res.Interrupted {
		t.Fatalf("first run: %+v, %v", res, err)
	}
	first := readLines(t, opts.Out)
	if len(first) == 0 || len(first) >= 4*len(probs) {
		t.Fatalf("the first run wrote %d samples; want some, not all", len(first))
	}
	// A crash in the middle of a write leaves half a line.
	fh, _ := os.OpenFile(opts.Out, os.O_WRONLY|os.O_APPEND, 0)
	fh.WriteString(`{"task_id": "demo/add", "index": 3, "solution": "pri`)
	fh.Close()
	written := map[string]bool{}
	for _, l := range first {
		written[fmt.Sprintf("%s#%d", l.TaskID, l.Index)] = true
	}
	before := len(srv.Requests())
	srv.SetDelay(nil)

	opts.Resume = true
	res, err = generate.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != len(first) || res.Samples != 4*len(probs) {
		t.Errorf("resumed %d (want %d), samples %d", res.Resumed, len(first), res.Samples)
	}
	// Each request names its first sample by its seed (100 + index).
	for _, r := range srv.Requests()[before:] {
		task := taskOf(b, r.Text())
		for i := 0; i < max(r.N, 1); i++ {
			key := fmt.Sprintf("%s#%d", task, *r.Seed-100+int64(i))
			if written[key] {
				t.Errorf("resumed run asked again for %s, which the file holds", key)
			}
		}
	}
	all := readLines(t, opts.Out)
	seen := map[string]bool{}
	for _, l := range all {
		k := fmt.Sprintf("%s#%d", l.TaskID, l.Index)
		if seen[k] {
			t.Errorf("%s twice in the file", k)
		}
		seen[k] = true
	}
	if len(all) != 4*len(probs) {
		t.Errorf("%d lines, want %d", len(all), 4*len(probs))
	}

	// Resuming with other settings is refused, naming the line and what
	// changed.
	opts.Settings.Temperature = 0.2
	_, err = generate.Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), opts.Out+":1:") || !strings.Contains(err.Error(), "temperature 0.8, now 0.2") {
		t.Errorf("other settings: %v", err)
	}
	// Without --resume an existing file is not overwritten.
	opts.Resume = false
	if _, err := generate.Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("existing file: %v", err)
	}
}

// TestFewerChoices: a server that returns fewer choices than asked for is
// asked again for the rest.
func TestFewerChoices(t *testing.T) {
	b, probs, f := demo(t)
	srv := generatetest.New("m", answer(b))
	defer srv.Close()
	srv.Choices = func(*generatetest.Request) int { return 1 }
	opts := options(t, srv, b, probs[:2], f, 3)
	opts.MaxChoices = 3
	res, err := generate.Run(context.Background(), opts)
	if err != nil || res.Samples != 6 || len(readLines(t, opts.Out)) != 6 || len(srv.Requests()) != 6 {
		t.Errorf("%+v, %v, %d requests", res, err, len(srv.Requests()))
	}
}

// TestErrors: a refused key stops the run at once with a clear error; a
// request the server keeps refusing (400) is a failure, not a sample, and
// the rest of the run goes on; a dead endpoint stops the run.
func TestErrors(t *testing.T) {
	b, probs, f := demo(t)
	srv := generatetest.New("m", answer(b))
	defer srv.Close()
	srv.Key = "right-key"
	opts := options(t, srv, b, probs, f, 1)
	opts.Client.APIKey = "wrong-key"
	_, err := generate.Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "refused the API key") || strings.Contains(err.Error(), "wrong-key") || len(srv.Requests()) > opts.Concurrency {
		t.Errorf("wrong key: %v after %d requests", err, len(srv.Requests()))
	}

	opts = options(t, srv, b, probs, f, 1)
	opts.Client.APIKey = "right-key"
	srv.SetFail(func(r *generatetest.Request, _ int) int {
		if taskOf(b, r.Text()) == "demo/add" {
			return http.StatusBadRequest
		}
		return 0
	})
	res, err := generate.Run(context.Background(), opts)
	if err != nil || len(res.Failed) != 1 || res.Failed[0].TaskID != "demo/add" || res.Samples != len(probs)-1 {
		t.Errorf("a refused request: %+v, %v", res, err)
	}
	for _, l := range readLines(t, opts.Out) {
		if l.TaskID == "demo/add" {
			t.Errorf("a refused request became a sample: %+v", l)
		}
	}

	opts = options(t, srv, b, probs, f, 1)
	opts.Client.APIKey = "right-key"
	opts.MaxConsecutiveFailures = 3
	srv.SetFail(func(*generatetest.Request, int) int { return http.StatusBadGateway })
	_, err = generate.Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "3 requests in a row failed") {
		t.Errorf("dead endpoint: %v", err)
	}
	var he *llm.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusBadGateway {
		t.Errorf("the cause is lost: %v", err)
	}
}
