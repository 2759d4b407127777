// Package generate samples a model on a benchmark's problems through an
// OpenAI-compatible endpoint and writes the samples file scalebox eval
// reads. Each problem is prompted as its benchmark's reference harness
// prompts it (benchmarks/family), and each answer becomes a sample by
// that harness's extraction rules.
//
// The samples file is also the run's journal: a sample is appended, one
// JSON line written at once, as soon as its answer arrives, with the
// settings it was generated with and its prompt's hash. A run that is
// interrupted (even killed) resumes from the file: samples already in it
// are never asked for again, a line cut short by a crash is dropped, and
// a file written with other settings is refused. An API error is never a
// sample: a request that fails after its retries leaves its samples
// missing, and the next run asks for them.
package generate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/internal/llm"
)

// Settings are what a run asks the model for. Every sample records them;
// samples of a file share them (resuming with other settings is refused,
// except N, the number of samples per problem, which may grow).
type Settings struct {
	Model string `json:"model"`
	// Endpoint is the URL the requests go to.
	Endpoint string `json:"endpoint"`
	API      string `json:"api"`
	// Family and Style name the prompt; Source is the reference harness
	// the style follows.
	Family string `json:"family"`
	Style  string `json:"prompt_style"`
	Source string `json:"prompt_source,omitempty"`
	// Language is the language the model is asked to write in, when the
	// prompt names one.
	Language    string   `json:"language,omitempty"`
	Temperature float64  `json:"temperature"`
	TopP        float64  `json:"top_p,omitempty"`
	MaxTokens   int      `json:"max_tokens,omitempty"`
	Seed        *int64   `json:"seed,omitempty"`
	Stop        []string `json:"stop,omitempty"`
	// N is the number of samples per problem.
	N int `json:"n"`
	// Sanitize says that answers went through evalplus's sanitizer.
	Sanitize bool `json:"sanitize,omitempty"`
}

// identity is Settings without N: what must match for a file to resume.
func (s Settings) identity() string {
	s.N = 0
	b, _ := json.Marshal(s)
	return string(b)
}

// Options configure a run.
type Options struct {
	Benchmark *benchmarks.Benchmark
	Family    family.Family
	// Settings says what to ask for; Settings.Stop are added to the
	// style's stop sequences.
	Settings Settings
	// FamilyOptions are passed to the family's Prompt (Language is set
	// per problem when empty: the problem's or the benchmark's).
	FamilyOptions family.Options
	// Client sends the requests; Run sets its concurrency and, for the
	// run's duration, wraps its OnRetry to count retries.
	Client *llm.Client
	// Concurrency bounds the requests in flight (default 8).
	Concurrency int
	// MaxChoices is the most samples one request asks for (n); default
	// min(N, 16).
	MaxChoices int
	// Out is the samples file, created or, with Resume, continued.
	Out    string
	Resume bool
	// Problems, when set, are the problems to sample (default: all of the
	// benchmark's, in order).
	Problems []*benchmarks.Problem
	// Sanitize, when set, runs evalplus's sanitizer over a batch of new
	// samples before they are written; it changes their code in place.
	// An error leaves them as they were, with a warning.
	Sanitize func(ctx context.Context, samples []*benchmarks.Sample) error
	// Emit, when set, is given each sample once it is in the file, and
	// each sample the file already held when resuming, from one
	// goroutine. It must not block for long: the file's writer waits.
	Emit func(s *benchmarks.Sample)
	// Progress, when set, is updated as the run goes; it may be read
	// concurrently.
	Progress *Progress
	// MaxConsecutiveFailures stops the run after this many requests in a
	// row failed after their retries (default 10): the endpoint is down.
	MaxConsecutiveFailures int
	Logger                 *slog.Logger
}

// Progress counts a run's work. Its fields are updated atomically while
// the run goes and may be read at any time.
type Progress struct {
	// Total is the number of samples the run will have when done; Resumed
	// those the file already held.
	Total, Resumed atomic.Int64
	// Done counts the samples written by this run.
	Done atomic.Int64
	// Requests counts answered requests, Retries failed attempts that were
	// retried, Failed requests that failed for good.
	Requests, Retries, Failed atomic.Int64
	// PromptTokens and CompletionTokens sum the servers' usage reports.
	PromptTokens, CompletionTokens atomic.Int64
	// Started is when the run began sending requests (unix nanoseconds).
	Started atomic.Int64
}

// TokensPerSecond is the completion tokens generated per second so far.
func (p *Progress) TokensPerSecond() float64 {
	start := p.Started.Load()
	if start == 0 {
		return 0
	}
	el := time.Since(time.Unix(0, start)).Seconds()
	if el <= 0 {
		return 0
	}
	return float64(p.CompletionTokens.Load()) / el
}

