package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
	"github.com/scalebox-dev/scalebox/benchmarks/registry"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/generate"
	"github.com/scalebox-dev/scalebox/internal/llm"
	"github.com/scalebox-dev/scalebox/internal/progress"
	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/runner"
)

// genFlags are the flags that say how to sample a model: scalebox
// generate's, and scalebox eval's when it generates its samples. Each
// overrides the benchmark file's [generation] key, which overrides the
// prompt style's default (its reference harness's).
type genFlags struct {
	url, model, api, prompt, language, fewShot, apiKeyEnv string
	n, maxTokens, concurrency, llmRetries, limit          int
	temperature, topP                                     float64
	seed                                                  int64
	stop                                                  []string
	requestTimeout                                        time.Duration
	// sanitize is bound by the command (eval has its own --sanitize).
	sanitize bool
}

func (o *genFlags) add(f *pflag.FlagSet) {
	f.StringVar(&o.url, "llm-url", "", "OpenAI-compatible API base to sample (e.g. http://localhost:8000/v1)")
	f.StringVar(&o.model, "model", "", "model name sent to the endpoint")
	f.StringVar(&o.api, "api", "", "chat or completions (default: the prompt style's)")
	f.StringVar(&o.prompt, "prompt", "", "prompt style: instruct, base or a style's name (--list-prompts; default instruct, or base with --api completions)")
	f.IntVarP(&o.n, "samples-per-task", "n", 1, "samples per problem")
	f.Float64Var(&o.temperature, "temperature", 0, "sampling temperature (default: the prompt style's reference harness's)")
	f.Float64Var(&o.topP, "top-p", 0, "nucleus sampling top_p (default: the prompt style's; 0 leaves it to the server)")
	f.IntVar(&o.maxTokens, "max-tokens", 0, "most tokens per answer (default: the prompt style's)")
	f.Int64Var(&o.seed, "seed", 0, "sampling seed (request k of a problem sends seed + its first sample's index)")
	f.StringArrayVar(&o.stop, "stop", nil, "a stop sequence, added to the prompt style's (repeatable)")
	f.IntVar(&o.concurrency, "concurrency", 64, "requests in flight at once")
	f.DurationVar(&o.requestTimeout, "request-timeout", 10*time.Minute, "time limit of one request")
	f.IntVar(&o.llmRetries, "llm-retries", 5, "retries of a request after a network error, a timeout, 429 or 5xx (with backoff)")
	f.StringVar(&o.apiKeyEnv, "api-key-env", "OPENAI_API_KEY", "environment variable holding the API key (never logged; empty: none)")
	f.StringVar(&o.language, "language", "", "language the model writes in, for benchmarks of stdin programs (CodeContests, Code Jam): python3, cpp, java, ...")
	f.StringVar(&o.fewShot, "few-shot", "", "folder of lcb_runner's few-shot examples (func.json, stdin.json), for LiveCodeBench's base prompt")
	f.IntVar(&o.limit, "limit", 0, "sample only the first N problems")
}

// genPlan is a resolved generation: the options of generate.Run but for
// the output file and the hooks.
type genPlan struct {
	entry     registry.Entry
	style     family.Style
	opts      generate.Options
	apiKeyEnv string
}

