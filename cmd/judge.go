package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/registry"
	"github.com/scalebox-dev/scalebox/judgegen"
	"github.com/scalebox-dev/scalebox/runner"
)

// NewJudgeCmd returns `scalebox judge` and its subcommands.
func NewJudgeCmd(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "judge",
		Short: "Manage the registry of special judges (checkers)",
		Long: `The judge registry holds one special judge per (benchmark, task): the checker's
source, language and protocol (testlib, kattis, scalebox, or a builtin
comparator), where it came from (builtin, template, imported file, or an LLM
with model, prompt hash and date) and how it was validated. Benchmarks use
the registry's judges automatically: a stdio problem with a judge here is
judged by it on every test, and the report names it.

The registry is $XDG_DATA_HOME/scalebox/judges (~/.local/share/scalebox/judges);
--judges DIR or the judges_dir config key choose another.`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(newJudgeListCmd(g), newJudgeShowCmd(g), newJudgeRmCmd(g), newJudgeImportCmd(g), newJudgeValidateCmd(g))
	return c
}

func newJudgeListCmd(g *globalOptions) *cobra.Command {
	var bench string
	var asJSON bool
	c := &cobra.Command{
		Use:     "list [--bench NAME]",
		Short:   "List the judges of the registry",
		Example: "  scalebox judge list\n  scalebox judge list --bench aethercode --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			recs, err := g.judgesDir().List(bench)
			if err != nil {
				return err
			}
			out := g.deps.Stdout
			if asJSON {
				type row struct {
					Benchmark  string `json:"benchmark"`
					TaskID     string `json:"task_id"`
					Checker    string `json:"checker"`
					Protocol   string `json:"protocol"`
					Provenance string `json:"provenance"`
					Status     string `json:"status"`
				}
				rows := []row{}
				for _, r := range recs {
					rows = append(rows, row{r.Benchmark, r.TaskID, r.Checker.Name(), string(r.Checker.Protocol), r.Provenance.Kind, r.Status()})
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "BENCHMARK\tTASK\tCHECKER\tPROVENANCE\tSTATUS")
			for _, r := range recs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Benchmark, r.TaskID, r.Checker.Name(), provenanceText(&r.Provenance), r.Status())
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintf(out, "\n%d judges in %s\n", len(recs), g.judgesDir().Path)
			return nil
		},
	}
	c.Flags().StringVarP(&bench, "bench", "b", "", "only this benchmark's judges")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func provenanceText(p *registry.Provenance) string {
	switch p.Kind {
	case registry.FromLLM:
		return "llm:" + p.Model
	case registry.FromTemplate:
		return "template:" + p.Template
	}
	return p.Kind
}

func newJudgeShowCmd(g *globalOptions) *cobra.Command {
	var source bool
	c := &cobra.Command{
		Use:     "show BENCHMARK TASK",
		Short:   "Print a judge's record (JSON), or its source",
		Example: "  scalebox judge show demo demo/pair-sum\n  scalebox judge show aethercode 60164 --source > checker.cpp",
		Args:    cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := g.judgesDir().Get(args[0], args[1])
			if err != nil {
				return err
			}
			if source {
				_, err := io.WriteString(g.deps.Stdout, r.Checker.Source)
				return err
			}
			enc := json.NewEncoder(g.deps.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(r)
		},
	}
	c.Flags().BoolVar(&source, "source", false, "print only the checker's source")
	return c
}

func newJudgeRmCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "rm BENCHMARK TASK...",
		Short:   "Remove judges from the registry",
		Example: "  scalebox judge rm demo demo/pair-sum",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			reg := g.judgesDir()
			for _, task := range args[1:] {
				if err := reg.Remove(args[0], task); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// checkerEnv starts a sandbox, resolver and builder for checker programs.
func checkerEnv(g *globalOptions, backend string) (*checker.Env, func(), error) {
	sb, err := runner.NewSandbox(backend, sandboxOptions(g))
	if err != nil {
		return nil, nil, err
	}
	for _, w := range sb.Describe().Warnings {
		fmt.Fprintf(g.deps.Stderr, "warning: %s\n", w)
	}
	langs, err := runner.DefaultLanguages()
	if err != nil {
		sb.Close()
		return nil, nil, err
	}
	uid, gid := sb.HostIDs()
	b, err := runner.NewBuilder(sb, uid, gid)
	if err != nil {
		sb.Close()
		return nil, nil, err
	}
	env := &checker.Env{Sandbox: sb, Builder: b, Resolver: runner.NewResolver(langs, sb.Visible), Retries: 1}
	return env, func() { b.Close(); sb.Close() }, nil
}

type judgeImportOptions struct {
	g          *globalOptions
	bench      string
	task       string
	protocol   string
	language   string
	scalebox   string
	noValidate bool
	testlib    string
	jobs       int
	sandbox    string
}

func newJudgeImportCmd(g *globalOptions) *cobra.Command {
	o := &judgeImportOptions{g: g}
	c := &cobra.Command{
		Use:   "import --bench NAME (--scalebox CHECKERS.jsonl | --task ID --protocol P --language L FILE)",
		Short: "Import checkers: ScaleBox's checker.jsonl, or one file",
		Long: `Import checkers into the registry. --scalebox reads ScaleBox's checker.jsonl
(one {"id", "checker", "success"} per line: C++ programs of the three-file
protocol), one judge per id; rows without a checker are listed and skipped.
Otherwise FILE is one checker for --task, under --protocol (testlib, kattis,
scalebox) in --language (a languages.toml id).

Each imported checker is compiled and must accept an output identical to the
expected one on a synthetic test (a smoke validation, recorded with it);
those that do not are listed and kept, marked failed, so that benchmarks do
not use them. ` + "`scalebox judge validate`" + ` validates on a benchmark's tests.

testlib.h is not shipped with scalebox: a testlib checker that includes it
needs the header in its record's files (import it with --testlib PATH).`,
		Example: `  scalebox judge import --bench aethercode --scalebox checker.jsonl -j 8
  scalebox judge import --bench codejam --task foregone_solution --protocol kattis --language python3 validator.py`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.sandbox = g.v.GetString("sandbox")
			if o.bench == "" {
				return usageError("--bench is required")
			}
			if (o.scalebox == "") == (len(args) == 0) {
				return usageError("give either --scalebox FILE or one checker FILE")
			}
			if len(args) == 1 && (o.task == "" || o.protocol == "" || o.language == "") {
				return usageError("importing a file needs --task, --protocol and --language")
			}
			return runJudgeImport(c.Context(), o, args)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.bench, "bench", "b", "", "benchmark the judges belong to")
	f.StringVar(&o.scalebox, "scalebox", "", "ScaleBox checker.jsonl to import")
	f.StringVar(&o.task, "task", "", "task id of a single checker")
	f.StringVar(&o.protocol, "protocol", "", "protocol of a single checker: testlib, kattis or scalebox")
	f.StringVar(&o.language, "language", "", "language of a single checker (cpp, python3, ...)")
	f.StringVar(&o.testlib, "testlib", "", "testlib.h to ship with a testlib checker that includes it")
	f.BoolVar(&o.noValidate, "no-validate", false, "store without compiling or smoke-testing")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "checkers compiled and tested at once")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, sandboxHelp)
	return c
}