// Failure is a request that failed for good.
type Failure struct {
	TaskID  string
	Indexes []int
	Err     error
}

// Result is what a run did.
type Result struct {
	// Samples counts the samples in the file (resumed and new); Resumed
	// those it held before.
	Samples, Resumed int
	// Failed are requests that failed after their retries; their samples
	// are missing and a resumed run asks for them.
	Failed []Failure
	// Usage sums the servers' token counts of this run's requests.
	Usage llm.Usage
	// Interrupted is set when ctx ended the run early.
	Interrupted bool
	Wall        time.Duration
}

// Line is one line of a samples file written by generate. solution or
// completion is what scalebox eval reads; the rest is provenance.
type Line struct {
	TaskID string `json:"task_id"`
	// Index numbers the task's samples from 0.
	Index      int     `json:"index"`
	Solution   *string `json:"solution,omitempty"`
	Completion *string `json:"completion,omitempty"`
	Language   string  `json:"language,omitempty"`
	// Raw is the model's answer as it came.
	Raw          string `json:"raw"`
	FinishReason string `json:"finish_reason,omitempty"`
	PromptSHA256 string `json:"prompt_sha256"`
	// Generation are the settings the sample was generated with.
	Generation Settings `json:"llm"`
	// Usage is the token count of the request the sample came from (which
	// may have asked for several samples).
	Usage *llm.Usage `json:"request_usage,omitempty"`

	line int // in the file, from 1
}

// task is one problem to sample.
type task struct {
	p      *benchmarks.Problem
	prompt *family.Prompt
	opts   family.Options
	stop   []string
	// done holds the indexes the file already has.
	done map[int]bool
}

// request asks for the samples of a task with the given indexes.
type request struct {
	t       *task
	indexes []int
}

// answered is a request's answer, turned into samples.
type answered struct {
	t       *task
	lines   []*Line
	samples []*benchmarks.Sample
}

// Run samples the model and appends to opts.Out. It returns an error when
// the run cannot start (bad options, a file that does not match) or had
// to stop (the endpoint refused the key, the model does not exist, the
// file cannot be written, the endpoint stopped answering); the samples
// written so far stay in the file. When ctx is cancelled it stops sending
// requests, writes the answers that arrived and returns with Interrupted
// set.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Benchmark == nil || opts.Family == nil || opts.Client == nil || opts.Out == "" {
		return nil, errors.New("generate: benchmark, family, client and output file are required")
	}
	set := opts.Settings
	if set.N <= 0 {
		return nil, errors.New("generate: the number of samples per problem must be positive")
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 8
	}
	if opts.MaxChoices <= 0 {
		opts.MaxChoices = min(set.N, 16)
	}
	if opts.MaxConsecutiveFailures <= 0 {
		opts.MaxConsecutiveFailures = 10
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Progress == nil {
		opts.Progress = &Progress{}
	}
	problems := opts.Problems
	if problems == nil {
		problems = opts.Benchmark.Problems
	}
	tasks, byID, err := buildPrompts(opts, problems)
	if err != nil {
		return nil, err
	}
	f, prior, lines, err := openOut(opts.Out, set, byID, opts.Resume)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res := &Result{Resumed: len(prior)}
	started := time.Now()
	prog := opts.Progress
	prog.Resumed.Store(int64(len(prior)))
	for _, l := range prior {
		byID[l.TaskID].done[l.Index] = true
	}
	var reqs []request
	total := len(prior)
	for _, t := range tasks {
		var missing []int
		for i := 0; i < set.N; i++ {
			if !t.done[i] {
				missing = append(missing, i)
			}
		}
		for len(missing) > 0 {
			k := min(len(missing), opts.MaxChoices)
			reqs = append(reqs, request{t: t, indexes: missing[:k]})
			missing = missing[k:]
			total += k
		}
	}
	prog.Total.Store(int64(total))
	if opts.Emit != nil {
		for _, l := range prior {
			s := l.sample(byID[l.TaskID].p)
			s.Line = l.line
			opts.Emit(s)
		}
	}

	w := &writer{f: f, opts: opts, res: res, line: lines}
	out := make(chan answered, opts.Concurrency)
	writeErr := make(chan error, 1)
	go func() { writeErr <- w.run(ctx, out) }()

	gctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	opts.Client.SetConcurrency(opts.Concurrency)
	retry := opts.Client.OnRetry
	opts.Client.OnRetry = func(attempt int, err error) {
		prog.Retries.Add(1)
		opts.Logger.Warn("request failed, retrying", "attempt", attempt, "err", err)
		if retry != nil {
			retry(attempt, err)
		}
	}
	defer func() { opts.Client.OnRetry = retry }()
	prog.Started.Store(time.Now().UnixNano())

	var (
		mu          sync.Mutex
		consecutive int
	)
	g, gctx2 := errgroup.WithContext(gctx)
	g.SetLimit(opts.Concurrency)
	for _, r := range reqs {
		if gctx2.Err() != nil {
			break
		}
		g.Go(func() error {
			for len(r.indexes) > 0 {
				a, err := ask(gctx2, opts, r)
				if err != nil {
					if gctx2.Err() != nil {
						return nil
					}
					var he *llm.HTTPError
					if errors.As(err, &he) && he.Fatal() {
						return fatalError(opts, err)
					}
					prog.Failed.Add(1)
					opts.Logger.Error("request failed", "task", r.t.p.TaskID, "err", err)
					mu.Lock()
					res.Failed = append(res.Failed, Failure{TaskID: r.t.p.TaskID, Indexes: r.indexes, Err: err})
					consecutive++
					stop := consecutive >= opts.MaxConsecutiveFailures
					mu.Unlock()
					if stop {
						return fmt.Errorf("%d requests in a row failed; the last: %w", opts.MaxConsecutiveFailures, err)
					}
					return nil
				}
				mu.Lock()
				consecutive = 0
				res.Usage.PromptTokens += a.usage.PromptTokens
				res.Usage.CompletionTokens += a.usage.CompletionTokens
				mu.Unlock()
				select {
				case out <- a.answered:
				case <-gctx2.Done():
					return nil
				}
				// A server may return fewer choices than asked for: ask
				// again for the rest.
				r.indexes = r.indexes[len(a.lines):]
			}
			return nil
		})
	}
	runErr := g.Wait()
	close(out)
	if err := <-writeErr; err != nil && runErr == nil {
		runErr = err
	}
	res.Samples = res.Resumed + int(prog.Done.Load())
	res.Interrupted = ctx.Err() != nil
	res.Wall = time.Since(started)
	if res.Interrupted {
		return res, nil
	}
	return res, runErr
}

