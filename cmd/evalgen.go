package cmd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/generate"
	"github.com/scalebox-dev/scalebox/report"
)

// evalGeneration is scalebox eval generating its own samples: generate.Run
// writes them to path and hands each to the evaluation as it arrives.
type evalGeneration struct {
	plan *genPlan
	path string
	// hash identifies the generation's settings (the journal's samples
	// sha256 until the file is complete).
	hash     string
	progress *generate.Progress
	resume   bool

	done chan struct{}
	res  *generate.Result
	err  error
}

// prepareGeneration resolves how eval generates its samples and checks
// the endpoint.
func (o *evalOptions) prepareGeneration(ctx context.Context, env *runEnv) (*evalGeneration, error) {
	plan, err := o.gen.resolve(o.cmd, o.g, env.bench, o.cmd.Flags().Changed("sanitize"))
	if err != nil {
		return nil, err
	}
	path := o.generated
	if path == "" {
		if o.out == "" {
			return nil, usageError("give --out (the generated samples go next to the report) or --generated FILE")
		}
		path = strings.TrimSuffix(o.out, ".json") + ".samples.jsonl"
	}
	if err := plan.preflight(ctx); err != nil {
		return nil, err
	}
	// The journal resumes with the settings the generated file does: all
	// but n, which may grow.
	set := plan.opts.Settings
	set.N = 0
	id, _ := json.Marshal(set)
	sum := sha256.Sum256(id)
	if !o.g.quiet {
		s := plan.opts.Settings
		fmt.Fprintf(o.g.deps.Stderr, "generating %d samples per problem of %s (prompt %s, model %s at %s) into %s, judging each as it arrives\n",
			s.N, env.bench.Config.Name, s.Style, s.Model, s.Endpoint, path)
	}
	return &evalGeneration{plan: plan, path: path, hash: "generate:" + hex.EncodeToString(sum[:]), progress: &generate.Progress{}, resume: o.resume}, nil
}

// start runs the generation in the background and returns the channel its
// samples arrive on, closed when it ends.
func (e *evalGeneration) start(ctx context.Context, env *runEnv, evalOpts eval.Options) <-chan *benchmarks.Sample {
	feed := make(chan *benchmarks.Sample, 1024)
	opts := e.plan.opts
	opts.Out, opts.Resume, opts.Progress = e.path, e.resume, e.progress
	if opts.Settings.Sanitize {
		opts.Sanitize = func(ctx context.Context, samples []*benchmarks.Sample) error {
			_, err := eval.Sanitize(ctx, evalOpts, samples)
			return err
		}
	}
	opts.Emit = func(s *benchmarks.Sample) {
		select {
		case feed <- s:
		case <-ctx.Done():
		}
	}
	e.done = make(chan struct{})
	go func() {
		defer close(e.done)
		defer close(feed)
		e.res, e.err = generate.Run(ctx, opts)
	}()
	return feed
}

// wait waits for the generation to end.
func (e *evalGeneration) wait() { <-e.done }

// complete reports whether the generation (if any) produced every sample
// it was asked for. A nil e is complete.
func (e *evalGeneration) complete() bool {
	return e == nil || e.err == nil && e.res != nil && len(e.res.Failed) == 0
}

// failure explains an incomplete generation.
func (e *evalGeneration) failure() error {
	switch {
	case e.err != nil:
		return fmt.Errorf("generation stopped: %w", e.err)
	case e.res != nil && len(e.res.Failed) > 0:
		return fmt.Errorf("%d requests failed after their retries; their samples are missing", len(e.res.Failed))
	}
	return errors.New("generation incomplete")
}

// genFailures describes each failed request.
func genFailures(e *evalGeneration) []string {
	if e.res == nil {
		return nil
	}
	var out []string
	for _, f := range e.res.Failed {
		out = append(out, fmt.Sprintf("%s, samples %v: %v", f.TaskID, f.Indexes, f.Err))
	}
	return out
}

// generationOfFile returns the generation settings a samples file written
// by scalebox generate records, when every line records the same ones but
// for n, the largest of which is kept (nil otherwise).
func generationOfFile(path string) *report.Generation {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var first *generate.Settings
	firstJSON := ""
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<30)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var l struct {
			LLM *generate.Settings `json:"llm"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.LLM == nil || l.LLM.Model == "" {
			return nil
		}
		// A resumed run may have asked for more samples per problem.
		n := l.LLM.N
		l.LLM.N = 0
		b, _ := json.Marshal(l.LLM)
		l.LLM.N = n
		switch {
		case first == nil:
			first, firstJSON = l.LLM, string(b)
		case string(b) != firstJSON:
			return nil
		default:
			first.N = max(first.N, n)
		}
	}
	if first == nil || sc.Err() != nil {
		return nil
	}
	s := first
	return &report.Generation{
		Model: s.Model, Endpoint: s.Endpoint, API: s.API, Family: s.Family, PromptStyle: s.Style, PromptSource: s.Source,
		Language: s.Language, Temperature: s.Temperature, TopP: s.TopP, MaxTokens: s.MaxTokens, Seed: s.Seed, Stop: s.Stop,
		N: s.N, Sanitize: s.Sanitize, SamplesPath: path,
	}
}
