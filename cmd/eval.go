package cmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/cluster"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/internal/buildinfo"
	"github.com/scalebox-dev/scalebox/internal/progress"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
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
	// confirmTLE is --confirm-tle as given; confirmTLEMargin the fraction.
	confirmTLE       string
	confirmTLEMargin float64
	// loadAllowance is --load-allowance.
	loadAllowance float64
	json          bool
	details       bool
	cpuTime       time.Duration
	memory        string
	resume        bool
	from          string
	sanitize      bool
	// memoryShare is the share of the machine's memory the running
	// tests' memory limits may add up to; maxSERate the share of samples
	// that may end in system errors before the run fails.
	memoryShare float64
	maxSERate   float64
	// LiveCodeBench: release and contest window.
	release, startDate, endDate string
	// fromReport is the report --from-report reruns.
	fromReport *report.Report
	// gen says how to generate the samples (--llm-url, or the benchmark's
	// [generation] section); generated is where they go.
	gen       genFlags
	generated string
	cmd       *cobra.Command
	// remote lists serve nodes (or one nginx) that run the tests;
	// remoteTokenFile holds their bearer token.
	remote          []string
	remoteTokenFile string
	remoteStall     time.Duration
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
samples. The demo benchmark ships its own samples. A file that starts with
'[' is LiveCodeBench's output format: a list of {"question_id": ...,
"code_list": [...]}, each code a sample.