// fatalError explains an error that no request can escape.
func fatalError(opts Options, err error) error {
	var he *llm.HTTPError
	errors.As(err, &he)
	switch he.Status {
	case 401, 403:
		return fmt.Errorf("the endpoint %s refused the API key (HTTP %d): %w", opts.Settings.Endpoint, he.Status, err)
	}
	return fmt.Errorf("the endpoint %s answered HTTP 404: is the URL an OpenAI-compatible API base (such as http://host:8000/v1) and does it serve model %q? %w", opts.Settings.Endpoint, opts.Settings.Model, err)
}

// buildPrompts builds every problem's prompt once.
func buildPrompts(opts Options, problems []*benchmarks.Problem) ([]*task, map[string]*task, error) {
	byID := map[string]*task{}
	var tasks []*task
	for _, p := range problems {
		fo := opts.FamilyOptions
		if fo.Language == "" {
			fo.Language = p.Language
			if fo.Language == "" {
				fo.Language = opts.Benchmark.Config.Language
			}
		}
		pr, err := opts.Family.Prompt(p, opts.Settings.Style, fo)
		if err != nil {
			return nil, nil, fmt.Errorf("prompt %s: %w", p.TaskID, err)
		}
		if pr.API() != opts.Settings.API {
			return nil, nil, fmt.Errorf("prompt %s: style %s is sent to the %s API, not %s", p.TaskID, pr.Style, pr.API(), opts.Settings.API)
		}
		t := &task{p: p, prompt: pr, opts: fo, done: map[int]bool{}}
		t.stop = append(append([]string{}, pr.Stop...), opts.Settings.Stop...)
		tasks = append(tasks, t)
		byID[p.TaskID] = t
	}
	return tasks, byID, nil
}

type reply struct {
	answered
	usage llm.Usage
}

