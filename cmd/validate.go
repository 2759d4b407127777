package cmd

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

type validateOptions struct {
	g       *globalOptions
	bench   string
	data    string
	jobs    int
	sandbox string
	json    bool
}

// NewValidateCmd returns `scalebox validate`.
func NewValidateCmd(g *globalOptions) *cobra.Command {
	o := &validateOptions{g: g}
	c := &cobra.Command{
		Use:   "validate --bench NAME [--data PATH]",
		Short: "Run every reference solution through the sandbox and list those that fail",
		Long: `Run each problem's canonical solution as a sample, through the same sandbox,
limits and judge as model samples, and list every problem whose reference
fails, times out or has no canonical solution, so that a broken benchmark is
found before a model is blamed. For function benchmarks (HumanEval+, MBPP+)
it also lists the inputs on which the reference solution itself raised.

Exits 0 when every reference passes, 4 when some do not.`,
		Example: `  scalebox validate --bench humanevalplus --data HumanEvalPlus.jsonl.gz
  scalebox validate --bench demo`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.jobs = g.v.GetInt("jobs")
			o.sandbox = g.v.GetString("sandbox")
			if o.bench == "" {
				return usageError("--bench is required")
			}
			return runValidate(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.bench, "bench", "b", "", "benchmark name or TOML file")
	f.StringVar(&o.data, "data", "", "benchmark data file or folder")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "sandboxed processes at once")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, sandboxHelp)
	return c
}

func runValidate(ctx context.Context, o *validateOptions) error {
	deps := o.g.deps
	env, err := prepareRun(ctx, o.g, o.bench, o.data, o.sandbox)
	if err != nil {
		return err
	}
	defer env.Close()
	var samples []*benchmarks.Sample
	var missing []string
	for i, p := range env.bench.Problems {
		if p.CanonicalSolution == "" {
			missing = append(missing, p.TaskID)
			continue
		}
		s := &benchmarks.Sample{TaskID: p.TaskID, Code: p.CanonicalSolution, Line: i + 1}
		// A prompt's canonical solution completes it; a stdio problem's is a whole program.
		s.Completion = p.Kind != benchmarks.KindStdio
		samples = append(samples, s)
	}
	opts := env.options(samples, o.jobs, false, 2)
	ref, err := env.prepareReference(ctx, opts)
	if err != nil {
		return err
	}
	res, err := eval.Run(ctx, opts)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(deps.Stdout, 0, 4, 2, ' ', 0)
	bad := 0
	for _, r := range res.Samples {
		if r.Verdict == judge.AC {
			continue
		}
		bad++
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Sample.TaskID, r.Verdict, oneLine(r.Message))
	}
	for _, t := range missing {
		bad++
		fmt.Fprintf(tw, "%s\t-\tno canonical solution\n", t)
	}
	if ref != nil {
		for _, f := range ref.Failures {
			bad++
			fmt.Fprintf(tw, "%s\treference\t%s\n", f, "the reference solution fails on this input, which is not judged")
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(deps.Stdout, "%d of %d reference solutions pass (%s %s)\n", len(res.Samples)-countNot(res.Samples), len(env.bench.Problems), env.bench.Config.Name, env.bench.Config.Version)
	if res.Interrupted {
		return withCode(ExitInterrupted, fmt.Errorf("interrupted"))
	}
	if bad > 0 {
		return withCode(ExitBelowThreshold, fmt.Errorf("%d problems of %s need attention", bad, env.bench.Config.Name))
	}
	return nil
}

func countNot(rs []*eval.SampleResult) int {
	n := 0
	for _, r := range rs {
		if r.Verdict != judge.AC {
			n++
		}
	}
	return n
}

func oneLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i] + " …"
		}
	}
	if len(s) > 160 {
		return s[:160] + "…"
	}
	return s
}