// resolve merges the flags the user set, the benchmark's [generation]
// section and the prompt style's defaults. sanitizeSet says whether the
// command's --sanitize was given.
func (o *genFlags) resolve(c *cobra.Command, g *globalOptions, bench *benchmarks.Benchmark, sanitizeSet bool) (*genPlan, error) {
	changed := c.Flags().Changed
	gc := bench.Config.Generation
	if gc == nil {
		gc = &benchmarks.GenerationConfig{}
	}
	pick := func(flag, flagVal, cfgVal string) string {
		if changed(flag) || cfgVal == "" {
			return flagVal
		}
		return cfgVal
	}
	u := pick("llm-url", o.url, gc.URL)
	model := pick("model", o.model, gc.Model)
	if u == "" {
		return nil, usageError("--llm-url is required (or url in the benchmark's [generation] section)")
	}
	if pu, err := url.Parse(u); err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, usageError("--llm-url %q is not an http(s) URL such as http://localhost:8000/v1", u)
	}
	if model == "" {
		return nil, usageError("--model is required (or model in the benchmark's [generation] section)")
	}
	entry, err := registry.For(bench)
	if err != nil {
		return nil, err
	}
	api := pick("api", o.api, gc.API)
	if api != "" && api != llm.APIChat && api != llm.APICompletions {
		return nil, usageError("--api must be chat or completions, not %q", api)
	}
	style, err := family.Resolve(entry.Family, pick("prompt", o.prompt, gc.Prompt), api)
	if err != nil {
		return nil, usageError("%v", err)
	}
	set := generate.Settings{
		Model: model, API: style.API, Family: entry.Name, Style: style.Name, Source: style.Source,
		Temperature: style.Defaults.Temperature, TopP: style.Defaults.TopP, MaxTokens: style.Defaults.MaxTokens,
		N: 1, Sanitize: style.Sanitize,
	}
	if gc.Temperature != nil {
		set.Temperature = *gc.Temperature
	}
	if changed("temperature") {
		set.Temperature = o.temperature
	}
	if gc.TopP != nil {
		set.TopP = *gc.TopP
	}
	if changed("top-p") {
		set.TopP = o.topP
	}
	if gc.MaxTokens > 0 {
		set.MaxTokens = gc.MaxTokens
	}
	if changed("max-tokens") {
		set.MaxTokens = o.maxTokens
	}
	set.Seed = gc.Seed
	if changed("seed") {
		s := o.seed
		set.Seed = &s
	}
	set.Stop = gc.Stop
	if changed("stop") {
		set.Stop = o.stop
	}
	if gc.N > 0 {
		set.N = gc.N
	}
	if changed("samples-per-task") {
		set.N = o.n
	}
	if gc.Sanitize != nil {
		set.Sanitize = *gc.Sanitize
	}
	if sanitizeSet {
		set.Sanitize = o.sanitize
	}
	switch {
	case set.N < 1:
		return nil, usageError("-n must be at least 1")
	case set.Temperature < 0 || set.TopP < 0 || set.TopP > 1 || set.MaxTokens < 0:
		return nil, usageError("--temperature must not be negative, --top-p must be in [0, 1] and --max-tokens must not be negative")
	}
	set.Language = pick("language", o.language, gc.Language)
	if set.Language != "" {
		if !slices.Contains([]string{"codecontests", "kattis", "scalebox"}, entry.Name) {
			return nil, usageError("--language applies to benchmarks of stdin programs (CodeContests, Code Jam), not %s, whose language is set by its data", bench.Config.Name)
		}
		langs, err := runner.DefaultLanguages()
		if err != nil {
			return nil, err
		}
		if _, ok := langs[set.Language]; !ok {
			return nil, usageError("--language %q is unknown (known: %s)", set.Language, strings.Join(sortedKeys(langs), ", "))
		}
	}
	fewShot := o.fewShot
	if !changed("few-shot") && gc.FewShot != "" {
		fewShot = bench.Config.Path(gc.FewShot)
	}
	concurrency := o.concurrency
	if !changed("concurrency") && gc.Concurrency > 0 {
		concurrency = gc.Concurrency
	}
	timeout := o.requestTimeout
	if !changed("request-timeout") && gc.RequestTimeout > 0 {
		timeout = gc.RequestTimeout.Std()
	}
	retries := o.llmRetries
	if !changed("llm-retries") && gc.Retries != nil {
		retries = *gc.Retries
	}
	if concurrency < 1 || retries < 0 || timeout <= 0 || o.limit < 0 {
		return nil, usageError("--concurrency and --request-timeout must be positive, --llm-retries and --limit not negative")
	}
	keyEnv := pick("api-key-env", o.apiKeyEnv, gc.APIKeyEnv)
	client := &llm.Client{URL: u, Model: model, Timeout: timeout, Retries: retries, Backoff: 2 * time.Second}
	if keyEnv != "" {
		client.APIKey = g.deps.Getenv(keyEnv)
	}
	set.Endpoint = client.EndpointFor(set.API)
	problems := bench.Problems
	if o.limit > 0 && o.limit < len(problems) {
		problems = problems[:o.limit]
	}
	return &genPlan{entry: entry, style: style, apiKeyEnv: keyEnv, opts: generate.Options{
		Benchmark: bench, Family: entry.Family, Settings: set, Client: client, Concurrency: concurrency,
		FamilyOptions: family.Options{Language: set.Language, FewShotDir: fewShot},
		Problems:      problems, Logger: g.logger(),
	}}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// preflight asks the endpoint for its models, so that a wrong URL, key or
