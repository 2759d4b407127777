package cmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/internal/buildinfo"
	"github.com/scalebox-dev/scalebox/internal/progress"
	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/runner"
)

type evalOptions struct {
	g *globalOptions

	bench    string
	samples  string
	data     string
	out      string
	jobs     int
	allTests bool
	sandbox  string
	retries  int
	json     bool
	details  bool
	cpuTime  time.Duration
	memory   string
}

// NewEvalCmd returns `scalebox eval`. runF replaces the run in tests.
func NewEvalCmd(g *globalOptions, runF func(context.Context, *evalOptions) error) *cobra.Command {
	o := &evalOptions{g: g}
	c := &cobra.Command{
		Use:   "eval --bench NAME|FILE.toml [--samples FILE.jsonl] [--out REPORT.json]",
		Short: "Run and judge every sample of a benchmark",
		Long: `Run every test case of every sample in the sandbox, concurrently, judge each,
print a summary and write the report.

Samples are JSONL, one per line: {"task_id": ..., "solution": "<program>"} or
{"task_id": ..., "completion": "<code appended to the prompt>"}; code in
markdown fences is extracted. Several lines with one task_id are several
samples. The demo benchmark ships its own samples.`,
		Example: `  scalebox eval --bench demo
  scalebox eval --bench demo --out report.json --all-tests -j 8
  scalebox eval --bench my-bench.toml --samples outputs.jsonl --out report.json --json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.jobs = g.v.GetInt("jobs")
			o.sandbox = g.v.GetString("sandbox")
			o.retries = g.v.GetInt("retries")
			if o.bench == "" {
				return usageError("--bench is required (see `scalebox bench list`)")
			}
			if o.jobs < 0 {
				return usageError("--jobs must be positive")
			}
			if o.retries < 0 {
				return usageError("--retries must not be negative")
			}
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runEval(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.bench, "bench", "b", "", "benchmark name or TOML file")
	f.StringVarP(&o.samples, "samples", "s", "", "samples JSONL file (default: the benchmark's own samples, if any)")
	f.StringVar(&o.data, "data", "", "benchmark data file or folder (overrides the configured path)")
	f.StringVarP(&o.out, "out", "o", "", "write the JSON report here")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "sandboxed processes at once")
	f.BoolVar(&o.allTests, "all-tests", false, "run every test even after a failure (partial credit)")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, "sandbox backend: auto, bwrap, nsjail, or none (no isolation)")
	f.IntVar(&o.retries, "retries", 2, "retries of a run after a system error")
	f.BoolVar(&o.json, "json", false, "print the summary as JSON on stdout")
	f.BoolVar(&o.details, "details", false, "print one line per sample (default when there are at most 60)")
	f.DurationVar(&o.cpuTime, "cpu-time", 0, "override the benchmark's CPU time limit per test")
	f.StringVar(&o.memory, "memory", "", "override the benchmark's memory limit per test (e.g. 512MiB)")
	return c
}

func runEval(ctx context.Context, o *evalOptions) error {
	deps := o.g.deps
	env, err := prepareRun(ctx, o.g, o.bench, o.data, o.sandbox, func(cfg *benchmarks.Config) error {
		if o.cpuTime > 0 {
			cfg.Limits.CPUTime = benchmarks.Duration(o.cpuTime)
		}
		if o.memory != "" {
			m, err := benchmarks.ParseByteSize(o.memory)
			if err != nil {
				return usageError("--memory: %v", err)
			}
			cfg.Limits.Memory = m
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer env.Close()
	cfg := env.bench.Config
	samples, samplesPath, samplesHash, err := readSamplesFor(cfg, o.samples)
	if err != nil {
		return err
	}
	opts := env.options(samples, o.jobs, !o.allTests && cfg.Eval.EarlyStop == benchmarks.EarlyStopFirstFailure, o.retries)
	if _, err := env.prepareReference(ctx, opts); err != nil {
		return err
	}
	desc, builder := env.desc, env.builder
	var bar *progress.Bar
	if deps.StderrIsTerminal && !o.g.quiet {
		bar = progress.New(deps.Stderr)
		opts.Observer = bar
	}
	res, err := eval.Run(ctx, opts)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	rep := eval.BuildReport(res, opts, eval.ReportInfo{
		Tool:          report.Tool{Name: "scalebox", Version: buildinfo.Version(), Commit: buildinfo.Commit()},
		SamplesPath:   samplesPath,
		SamplesSHA256: samplesHash,
		Sandbox:       desc,
		Compile:       builder.Limits,
		Warnings:      desc.Warnings,
		Jobs:          o.jobs,
		Compiles:      builder.Compiles(),
	})
	for _, u := range rep.UnknownSamples {
		fmt.Fprintf(deps.Stderr, "warning: %s:%d: task_id %q is not in benchmark %s\n", samplesPath, u.Line, u.TaskID, cfg.Name)
	}
	if o.out != "" {
		if err := rep.WriteFile(o.out); err != nil {
			return err
		}
	}
	if o.json {
		enc := json.NewEncoder(deps.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep.Summary); err != nil {
			return err
		}
	} else {
		details := o.details || rep.Summary.Samples <= 60
		if err := rep.WriteText(deps.Stdout, details); err != nil {
			return err
		}
		if o.out != "" {
			fmt.Fprintf(deps.Stdout, "\nreport: %s\n", o.out)
		}
	}
	switch {
	case res.Interrupted:
		return withCode(ExitInterrupted, errors.New("interrupted; the report holds what finished"))
	case rep.Summary.SystemErrors > 0:
		return withCode(ExitSystemErrors, fmt.Errorf("%d samples ended in system errors", rep.Summary.SystemErrors))
	}
	return nil
}

// defaultJobs is the default parallelism: one sandboxed process per CPU.
func defaultJobs() int { return runtime.NumCPU() }

// readSamplesFor reads the samples file, or the benchmark's own samples.
func readSamplesFor(cfg *benchmarks.Config, path string) ([]*benchmarks.Sample, string, string, error) {
	var data []byte
	var shown string
	var err error
	if path == "" {
		if cfg.Data.Samples == "" {
			return nil, "", "", usageError("--samples is required: benchmark %s has no samples of its own", cfg.Name)
		}
		data, shown, err = cfg.ReadSamplesData()
	} else {
		shown = path
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, "", "", fmt.Errorf("read samples: %w", err)
	}
	samples, err := benchmarks.ReadSamples(bytes.NewReader(data), shown)
	if err != nil {
		return nil, "", "", err
	}
	if len(samples) == 0 {
		return nil, "", "", fmt.Errorf("%s: no samples", shown)
	}
	sum := sha256.Sum256(data)
	return samples, shown, hex.EncodeToString(sum[:]), nil
}

// runEnv is what eval and validate share: the loaded benchmark and a
// ready sandbox, resolver and builder. Close releases them.
type runEnv struct {
	g       *globalOptions
	bench   *benchmarks.Benchmark
	sb      runner.ClosableSandbox
	desc    runner.Description
	res     *runner.Resolver
	builder *runner.Builder
}

// prepareRun loads a benchmark (adjust, when set, changes its configuration
// before it is validated) and starts the sandbox.
func prepareRun(_ context.Context, g *globalOptions, name, data, backend string, adjust ...func(*benchmarks.Config) error) (*runEnv, error) {
	reg := &benchmarks.Registry{Dirs: benchDirs(g)}
	cfg, err := reg.Load(name)
	if err != nil {
		return nil, err
	}
	for _, a := range adjust {
		if err := a(cfg); err != nil {
			return nil, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	bench, err := benchmarks.Load(cfg, data)
	if err != nil {
		return nil, err
	}
	for _, w := range bench.Warnings {
		fmt.Fprintf(g.deps.Stderr, "warning: %s\n", w)
	}
	sb, err := runner.NewSandbox(backend, sandboxOptions(g))
	if err != nil {
		return nil, err
	}
	env := &runEnv{g: g, bench: bench, sb: sb, desc: sb.Describe()}
	for _, w := range env.desc.Warnings {
		fmt.Fprintf(g.deps.Stderr, "warning: %s\n", w)
	}
	langs, err := runner.DefaultLanguages()
	if err != nil {
		sb.Close()
		return nil, err
	}
	env.res = runner.NewResolver(langs, sb.Visible)
	uid, gid := sb.HostIDs()
	if env.builder, err = runner.NewBuilder(sb, uid, gid); err != nil {
		sb.Close()
		return nil, err
	}
	return env, nil
}

func (e *runEnv) Close() {
	e.builder.Close()
	e.sb.Close()
}

func (e *runEnv) options(samples []*benchmarks.Sample, jobs int, earlyStop bool, retries int) eval.Options {
	return eval.Options{
		Benchmark: e.bench,
		Samples:   samples,
		Sandbox:   e.sb,
		Resolver:  e.res,
		Builder:   e.builder,
		Jobs:      jobs,
		EarlyStop: earlyStop,
		Retries:   retries,
		Logger:    e.g.logger(),
	}
}

// prepareReference computes or loads the reference outputs a function
// benchmark needs, saying so on stderr.
func (e *runEnv) prepareReference(ctx context.Context, opts eval.Options) (*eval.ReferenceInfo, error) {
	if !e.bench.NeedsReference() {
		return nil, nil
	}
	stderr := e.g.deps.Stderr
	dir := eval.ReferenceCacheDir()
	if !e.g.quiet {
		fmt.Fprintf(stderr, "preparing the reference outputs of %s (computed once per dataset, cached in %s)...\n", e.bench.Config.Name, dir)
	}
	ref, err := eval.PrepareReference(ctx, opts, dir)
	if err != nil {
		return nil, err
	}
	if !ref.Cached && !e.g.quiet {
		fmt.Fprintf(stderr, "reference outputs computed in %s\n", ref.Elapsed.Round(time.Millisecond))
	}
	for _, f := range ref.Failures {
		fmt.Fprintf(stderr, "warning: the reference solution fails on %s; that input is not judged\n", f)
	}
	return ref, nil
}

func sandboxOptions(g *globalOptions) runner.Options {
	return runner.Options{HostUID: g.v.GetInt("sandbox_uid"), HostGID: g.v.GetInt("sandbox_gid"), Logger: g.logger()}
}

// benchDirs are the directories user benchmark files are read from.
func benchDirs(g *globalOptions) []string {
	if d := g.v.GetString("benchmarks_dir"); d != "" {
		return []string{d}
	}
	if d := g.configDir(); d != "" {
		return []string{d + "/benchmarks"}
	}
	return nil
}