With --llm-url (or a benchmark file whose [generation] section names the
endpoint, and no --samples), eval samples the model itself, as scalebox
generate does (same flags: --model, --prompt, -n, --temperature, ...), and
judges each sample as soon as its answer arrives; the samples go to
--generated (default: next to --out), the report's "generation" section
records the settings, and --resume continues both the generation and the
evaluation.`,
		Example: `  scalebox eval --bench demo
  scalebox eval --bench demo --out report.json --all-tests -j 8
  scalebox eval --bench my-bench.toml --samples outputs.jsonl --out report.json --json
  scalebox eval --bench humanevalplus --samples s.jsonl --out r.json --resume   # after a crash
  scalebox eval --from-report r.json --out again.json                          # rerun exactly
  scalebox eval --bench livecodebench --data code_generation_lite/ --release v5 \
      --start-date 2024-08-01 --end-date 2025-02-01 --samples lcb_outputs.json
  scalebox eval --bench humanevalplus --llm-url http://localhost:8000/v1 \
      --model Qwen/Qwen2.5-Coder-7B-Instruct -n 10 --temperature 0.8 --out r.json
  scalebox eval --bench my-recipe.toml --out r.json      # with a [generation] section`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.cmd = c
			if o.gen.url != "" && o.samples != "" {
				return usageError("--samples judges a file and --llm-url generates the samples: give one (--generated names where generated samples go)")
			}
			if o.gen.url != "" && o.from != "" {
				return usageError("--from-report reruns the samples a report judged; it does not generate: drop --llm-url")
			}
			o.jobs = g.v.GetInt("jobs")
			o.sandbox = g.v.GetString("sandbox")
			o.retries = g.v.GetInt("retries")
			o.memoryShare = g.v.GetFloat64("memory_share")
			if o.memoryShare <= 0 || o.memoryShare > 1 {
				return usageError("--memory-share must be in (0, 1], not %v", o.memoryShare)
			}
			if o.maxSERate < 0 || o.maxSERate > 1 {
				return usageError("--max-se-rate must be in [0, 1], not %v", o.maxSERate)
			}
			if o.from != "" {
				if err := o.loadFromReport(c); err != nil {
					return err
				}
			}
			m, err := parseConfirmTLE(o.confirmTLE)
			if err != nil {
				return usageError("--confirm-tle: %v", err)
			}
			o.confirmTLEMargin = m
			if o.loadAllowance < 1 || o.loadAllowance > 100 {
				return usageError("--load-allowance must be between 1 (none) and 100, not %v", o.loadAllowance)
			}
			if o.resume && o.out == "" {
				return usageError("--resume needs --out: the journal lives next to the report")
			}
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
	f.StringVarP(&o.samples, "samples", "s", "", "samples file: JSONL, or LiveCodeBench's JSON list (default: the benchmark's own samples, if any)")
	f.StringVar(&o.data, "data", "", "benchmark data file or folder (overrides the configured path)")
	f.StringVarP(&o.out, "out", "o", "", "write the JSON report here")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "sandboxed processes at once")
	f.BoolVar(&o.allTests, "all-tests", false, "run every test even after a failure (partial credit)")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, sandboxHelp)
	f.IntVar(&o.retries, "retries", 2, "retries of a run after a system error")
	f.BoolVar(&o.json, "json", false, "print the summary as JSON on stdout")
	f.BoolVar(&o.details, "details", false, "print one line per sample (default when there are at most 60)")
	f.DurationVar(&o.cpuTime, "cpu-time", 0, "override the benchmark's CPU time limit per test (and problems' own limits)")
	f.StringVar(&o.memory, "memory", "", "override the benchmark's memory limit per test, e.g. 512MiB (and problems' own limits)")
	f.Float64Var(&o.memoryShare, "memory-share", 0.75, "the share of this machine's memory that the memory limits of the tests running at once may add up to")
	f.Float64Var(&o.maxSERate, "max-se-rate", 0, "the share of samples that may end in system errors (SE) and still exit 0; above it the run fails (exit 3)")
	f.BoolVar(&o.sanitize, "sanitize", false, "extract the entry point's code from chat answers (prose, fences, tests and prints dropped; imports and helpers kept), like evalplus's sanitizer")
	f.BoolVar(&o.resume, "resume", false, "continue an interrupted run: judge only the samples its journal (next to --out) lacks")
	f.StringVar(&o.from, "from-report", "", "rerun the evaluation a report records (benchmark, data, samples, configuration, limits)")
	f.StringVar(&o.confirmTLE, "confirm-tle", "on", "confirm each TLE by running the test again alone with its time limits extended: on (by 20%), off, or a margin such as 50%")
	f.Float64Var(&o.loadAllowance, "load-allowance", defaultLoadAllowance, "with --confirm-tle and other tests running beside it, a test may use this many times its time limits, judged against its own: a TLE stopped there is final (load cannot slow a program that much), one that stopped within it is confirmed alone; 1 confirms every TLE under load")
	f.StringVar(&o.release, "release", "", "LiveCodeBench release: v1 … v6 (the first N files of the --data folder) or latest")
	f.StringVar(&o.startDate, "start-date", "", "LiveCodeBench: keep problems whose contest_date is on or after this date (YYYY-MM-DD)")
	f.StringVar(&o.endDate, "end-date", "", "LiveCodeBench: keep problems whose contest_date is at most this date, 00:00 (YYYY-MM-DD), as lcb_runner")
	f.StringSliceVar(&o.remote, "remote", nil, "run the builds and tests on scalebox serve nodes: their URLs (comma-separated), or one nginx in front of them (docs/cluster.md); judging and the report stay here")
	f.StringVar(&o.remoteTokenFile, "remote-token-file", "", "file holding the bearer token the --remote nodes want")
	f.DurationVar(&o.remoteStall, "remote-stall-timeout", 2*time.Minute, "how long a --remote node may take to answer beyond its work's time limits before its tests move to other nodes")
	f.StringVar(&o.generated, "generated", "", "where generated samples go (default: next to --out, REPORT.samples.jsonl)")
	o.gen.add(f)
	return c
}