// ask sends a request and turns its choices into samples.
func ask(ctx context.Context, opts Options, r request) (*reply, error) {
	set := opts.Settings
	req := llm.Request{Params: llm.Params{
		Temperature: set.Temperature, TopP: set.TopP, MaxTokens: set.MaxTokens,
		Stop: r.t.stop, N: len(r.indexes),
	}}
	if set.Seed != nil {
		// Each request's seed is the run's plus its first sample's index,
		// so that the requests of a task differ and a resumed run asks
		// for the same samples with the same seeds.
		s := *set.Seed + int64(r.indexes[0])
		req.Seed = &s
	}
	if r.t.prompt.Messages != nil {
		for _, m := range r.t.prompt.Messages {
			req.Messages = append(req.Messages, llm.Message{Role: m.Role, Content: m.Content})
		}
	} else {
		req.Prompt = r.t.prompt.Text
	}
	resp, err := opts.Client.Generate(ctx, req)
	if err != nil {
		return nil, err
	}
	prog := opts.Progress
	prog.Requests.Add(1)
	prog.PromptTokens.Add(int64(resp.Usage.PromptTokens))
	prog.CompletionTokens.Add(int64(resp.Usage.CompletionTokens))
	choices := resp.Choices
	if len(choices) > len(r.indexes) {
		choices = choices[:len(r.indexes)]
	}
	a := &reply{answered: answered{t: r.t}, usage: resp.Usage}
	usage := resp.Usage
	hash := r.t.prompt.SHA256()
	for i, ch := range choices {
		// Servers that do not honour stop sequences (or return them)
		// are cut as one that does would have.
		text := family.CutAtStop(ch.Text, r.t.stop)
		s := opts.Family.Extract(r.t.p, set.Style, text)
		l := &Line{
			TaskID: r.t.p.TaskID, Index: r.indexes[i], Raw: ch.Text, FinishReason: ch.FinishReason,
			PromptSHA256: hash, Generation: set, Usage: &usage,
		}
		code := s.Code
		if s.Completion {
			l.Completion = &code
		} else {
			l.Solution = &code
		}
		if opts.FamilyOptions.Language != "" && opts.FamilyOptions.Language != opts.Benchmark.Config.Language {
			l.Language = opts.FamilyOptions.Language
		}
		a.lines = append(a.lines, l)
		a.samples = append(a.samples, &benchmarks.Sample{TaskID: l.TaskID, Index: l.Index, Code: code, Completion: s.Completion, Language: l.Language})
	}
	return a, nil
}

// sample is the sample a line of the file is, as scalebox eval reads it.
func (l *Line) sample(p *benchmarks.Problem) *benchmarks.Sample {
	s := &benchmarks.Sample{TaskID: l.TaskID, Index: l.Index, Language: l.Language}
	if l.Completion != nil {
		s.Code, s.Completion = benchmarks.ExtractCode(*l.Completion, s.Language), true
	} else if l.Solution != nil {
		s.Code = benchmarks.ExtractCode(*l.Solution, s.Language)
	}
	return s
}

// writer owns the samples file.
type writer struct {
	f    *os.File
	opts Options
	res  *Result
	line int
}

// run writes the answers as they come, sanitizing those that wait
// together, until in is closed.
func (w *writer) run(ctx context.Context, in <-chan answered) error {
	var failed error
	for a := range in {
		batch := []answered{a}
	drain:
		for {
			select {
			case b, ok := <-in:
				if !ok {
					break drain
				}
				batch = append(batch, b)
			default:
				break drain
			}
		}
		if failed != nil {
			continue // keep draining so that senders never block
		}
		if err := w.write(ctx, batch); err != nil {
			failed = err
		}
	}
	return failed
}

func (w *writer) write(ctx context.Context, batch []answered) error {
	if w.opts.Sanitize != nil && w.opts.Settings.Sanitize {
		var all []*benchmarks.Sample
		for _, a := range batch {
			all = append(all, a.samples...)
		}
		if err := w.opts.Sanitize(context.WithoutCancel(ctx), all); err != nil {
			w.opts.Logger.Warn("sanitizer failed; the samples are kept as extracted", "err", err)
		}
		for _, a := range batch {
			for i, s := range a.samples {
				code := s.Code
				if s.Completion {
					a.lines[i].Completion, a.lines[i].Solution = &code, nil
				} else {
					a.lines[i].Solution, a.lines[i].Completion = &code, nil
				}
			}
		}
	}
	var buf []byte
	for _, a := range batch {
		for _, l := range a.lines {
			b, err := json.Marshal(l)
			if err != nil {
				return err
			}
			buf = append(append(buf, b...), '\n')
		}
	}
	if _, err := w.f.Write(buf); err != nil {
		return fmt.Errorf("write %s: %w", w.opts.Out, err)
	}
	for _, a := range batch {
		for _, l := range a.lines {
			w.line++
			w.opts.Progress.Done.Add(1)
			if w.opts.Emit != nil {
				s := l.sample(a.t.p)
				s.Line = w.line
				w.opts.Emit(s)
			}
		}
	}
	return nil
}
