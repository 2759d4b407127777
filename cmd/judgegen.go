package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/internal/llm"
	"github.com/scalebox-dev/scalebox/judgegen"
	"github.com/scalebox-dev/scalebox/runner"
)

type judgegenOptions struct {
	g *globalOptions

	bench        string
	data         string
	tasks        []string
	llmURL       string
	model        string
	apiKeyEnv    string
	llmJobs      int
	llmTimeout   time.Duration
	llmRetries   int
	llmBelow     float64
	language     string
	repairRounds int
	mutants      int
	jobs         int
	force        bool
	json         bool
	sandbox      string

	// --eval-classifier DIR and its settings.
	evalDir string
	folds   int
	seed    int64
	cv      bool
	misses  bool
}

// NewJudgegenCmd returns `scalebox judgegen`. runF replaces the run in tests.
func NewJudgegenCmd(g *globalOptions, runF func(context.Context, *judgegenOptions) error) *cobra.Command {
	o := &judgegenOptions{g: g}
	c := &cobra.Command{
		Use:   "judgegen --bench NAME [--data PATH] [--task ID...] [--llm-url URL --model NAME] | judgegen --eval-classifier DIR",
		Short: "Find problems that need a special judge, generate judges and prove them",
		Long: `For each stdio problem of a benchmark:

 1. classify it: does it need a special judge (many valid answers, real
    numbers compared with a tolerance, interactive, or other), why, and how
    sure. Exact rules come first (an interactive or custom validation in
    problem.yaml, an interactive statement); then a statement model
    embedded in the binary (a logistic regression over the Output
    section's words and phrases such as "print any of them" or "absolute
    or relative error", trained on 472 labelled Code Jam statements). The
    tolerance of a float problem comes from the validator flags, else the
    statement. An LLM, when configured, decides where the confidence is
    below --llm-classify-below;
 2. generate a checker: a template where one suffices (the float comparator
    with the tolerance the problem states, token variants), otherwise a
    Kattis output validator written by the LLM;
 3. validate it before trusting it: it must compile, accept the reference
    output of every test and other correct outputs, and reject at least K
    mutants per test; a failing LLM checker goes back to the model with its
    failures for up to --repair-rounds more tries, or is rejected;
 4. store accepted judges in the judge registry with their provenance and
    validation record, and print a summary.

Judges already validated in the registry are kept (--force regenerates).
LLM answers are cached in the registry (.llm-cache), so an interrupted run
resumes without asking again. The LLM is any OpenAI-compatible
chat-completions endpoint (vLLM, a hosted API); the API key is read from the
environment variable --api-key-env names. Without --llm-url, problems no
template covers are listed as needing one.

--eval-classifier DIR measures the classifier on a labelled folder (the
layout of ../shared/data/codejam-statements: LABELS.tsv, "problem<TAB>label"
with labels exact, float, custom, interactive, and a Kattis problem package
per problem) and prints per class precision and recall in two modes:
problem.yaml as it is, and the statement only (problem.yaml without its
validation, type and validator flags). On a folder the embedded statement
model was trained on (any of its problems), or with --cv, it
cross-validates: --folds stratified folds drawn with --seed, each
classified by a model trained on the others; on other folders it evaluates
the embedded model as it is.`,
		Example: `  scalebox judgegen --bench my-contest.toml
  scalebox judgegen --bench codejam --data ./codejam --task 2019/foregone_solution \
      --llm-url http://localhost:8000/v1 --model Qwen2.5-Coder-32B-Instruct
  OPENAI_API_KEY=... scalebox judgegen --bench b.toml --llm-url https://api.openai.com/v1 --model gpt-4o
  scalebox judgegen --eval-classifier ../shared/data/codejam-statements --misses`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.sandbox = g.v.GetString("sandbox")
			if o.evalDir != "" {
				if o.bench != "" {
					return usageError("--eval-classifier and --bench do not go together")
				}
				if o.folds < 2 {
					return usageError("--folds must be at least 2")
				}
				if runF != nil {
					return runF(c.Context(), o)
				}
				return runEvalClassifier(c.Context(), o)
			}
			if o.bench == "" {
				return usageError("--bench is required")
			}
			if (o.llmURL == "") != (o.model == "") {
				return usageError("--llm-url and --model go together")
			}
			if o.repairRounds < 0 || o.mutants < 1 || o.llmJobs < 1 {
				return usageError("--repair-rounds must not be negative; --mutants and --llm-jobs must be positive")
			}
			if o.language != "python3" && o.language != "cpp" {
				return usageError("--language: python3 or cpp")
			}
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runJudgegen(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.bench, "bench", "b", "", "benchmark name or TOML file")
	f.StringVar(&o.data, "data", "", "benchmark data file or folder")
	f.StringArrayVar(&o.tasks, "task", nil, "only this task (repeatable)")
	f.StringVar(&o.llmURL, "llm-url", "", "OpenAI-compatible API base URL (http://host:8000/v1)")
	f.StringVar(&o.model, "model", "", "model name sent to the endpoint")
	f.StringVar(&o.apiKeyEnv, "api-key-env", "OPENAI_API_KEY", "environment variable holding the API key (empty: none)")
	f.IntVar(&o.llmJobs, "llm-jobs", 4, "LLM requests in flight at once")
	f.DurationVar(&o.llmTimeout, "llm-timeout", 5*time.Minute, "timeout of one LLM request")
	f.IntVar(&o.llmRetries, "llm-retries", 3, "retries of an LLM request after a transient failure (backoff doubles from 2s)")
	f.Float64Var(&o.llmBelow, "llm-classify-below", judgegen.LLMThreshold, "the LLM classifies the problems the rules and the statement model are less sure of than this (above 1: all)")
	f.StringVar(&o.language, "language", "python3", "language of LLM checkers: python3 or cpp")
	f.IntVar(&o.repairRounds, "repair-rounds", 2, "times a failing LLM checker is sent back with its failures")
	f.IntVar(&o.mutants, "mutants", judgegen.DefaultMutants, "mutants per test in validation (K)")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "checks and problems at once")
	f.BoolVar(&o.force, "force", false, "regenerate judges the registry already holds")
	f.BoolVar(&o.json, "json", false, "print the summary as JSON")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, sandboxHelp)
	f.StringVar(&o.evalDir, "eval-classifier", "", "measure the classifier on a labelled folder (LABELS.tsv and problem packages) instead")
	f.IntVar(&o.folds, "folds", 5, "folds of the cross-validation (--eval-classifier)")
	f.Int64Var(&o.seed, "seed", 1, "seed of the cross-validation's folds (--eval-classifier)")
	f.BoolVar(&o.cv, "cv", false, "cross-validate even on a folder the embedded model was not trained on (--eval-classifier)")
	f.BoolVar(&o.misses, "misses", false, "list the problems classified wrong (--eval-classifier)")
	return c
}