// loadFromReport fills the options from a report; flags given explicitly
// still win. The data and samples must be unchanged (checked by sha256).
func (o *evalOptions) loadFromReport(c *cobra.Command) error {
	rep, err := report.Read(o.from)
	if err != nil {
		return err
	}
	set := func(name string, apply func()) {
		if !c.Flags().Changed(name) {
			apply()
		}
	}
	bench := rep.Benchmark.Name
	if origin, ok := strings.CutPrefix(rep.Benchmark.Origin, "builtin+"); ok {
		bench = origin
	} else if rep.Benchmark.Origin != "builtin" && rep.Benchmark.Origin != "" {
		bench = rep.Benchmark.Origin
	}
	set("bench", func() { o.bench = bench })
	if !strings.HasPrefix(rep.Benchmark.DataPath, "embed:") {
		set("data", func() { o.data = rep.Benchmark.DataPath })
	}
	if !strings.HasPrefix(rep.Run.SamplesPath, "embed:") {
		set("samples", func() { o.samples = rep.Run.SamplesPath })
	}
	set("all-tests", func() { o.allTests = rep.Run.EarlyStop == benchmarks.EarlyStopNever })
	set("retries", func() { o.retries = rep.Run.Retries })
	set("load-allowance", func() {
		o.loadAllowance = 1
		if rep.Run.LoadAllowance > 1 {
			o.loadAllowance = rep.Run.LoadAllowance
		}
	})
	set("confirm-tle", func() {
		o.confirmTLE = "off"
		if rep.Run.ConfirmTLE > 0 {
			o.confirmTLE = strconv.FormatFloat(rep.Run.ConfirmTLE*100, 'f', -1, 64) + "%"
		}
	})
	if rep.Sandbox.Backend != "" {
		set("sandbox", func() { o.sandbox = rep.Sandbox.Backend })
		set("python-fork-server", func() {
			if rep.Sandbox.PythonForkServer == "" {
				o.g.v.Set("python_fork_server", "off")
			} else {
				o.g.v.Set("python_fork_server", "on")
			}
		})
	}
	if rep.Timing != nil && rep.Timing.Jobs > 0 {
		set("jobs", func() { o.jobs = rep.Timing.Jobs })
	}
	o.fromReport = rep
	return nil
}