// model is a clear error before any work. A server without the models
// route is let through.
func (p *genPlan) preflight(ctx context.Context) error {
	c := p.opts.Client
	models, err := c.Models(ctx)
	var he *llm.HTTPError
	switch {
	case errors.As(err, &he) && (he.Status == 401 || he.Status == 403):
		how := "set it in $" + p.apiKeyEnv
		if p.apiKeyEnv == "" {
			how = "name the variable holding it with --api-key-env"
		} else if c.APIKey == "" {
			how = "$" + p.apiKeyEnv + " is empty"
		}
		return fmt.Errorf("the endpoint %s refused the API key (HTTP %d): %s", c.URL, he.Status, how)
	case errors.As(err, &he):
		return nil
	case err != nil:
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("cannot reach the LLM endpoint %s (is the server running, and is this its API base?): %w", c.URL, err)
	}
	if len(models) > 0 && !slices.Contains(models, c.Model) {
		shown := models
		if len(shown) > 10 {
			shown = append(shown[:10:10], "…")
		}
		return fmt.Errorf("model %q is not served at %s (it serves: %s)", c.Model, c.URL, strings.Join(shown, ", "))
	}
	return nil
}

// sanitizer returns the hook that runs evalplus's sanitizer on generated
// samples in env's sandbox.
func sanitizer(env *runEnv, jobs int) func(context.Context, []*benchmarks.Sample) error {
	opts := env.options(nil, jobs, false, 1)
	return func(ctx context.Context, samples []*benchmarks.Sample) error {
		_, err := eval.Sanitize(ctx, opts, samples)
		return err
	}
}

