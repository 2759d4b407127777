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
	f.IntVarP(&o.jobs, "jobs", "j", runtime.NumCPU(), "sandboxed processes at once")
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
	log := o.g.logger()
	reg := &benchmarks.Registry{Dirs: benchDirs(o.g)}
	cfg, err := reg.Load(o.bench)
	if err != nil {
		return err
	}
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
	if err := cfg.Validate(); err != nil {
		return err
	}
	bench, err := benchmarks.Load(cfg, o.data)
	if err != nil {
		return err
	}
	samples, samplesPath, samplesHash, err := readSamplesFor(cfg, o.samples)
	if err != nil {
		return err
	}

	sb, err := runner.NewSandbox(o.sandbox, sandboxOptions(o.g))
	if err != nil {
		return err
	}
	defer sb.Close()
	desc := sb.Describe()
	for _, w := range desc.Warnings {
		fmt.Fprintf(deps.Stderr, "warning: %s\n", w)
	}
	langs, err := runner.DefaultLanguages()
	if err != nil {
		return err
	}
	uid, gid := sb.HostIDs()
	builder, err := runner.NewBuilder(sb, uid, gid)
	if err != nil {
		return err
	}
	defer builder.Close()

	opts := eval.Options{
		Benchmark: bench,
		Samples:   samples,
		Sandbox:   sb,
		Resolver:  runner.NewResolver(langs, sb.Visible),
		Builder:   builder,
		Jobs:      o.jobs,
		EarlyStop: !o.allTests && cfg.Eval.EarlyStop == benchmarks.EarlyStopFirstFailure,
		Retries:   o.retries,
		Logger:    log,
	}
	if bench.NeedsReference() {
		if !o.g.quiet {
			fmt.Fprintf(deps.Stderr, "computing the reference outputs of %s (once per dataset; cached in %s)...\n", cfg.Name, eval.ReferenceCacheDir())
		}
		ref, err := eval.PrepareReference(ctx, opts, eval.ReferenceCacheDir())
		if err != nil {
			return err
		}
		if !ref.Cached && !o.g.quiet {
			fmt.Fprintf(deps.Stderr, "reference outputs computed in %s\n", ref.Elapsed.Round(time.Millisecond))
		}
		for _, f := range ref.Failures {
			fmt.Fprintf(deps.Stderr, "warning: the reference solution fails on %s; that input is not judged\n", f)
		}
	}
	for _, w := range bench.Warnings {
		fmt.Fprintf(deps.Stderr, "warning: %s\n", w)
	}
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