func runJudgeImport(ctx context.Context, o *judgeImportOptions, args []string) error {
	g := o.g
	now := time.Now().UTC().Format(time.RFC3339)
	var recs []*registry.Record
	var skipped []string
	if o.scalebox != "" {
		data, err := os.ReadFile(o.scalebox)
		if err != nil {
			return err
		}
		recs, skipped, err = registry.ReadScaleBox(data, o.scalebox, o.bench, now)
		if err != nil {
			return err
		}
	} else {
		p, err := checker.ParseProtocol(o.protocol)
		if err != nil || p == checker.Builtin {
			return usageError("--protocol: want testlib, kattis or scalebox")
		}
		src, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		spec := checker.Spec{Protocol: p, Language: o.language, Source: string(src)}
		if o.testlib != "" {
			h, err := os.ReadFile(o.testlib)
			if err != nil {
				return err
			}
			spec.Files = map[string]string{"testlib.h": string(h)}
		}
		recs = []*registry.Record{{Benchmark: o.bench, TaskID: o.task, Checker: spec, Provenance: registry.Provenance{Kind: registry.FromImported, File: args[0], Date: now}}}
	}
	for _, s := range skipped {
		fmt.Fprintf(g.deps.Stderr, "skipped: %s\n", s)
	}
	if !o.noValidate {
		env, closeEnv, err := checkerEnv(g, o.sandbox)
		if err != nil {
			return err
		}
		defer closeEnv()
		if err := smokeAll(ctx, g, env, recs, o.jobs); err != nil {
			return err
		}
	}
	reg := g.judgesDir()
	failed := 0
	for _, r := range recs {
		if err := reg.Put(r); err != nil {
			return err
		}
		if r.Validation != nil && !r.Validation.Passed {
			failed++
			fmt.Fprintf(g.deps.Stdout, "FAILED %s %s: %s\n", r.Benchmark, r.TaskID, firstOf(r.Validation.Failures))
		}
	}
	fmt.Fprintf(g.deps.Stdout, "imported %d judges into %s (%d skipped", len(recs), reg.Path, len(skipped))
	if !o.noValidate {
		fmt.Fprintf(g.deps.Stdout, ", %d failed the smoke test", failed)
	}
	fmt.Fprintln(g.deps.Stdout, ")")
	return nil
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return strings.Join(strings.Fields(s[0]), " ")
}

// smokeAll smoke-validates the records' checkers, jobs at a time, and
// records each result.
func smokeAll(ctx context.Context, g *globalOptions, env *checker.Env, recs []*registry.Record, jobs int) error {
	if jobs <= 0 {
		jobs = 1
	}
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(jobs)
	var mu sync.Mutex
	done := 0
	for _, r := range recs {
		eg.Go(func() error {
			v, err := judgegen.Smoke(ectx, env, &r.Checker, judgegen.ValidateOptions{})
			if err != nil {
				return fmt.Errorf("%s %s: %w", r.Benchmark, r.TaskID, err)
			}
			mu.Lock()
			r.Validation = v
			done++
			if !g.quiet && g.deps.StderrIsTerminal {
				fmt.Fprintf(g.deps.Stderr, "\rvalidated %d/%d", done, len(recs))
			}
			mu.Unlock()
			return nil
		})
	}
	err := eg.Wait()
	if !g.quiet && g.deps.StderrIsTerminal {
		fmt.Fprintln(g.deps.Stderr)
	}
	return err
}

type judgeValidateOptions struct {
	g       *globalOptions
	bench   string
	data    string
	tasks   []string
	mutants int
	jobs    int
	sandbox string
}

func newJudgeValidateCmd(g *globalOptions) *cobra.Command {
	o := &judgeValidateOptions{g: g}
	c := &cobra.Command{
		Use:   "validate --bench NAME [--task ID...] [--data PATH]",
		Short: "Validate registry judges and record the result",
		Long: `Validate the registry's judges of a benchmark. Where the benchmark can be
loaded and has the task, the judge is proven on its tests: it must compile,
accept every reference output and other correct outputs (re-spaced, numbers
re-formatted or moved within the tolerance), and reject at least K mutants
per test (truncated, an extra line, empty, a changed case label, a number
moved beyond the tolerance, swapped answers, a changed word). Otherwise
(an imported judge of a benchmark scalebox cannot load) it is smoke-tested:
compiled and given an output identical to the expected one on a synthetic
test. The result is stored with the judge; judges that fail are not used.

Exits 0 when every judge passes, 4 when some do not.`,
		Example: `  scalebox judge validate --bench codejam --data ./codejam
  scalebox judge validate --bench aethercode -j 8`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.sandbox = g.v.GetString("sandbox")
			if o.bench == "" {
				return usageError("--bench is required")
			}
			return runJudgeValidate(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.bench, "bench", "b", "", "benchmark whose judges are validated")
	f.StringVar(&o.data, "data", "", "benchmark data file or folder")
	f.StringArrayVar(&o.tasks, "task", nil, "only this task (repeatable)")
	f.IntVar(&o.mutants, "mutants", judgegen.DefaultMutants, "mutants per test (K)")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "checks at once")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, sandboxHelp)
	return c
}