// reportGeneration is the report's record of a generation.
func reportGeneration(p *genPlan, path string, res *generate.Result, prog *generate.Progress) *report.Generation {
	s := p.opts.Settings
	rg := &report.Generation{
		Model: s.Model, Endpoint: s.Endpoint, API: s.API, Family: s.Family, PromptStyle: s.Style, PromptSource: s.Source,
		Language: s.Language, Temperature: s.Temperature, TopP: s.TopP, MaxTokens: s.MaxTokens, Seed: s.Seed, Stop: s.Stop,
		N: s.N, Sanitize: s.Sanitize, SamplesPath: path,
	}
	if res != nil {
		rg.FailedRequests = len(res.Failed)
		wall := res.Wall.Seconds()
		rg.Usage = &report.GenerationUsage{
			Resumed: res.Resumed, Generated: res.Samples - res.Resumed,
			PromptTokens: res.Usage.PromptTokens, CompletionTokens: res.Usage.CompletionTokens,
			Requests: int(prog.Requests.Load()), Retries: int(prog.Retries.Load()), WallSeconds: round3(wall),
		}
		if wall > 0 {
			rg.Usage.TokensPerSecond = round3(float64(res.Usage.CompletionTokens) / wall)
		}
	}
	return rg
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

type generateOptions struct {
	g *globalOptions
	genFlags

	bench, data, out, sandbox   string
	resume, listPrompts         bool
	release, startDate, endDate string
	jobs                        int
}

// NewGenerateCmd returns `scalebox generate`. runF replaces the run in
// tests.
func NewGenerateCmd(g *globalOptions, runF func(context.Context, *generateOptions) error) *cobra.Command {
	o := &generateOptions{g: g}
	c := &cobra.Command{
		Use:   "generate --bench NAME --llm-url URL --model M --out SAMPLES.jsonl",
		Short: "Sample a model on a benchmark with the benchmark's own prompts",
		Long: `Sample a model through an OpenAI-compatible endpoint (vLLM, SGLang, llama.cpp,
a hosted API) on every problem of a benchmark and write the samples file
scalebox eval reads. Each problem is prompted as the benchmark's reference
harness prompts it (evalplus, lcb_runner, DeepSeek-Coder, MultiPL-E: see
--list-prompts and docs/generate.md), base models with a completion of the
problem's code (--prompt base), instruct models with a chat message
(--prompt instruct), and the code is read out of each answer by that
harness's rules. Each line records the model, endpoint, prompt style,
sampling settings and the prompt's sha256.

The file is written as answers arrive: an interrupted run continues with
--resume and never asks again for a sample the file holds. Requests are
retried with backoff after network errors, timeouts, 429 and 5xx; an API
error is never saved as a sample. The API key is read from the environment
variable --api-key-env names, and never logged.`,
		Example: `  scalebox generate --bench humanevalplus --llm-url http://localhost:8000/v1 \
      --model Qwen/Qwen2.5-Coder-7B-Instruct -n 10 --temperature 0.8 --out he.jsonl
  scalebox generate --bench humanevalplus --llm-url http://localhost:8000/v1 \
      --model Qwen/Qwen2.5-Coder-7B --prompt base --out he-base.jsonl
  scalebox generate --bench livecodebench --data code_generation_lite/ --release v5 \
      --llm-url https://api.openai.com/v1 --model gpt-4o-mini --out lcb.jsonl
  scalebox generate --bench livecodebench --list-prompts
  scalebox generate ... --out he.jsonl --resume        # after a crash or Ctrl-C`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.jobs = g.v.GetInt("jobs")
			o.sandbox = g.v.GetString("sandbox")
			if o.bench == "" {
				return usageError("--bench is required (see `scalebox bench list`)")
			}
			if !o.listPrompts && o.out == "" {
				return usageError("--out is required: the samples file to write")
			}
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runGenerate(c, o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.bench, "bench", "b", "", "benchmark name or TOML file")
	f.StringVar(&o.data, "data", "", "benchmark data file or folder (overrides the configured path)")
	f.StringVarP(&o.out, "out", "o", "", "samples file to write (JSONL)")
	f.BoolVar(&o.resume, "resume", false, "continue the samples file of an interrupted run")
	f.BoolVar(&o.listPrompts, "list-prompts", false, "list the benchmark's prompt styles and their sources, and exit")
	f.BoolVar(&o.sanitize, "sanitize", false, "run evalplus's sanitizer on the answers (default: when the prompt style's harness does; needs the sandbox)")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, "sandbox backend of the sanitizer: auto, bwrap, nsjail, or none")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "sandboxed processes at once (the sanitizer)")
	f.StringVar(&o.release, "release", "", "LiveCodeBench release: v1 … v6 or latest")
	f.StringVar(&o.startDate, "start-date", "", "LiveCodeBench: problems whose contest_date is on or after this date (YYYY-MM-DD)")
	f.StringVar(&o.endDate, "end-date", "", "LiveCodeBench: problems whose contest_date is at most this date (YYYY-MM-DD)")
	o.genFlags.add(f)
	return c
}