// runEvalClassifier prints the classifier's per-class precision and recall
// on a labelled folder; warnings about the folder's files go to stderr.
func runEvalClassifier(ctx context.Context, o *judgegenOptions) error {
	g := o.g
	ps, warnings, err := judgegen.LoadLabelled(o.evalDir)
	for _, w := range warnings {
		fmt.Fprintf(g.deps.Stderr, "warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	m, err := judgegen.DefaultModel()
	if err != nil {
		return err
	}
	seen := 0
	for _, p := range ps {
		if m.Saw(p.Task.Statement) {
			seen++
		}
	}
	opts := judgegen.EvalOptions{Model: m, CrossValidate: o.cv || seen > 0, Folds: o.folds, Seed: o.seed, Jobs: o.jobs}
	if !g.quiet && opts.CrossValidate {
		fmt.Fprintf(g.deps.Stderr, "judgegen: %d of %d problems were in the embedded model's training set; cross-validating (%d folds, seed %d)\n", seen, len(ps), o.folds, o.seed)
	}
	rep, err := judgegen.EvaluateClassifier(ctx, ps, opts)
	if err != nil {
		if ctx.Err() != nil {
			return withCode(ExitInterrupted, fmt.Errorf("interrupted"))
		}
		return err
	}
	rep.Dir = o.evalDir
	if o.json {
		return rep.WriteJSON(g.deps.Stdout)
	}
	return rep.WriteTable(g.deps.Stdout, o.misses)
}

func runJudgegen(ctx context.Context, o *judgegenOptions) error {
	g := o.g
	reg := &benchmarks.Registry{Dirs: benchDirs(g)}
	cfg, err := reg.Load(o.bench)
	if err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	bench, err := benchmarks.Load(cfg, o.data)
	if err != nil {
		return err
	}
	for _, w := range bench.Warnings {
		fmt.Fprintf(g.deps.Stderr, "warning: %s\n", w)
	}
	want := map[string]bool{}
	for _, t := range o.tasks {
		want[t] = true
	}
	var tasks []judgegen.Task
	for _, p := range bench.Problems {
		if len(want) > 0 && !want[p.TaskID] {
			continue
		}
		if p.Kind != benchmarks.KindStdio {
			continue
		}
		tasks = append(tasks, judgegen.TaskFromProblem(cfg.Name, p))
	}
	for _, t := range o.tasks {
		if _, ok := bench.Problem(t); !ok {
			return usageError("benchmark %s has no task %s", cfg.Name, t)
		}
	}
	if len(tasks) == 0 {
		return fmt.Errorf("benchmark %s has no stdio problems to judge", cfg.Name)
	}
	env, closeEnv, err := checkerEnv(g, o.sandbox)
	if err != nil {
		return err
	}
	defer closeEnv()
	judges := g.judgesDir()
	opts := judgegen.Options{
		Registry: judges, Env: env, Language: o.language, RepairRounds: o.repairRounds, LLMBelow: o.llmBelow,
		Validate: judgegen.ValidateOptions{Mutants: o.mutants, Jobs: o.jobs},
		Tasks:    1, Force: o.force, Logger: g.logger(),
	}
	if o.llmURL != "" {
		client := &llm.Client{URL: o.llmURL, Model: o.model, Timeout: o.llmTimeout, Retries: o.llmRetries, Backoff: 2 * time.Second,
			CacheDir: filepath.Join(judges.Path, ".llm-cache")}
		if o.apiKeyEnv != "" {
			client.APIKey = g.deps.Getenv(o.apiKeyEnv)
		}
		client.SetConcurrency(o.llmJobs)
		opts.LLM = client
		// Problems wait on the model, not the machine: work on as many at
		// once as requests may be in flight.
		opts.Tasks = o.llmJobs
	}
	if !g.quiet {
		fmt.Fprintf(g.deps.Stderr, "judgegen: %d problems of %s; judges go to %s\n", len(tasks), cfg.Name, judges.Path)
	}
	sum, err := judgegen.Run(ctx, tasks, opts)
	if sum != nil {
		if o.json {
			enc := json.NewEncoder(g.deps.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(sum); err != nil {
				return err
			}
		} else if err := sum.WriteTable(g.deps.Stdout); err != nil {
			return err
		}
	}
	if err != nil && ctx.Err() != nil {
		return withCode(ExitInterrupted, fmt.Errorf("interrupted; rerun to resume (validated judges are kept)"))
	}
	return err
}