func runJudgeValidate(ctx context.Context, o *judgeValidateOptions) error {
	g := o.g
	reg := g.judgesDir()
	recs, err := reg.List(o.bench)
	if err != nil {
		return err
	}
	if len(o.tasks) > 0 {
		want := map[string]bool{}
		for _, t := range o.tasks {
			want[t] = true
		}
		var keep []*registry.Record
		for _, r := range recs {
			if want[r.TaskID] {
				keep = append(keep, r)
				delete(want, r.TaskID)
			}
		}
		for t := range want {
			return fmt.Errorf("benchmark %s has no judge for task %s", o.bench, t)
		}
		recs = keep
	}
	if len(recs) == 0 {
		return fmt.Errorf("the registry %s has no judges of benchmark %s", reg.Path, o.bench)
	}
	var bench *benchmarks.Benchmark
	if cfg, err := (&benchmarks.Registry{Dirs: benchDirs(g)}).Load(o.bench); err == nil {
		if err := cfg.Validate(); err == nil {
			bench, err = benchmarks.Load(cfg, o.data)
			if err != nil {
				fmt.Fprintf(g.deps.Stderr, "warning: %v; smoke-testing the judges instead\n", err)
			} else {
				for _, w := range bench.Warnings {
					fmt.Fprintf(g.deps.Stderr, "warning: %s\n", w)
				}
			}
		}
	}
	env, closeEnv, err := checkerEnv(g, o.sandbox)
	if err != nil {
		return err
	}
	defer closeEnv()
	var smoke []*registry.Record
	for _, r := range recs {
		var p *benchmarks.Problem
		if bench != nil {
			p, _ = bench.Problem(r.TaskID)
		}
		if p == nil || p.Kind != benchmarks.KindStdio {
			smoke = append(smoke, r)
			continue
		}
		task := judgegen.TaskFromProblem(o.bench, p)
		cls := judgegen.Classify(&task)
		if r.Classification != nil {
			cls = *r.Classification
		}
		v, err := judgegen.Validate(ctx, env, &r.Checker, &task, &cls, judgegen.ValidateOptions{Mutants: o.mutants, Jobs: o.jobs})
		if err != nil {
			return fmt.Errorf("%s %s: %w", r.Benchmark, r.TaskID, err)
		}
		r.Validation = v
	}
	if err := smokeAll(ctx, g, env, smoke, o.jobs); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(g.deps.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TASK\tKIND\tSTATUS\tREFERENCE\tALTERNATIVES\tMUTANTS REJECTED\tNOTE")
	failed := 0
	for _, r := range recs {
		if err := reg.Put(r); err != nil {
			return err
		}
		v := r.Validation
		if !v.Passed {
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%d/%d\t%d/%d\t%s\n", r.TaskID, v.Kind, r.Status(), v.ReferenceAccepted, v.Tests,
			v.AlternativesAccepted, v.Alternatives, v.MutantsRejected, v.Mutants, firstOf(v.Failures))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(g.deps.Stdout, "\n%d judges validated, %d failed\n", len(recs)-failed, failed)
	if failed > 0 {
		return withCode(ExitBelowThreshold, nil)
	}
	return nil
}