func runGenerate(c *cobra.Command, o *generateOptions) error {
	ctx := c.Context()
	g, deps := o.g, o.g.deps
	if o.listPrompts {
		cfg, err := (&benchmarks.Registry{Dirs: benchDirs(g)}).Load(o.bench)
		if err != nil {
			return err
		}
		return listPrompts(deps.Stdout, cfg.Format)
	}
	bench, err := loadBenchmark(g, o.bench, o.data, func(cfg *benchmarks.Config) error {
		if err := cfg.SetLiveCodeBench(o.release, o.startDate, o.endDate); err != nil {
			return usageError("--release, --start-date, --end-date: %v", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	plan, err := o.resolve(c, g, bench, c.Flags().Changed("sanitize"))
	if err != nil {
		return err
	}
	if err := plan.preflight(ctx); err != nil {
		return err
	}
	opts := plan.opts
	opts.Out, opts.Resume = o.out, o.resume
	if opts.Settings.Sanitize {
		env, err := startSandbox(g, o.sandbox)
		if err != nil {
			return fmt.Errorf("the sanitizer needs the sandbox (or give --sanitize=false): %w", err)
		}
		defer env.Close()
		env.bench = bench
		opts.Sanitize = sanitizer(env, o.jobs)
	}
	prog := &generate.Progress{}
	opts.Progress = prog
	if !g.quiet {
		fmt.Fprintf(deps.Stderr, "generate: %d problems of %s × %d samples, prompt %s, model %s at %s\n",
			len(opts.Problems), bench.Config.Name, opts.Settings.N, opts.Settings.Style, opts.Settings.Model, opts.Settings.Endpoint)
	}
	var bar *progress.Generation
	if deps.StderrIsTerminal && !g.quiet {
		bar = progress.NewGeneration(deps.Stderr, prog)
	}
	res, err := generate.Run(ctx, opts)
	if bar != nil {
		bar.Stop()
	}
	if res == nil {
		return err
	}
	fmt.Fprintf(deps.Stdout, "%s: %d samples (%d new, %d resumed) of %d problems; %d prompt and %d completion tokens, %.0f tokens/s\n",
		o.out, res.Samples, res.Samples-res.Resumed, res.Resumed, len(opts.Problems),
		res.Usage.PromptTokens, res.Usage.CompletionTokens, prog.TokensPerSecond())
	for _, f := range res.Failed {
		fmt.Fprintf(deps.Stderr, "warning: %s, samples %v: %v\n", f.TaskID, f.Indexes, f.Err)
	}
	switch {
	case res.Interrupted:
		return withCode(ExitInterrupted, fmt.Errorf("interrupted; continue with the same command and --resume"))
	case err != nil:
		return fmt.Errorf("%w (the samples written so far are in %s; continue with --resume)", err, o.out)
	case len(res.Failed) > 0:
		return fmt.Errorf("%d requests failed after their retries; their samples are missing from %s: rerun with --resume to ask for them again", len(res.Failed), o.out)
	}
	return nil
}

// listPrompts prints the prompt styles of a benchmark format.
func listPrompts(w io.Writer, format string) error {
	entry, err := registry.ForFormat(format)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "STYLE\tMODELS\tAPI\tDEFAULTS\tPROMPT\n")
	for i, s := range entry.Family.Styles() {
		kind := "instruct"
		if s.Base {
			kind = "base"
		}
		def := fmt.Sprintf("temperature %g", s.Defaults.Temperature)
		if s.Defaults.TopP > 0 {
			def += fmt.Sprintf(", top_p %g", s.Defaults.TopP)
		}
		if s.Defaults.MaxTokens > 0 {
			def += fmt.Sprintf(", max_tokens %d", s.Defaults.MaxTokens)
		}
		name := s.Name
		if i == 0 {
			name += " (default)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", name, kind, s.API, def, s.Doc)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nSources (%s family):\n", entry.Name)
	for _, s := range entry.Family.Styles() {
		src := s.Source
		if src == "" {
			src = "scalebox's own (no reference harness)"
		}
		fmt.Fprintf(w, "  %s: %s\n", s.Name, src)
	}
	return nil
}