func runEval(ctx context.Context, o *evalOptions) error {
	deps := o.g.deps
	env, err := prepareRun(ctx, o.g, o.bench, o.data, o.sandbox, func(cfg *benchmarks.Config) error {
		if rep := o.fromReport; rep != nil {
			// The configuration as the report ran it (limits, comparator,
			// early stop, k); flags below still override.
			raw, err := json.Marshal(rep.Config)
			if err != nil {
				return err
			}
			origin := cfg.Origin
			if err := json.Unmarshal(raw, cfg); err != nil {
				return fmt.Errorf("%s: config: %w", o.from, err)
			}
			cfg.Origin = origin
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
		if err := cfg.SetLiveCodeBench(o.release, o.startDate, o.endDate); err != nil {
			return usageError("--release, --start-date, --end-date: %v", err)
		}
		if o.cpuTime > 0 || o.memory != "" {
			// The limits given hold for every problem (the report's
			// config records it, so --from-report reruns the same).
			cfg.Limits.ProblemLimits = false
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer env.Close()
	cfg := env.bench.Config
	var (
		samples                  []*benchmarks.Sample
		samplesPath, samplesHash string
		gen                      *evalGeneration
	)
	if o.gen.url != "" || cfg.Generation != nil && cfg.Generation.URL != "" && o.samples == "" && o.fromReport == nil {
		if gen, err = o.prepareGeneration(ctx, env); err != nil {
			return err
		}
		samplesPath, samplesHash = gen.path, gen.hash
	} else if samples, samplesPath, samplesHash, err = readSamplesFor(cfg, o.samples); err != nil {
		return err
	}
	if rep := o.fromReport; rep != nil {
		if rep.Benchmark.SHA256 != env.bench.SHA256 {
			return fmt.Errorf("--from-report %s: the data changed (sha256 %s, the report ran on %s)", o.from, env.bench.SHA256, rep.Benchmark.SHA256)
		}
		if rep.Run.SamplesSHA256 != samplesHash {
			return fmt.Errorf("--from-report %s: the samples changed (sha256 %s, the report ran on %s)", o.from, samplesHash, rep.Run.SamplesSHA256)
		}
	}
	opts := env.options(samples, o.jobs, !o.allTests && cfg.Eval.EarlyStop == benchmarks.EarlyStopFirstFailure, o.retries)
	opts.ConfirmTLE = o.confirmTLEMargin
	opts.LoadAllowance = o.loadAllowance
	if total := totalMemory(); total > 0 {
		opts.MemoryBudgetBytes = int64(o.memoryShare * float64(total))
	}
	var remote *cluster.Remote
	if len(o.remote) > 0 {
		if remote, err = o.startRemote(ctx); err != nil {
			return err
		}
		defer remote.Close()
		opts.Executor = remote
		// The nodes admit memory; the tests in flight are theirs to bound.
		opts.MemoryBudgetBytes = 0
		if !o.cmd.Flags().Changed("jobs") {
			opts.Jobs = remote.Slots()
		}
	}
	if _, err := env.prepareReference(ctx, opts); err != nil {
		return err
	}
	if o.sanitize && gen == nil {
		n, err := eval.Sanitize(ctx, opts, samples)
		if err != nil {
			return fmt.Errorf("sanitize: %w", err)
		}
		if !o.g.quiet {
			fmt.Fprintf(deps.Stderr, "sanitized %d of %d samples\n", n, len(samples))
		}
	}
	var journal *eval.Journal
	var prior []eval.JournalEntry
	if o.out != "" {
		cfgJSON, _ := json.Marshal(cfg)
		sum := sha256.Sum256(cfgJSON)
		header := eval.JournalHeader{
			Benchmark: cfg.Name, Version: cfg.Version, DataSHA256: env.bench.SHA256,
			SamplesSHA256: samplesHash, ConfigSHA256: hex.EncodeToString(sum[:]), EarlyStop: opts.EarlyStop,
		}
		journal, prior, err = eval.OpenJournal(eval.JournalPath(o.out), header, o.resume)
		if err != nil {
			return err
		}
		defer journal.Close()
		if o.resume && !o.g.quiet {
			fmt.Fprintf(deps.Stderr, "resuming: %d samples already judged in %s\n", len(prior), eval.JournalPath(o.out))
		}
		done := map[string]bool{}
		for _, e := range prior {
			done[fmt.Sprintf("%s\x00%d", e.TaskID, e.Sample.Index)] = true
		}
		opts.Skip = func(task string, index int) bool { return done[fmt.Sprintf("%s\x00%d", task, index)] }
		opts.Observer = journalObserver{journal, deps.Stderr}
	}
	desc, builder := env.desc, env.builder
	var bar *progress.Bar
	if deps.StderrIsTerminal && !o.g.quiet {
		bar = progress.New(deps.Stderr)
		if gen != nil {
			bar.Extra = func() string { return progress.GenerationLine(gen.progress) }
		}
		if opts.Observer != nil {
			opts.Observer = eval.Observers{opts.Observer, bar}
		} else {
			opts.Observer = bar
		}
	}
	if gen != nil {
		opts.Feed = gen.start(ctx, env, opts)
	}
	res, err := eval.Run(ctx, opts)
	if bar != nil {
		bar.Finish()
	}
	if gen != nil {
		// The feed is closed: the generation has ended.
		gen.wait()
		if gen.res != nil && gen.res.Interrupted {
			res.Interrupted = true
		}
		if data, rerr := os.ReadFile(gen.path); rerr == nil {
			sum := sha256.Sum256(data)
			samplesHash = hex.EncodeToString(sum[:])
		}
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
		Jobs:          opts.Jobs,
		Compiles:      builder.Compiles(),
		Prior:         prior,
	})
	if remote != nil {
		rep.Cluster = remote.Report()
		for _, u := range rep.Cluster.URLs {
			if u.OutOfRotation != "" {
				fmt.Fprintf(deps.Stderr, "warning: node %s was taken out of rotation: %s\n", u.URL, u.OutOfRotation)
			}
		}
	}
	if gen == nil && samplesPath != "" {
		// A file written by scalebox generate records its settings.
		rep.Generation = generationOfFile(samplesPath)
	}
	if gen != nil {
		rep.Generation = reportGeneration(gen.plan, gen.path, gen.res, gen.progress)
		if !o.g.quiet && gen.res != nil {
			fmt.Fprintf(deps.Stderr, "%s: %d samples (%d new, %d resumed); %d completion tokens, %.0f tokens/s\n",
				gen.path, gen.res.Samples, gen.res.Samples-gen.res.Resumed, gen.res.Resumed, gen.res.Usage.CompletionTokens, gen.progress.TokensPerSecond())
		}
		for _, f := range genFailures(gen) {
			fmt.Fprintf(deps.Stderr, "warning: %s\n", f)
		}
	}
	for _, u := range rep.UnknownSamples {
		fmt.Fprintf(deps.Stderr, "warning: %s:%d: task_id %q is not in benchmark %s\n", samplesPath, u.Line, u.TaskID, cfg.Name)
	}
	if o.out != "" {
		if err := rep.WriteFile(o.out); err != nil {
			return err
		}
		if !res.Interrupted && gen.complete() {
			// The report holds everything: the journal has served.
			journal.Remove()
		} else {
			fmt.Fprintf(deps.Stderr, "continue with the same command and --resume (journal: %s)\n", eval.JournalPath(o.out))
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
	case !gen.complete():
		return fmt.Errorf("%v; the report holds the samples that were generated (continue with the same command and --resume)", gen.failure())
	case rep.Summary.SystemErrors > 0:
		rate := float64(rep.Summary.SystemErrors) / float64(max(rep.Summary.Samples, 1))
		if rate > o.maxSERate {
			return withCode(ExitSystemErrors, fmt.Errorf("%d of %d samples (%.1f%%) ended in system errors, more than --max-se-rate %.1f%%: the results are incomplete",
				rep.Summary.SystemErrors, rep.Summary.Samples, 100*rate, 100*o.maxSERate))
		}
		fmt.Fprintf(deps.Stderr, "warning: %d samples ended in system errors (within --max-se-rate)\n", rep.Summary.SystemErrors)
	}
	return nil
}

// startRemote connects to the --remote nodes.
func (o *evalOptions) startRemote(ctx context.Context) (*cluster.Remote, error) {
	if o.remoteStall <= 0 {
		return nil, usageError("--remote-stall-timeout must be positive, not %v", o.remoteStall)
	}
	token := ""
	if o.remoteTokenFile != "" {
		data, err := os.ReadFile(o.remoteTokenFile)
		if err != nil {
			return nil, fmt.Errorf("--remote-token-file: %w", err)
		}
		token = strings.TrimSpace(string(data))
	}
	r, err := cluster.NewRemote(ctx, cluster.RemoteOptions{URLs: o.remote, Token: token, StallTimeout: o.remoteStall, Logger: o.g.logger()})
	if err != nil {
		return nil, fmt.Errorf("--remote: %w", err)
	}
	if !o.g.quiet {
		fmt.Fprintf(o.g.deps.Stderr, "running the tests on %d node URL(s), %d requests in flight\n", len(o.remote), r.Slots())
	}
	return r, nil
}

// totalMemory is the machine's memory in bytes (MemTotal), or 0.
func totalMemory() int64 {
	data, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int64
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb); err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// journalObserver appends each finished sample to the journal.
type journalObserver struct {
	j      *eval.Journal
	stderr io.Writer
}

func (journalObserver) Started(int, int)       {}
func (journalObserver) TestDone(judge.Verdict) {}
func (o journalObserver) SampleDone(r *eval.SampleResult) {
	if err := o.j.Append(r); err != nil {
		fmt.Fprintf(o.stderr, "warning: journal: %v\n", err)
	}
}

// defaultJobs is the default parallelism: one sandboxed process per CPU.
func defaultJobs() int { return runtime.NumCPU() }

// defaultConfirmTLE is the margin of --confirm-tle=on.
const defaultConfirmTLE = 0.2

// defaultLoadAllowance is the default of --load-allowance: twice the
// limits. On this project's 2-CPU machines (a core per CPU) a CPU-bound
// Python loop used the same CPU time alone and beside another, within the
// 15% that separates runs alone. SMT siblings, which share a core, slow
// each other more (not measured here: these machines have no SMT); twice
// the limit leaves room for that.
const defaultLoadAllowance = 2.0

// parseConfirmTLE reads --confirm-tle: on, off, or a margin in percent.
func parseConfirmTLE(v string) (float64, error) {
	switch v {
	case "on":
		return defaultConfirmTLE, nil
	case "off":
		return 0, nil
	}
	p, ok := strings.CutSuffix(v, "%")
	f, err := strconv.ParseFloat(p, 64)
	if !ok || err != nil || f <= 0 || f > 1000 {
		return 0, fmt.Errorf("want on, off or a margin like 20%%, not %q", v)
	}
	return f / 100, nil
}

// readSamplesFor reads the samples file (JSONL, or LiveCodeBench's JSON
// list), or the benchmark's own samples.
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
	samples, err := benchmarks.ReadSamplesFile(data, shown)
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
	bench, err := loadBenchmark(g, name, data, adjust...)
	if err != nil {
		return nil, err
	}
	env, err := startSandbox(g, backend)
	if err != nil {
		return nil, err
	}
	env.bench = bench
	return env, nil
}

// loadBenchmark loads a benchmark's configuration (changed by adjust),
// validates it, reads its data and gives its problems the judge registry's
// checkers. Warnings go to stderr.
func loadBenchmark(g *globalOptions, name, data string, adjust ...func(*benchmarks.Config) error) (*benchmarks.Benchmark, error) {
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
	if err := useRegistryJudges(g, bench); err != nil {
		return nil, err
	}
	return bench, nil
}

// startSandbox starts a sandbox backend with its resolver and builder; the
// returned runEnv has no benchmark.
func startSandbox(g *globalOptions, backend string) (*runEnv, error) {
	sb, err := runner.NewSandbox(backend, sandboxOptions(g))
	if err != nil {
		return nil, err
	}
	env := &runEnv{g: g, sb: sb, desc: sb.Describe()}
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

// useRegistryJudges gives the benchmark's stdio problems the checkers the
// judge registry holds for them; judges whose validation failed are left
// out, with a warning.
func useRegistryJudges(g *globalOptions, bench *benchmarks.Benchmark) error {
	reg := g.judgesDir()
	if reg.Path == "" {
		return nil
	}
	specs, skipped, err := reg.Checkers(bench.Config.Name)
	if err != nil {
		return err
	}
	for _, r := range skipped {
		fmt.Fprintf(g.deps.Stderr, "warning: judge registry: %s %s failed its validation; not used\n", r.Benchmark, r.TaskID)
	}
	if len(specs) == 0 {
		return nil
	}
	used, err := bench.UseCheckers(func(id string) (*checker.Spec, bool) {
		s, ok := specs[id]
		return s, ok
	})
	if err != nil {
		return fmt.Errorf("judge registry %s: %w", reg.Path, err)
	}
	if len(used) > 0 && !g.quiet {
		fmt.Fprintf(g.deps.Stderr, "judging %d problems with checkers from the judge registry %s\n", len(used), reg.Path)
	}
	return nil
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
	return runner.Options{
		HostUID: g.v.GetInt("sandbox_uid"), HostGID: g.v.GetInt("sandbox_gid"), Logger: g.logger(),
		Parallelism:        g.v.GetInt("jobs"),
		NoPythonForkServer: g.v.GetString("python_fork_server") == "off",
	}
}

// sandboxChoices lists the sandbox backends for flag help.
const sandboxChoices = "auto (warm sandboxes where they work, else one bwrap per run), pool (warm sandboxes), bwrap (one sandbox per run), nsjail, or none (no isolation)"

const sandboxHelp = "sandbox backend: " + sandboxChoices

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
