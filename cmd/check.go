package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/runner"
)

type checkOptions struct {
	g *globalOptions

	bench   string
	data    string
	task    string
	test    string
	output  string
	json    bool
	sandbox string
}

// NewCheckCmd returns `scalebox check`. runF replaces the run in tests.
func NewCheckCmd(g *globalOptions, runF func(context.Context, *checkOptions) error) *cobra.Command {
	o := &checkOptions{g: g}
	c := &cobra.Command{
		Use:   "check --bench NAME --task ID --test N|NAME --output FILE",
		Short: "Judge a given output against one test of one problem",
		Long: `Judge an output file, as if a program had printed it and exited normally on
one test of one problem, with the judge that eval uses for that test (the
problem's comparator with its parameters, such as a Kattis problem's
validator flags, or its checker: the data's own or the judge registry's),
and print the verdict and the judge's message. Only a checker program runs,
in the sandbox: this is how to debug a judge, or score outputs computed
elsewhere.

--task takes a task id, or a unique tail of one ("fly_swatter" for
float_tolerance/codejam/2008/qualification_round/fly_swatter). --test takes
the test's number, from 0 as in reports, or its name in the data
("secret/subtask1/1" in a Kattis package, "private/3" in CodeContests).
--output - reads the output from standard input.

A problem with custom validation and no checker has no judge here: its
verdict is SE.

Exit codes: 0 when the verdict is AC, 4 for any other verdict (WA), 3 for
SE, 2 for a wrong command line (an unknown task or test), 1 when the
benchmark or the output cannot be read.`,
		Example: `  scalebox check --bench codejam --data codejam/ --task fly_swatter --test secret/subtask1/1 --output out.txt
  scalebox check --bench codecontests --data code_contests.jsonl --task 3 --test 0 --output - < out.txt
  scalebox check --bench my.toml --task t1 --test 2 --output out.txt --json`,
		Args: exactArgs(0),
		RunE: func(c *cobra.Command, _ []string) error {
			for _, f := range []struct{ name, value string }{{"bench", o.bench}, {"task", o.task}, {"test", o.test}, {"output", o.output}} {
				if f.value == "" {
					return usageError("--%s is required", f.name)
				}
			}
			o.sandbox = g.v.GetString("sandbox")
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runCheck(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.bench, "bench", "b", "", "benchmark name or TOML file")
	f.StringVar(&o.data, "data", "", "benchmark data file or folder (overrides the configured path)")
	f.StringVar(&o.task, "task", "", "task id, or a unique tail of one after a /")
	f.StringVar(&o.test, "test", "", "test number (from 0) or name")
	f.StringVarP(&o.output, "output", "o", "", "the output to judge: a file, or - for standard input")
	f.BoolVar(&o.json, "json", false, "print the result as JSON")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, "sandbox backend for checker programs: auto, bwrap, nsjail, or none")
	return c
}

// checkResult is what `scalebox check --json` prints.
type checkResult struct {
	TaskID   string `json:"task_id"`
	Test     int    `json:"test"`
	TestName string `json:"test_name,omitempty"`
	Judge    string `json:"judge"`
	Verdict  string `json:"verdict"`
	Passed   bool   `json:"passed"`
	Message  string `json:"message,omitempty"`
}

func runCheck(ctx context.Context, o *checkOptions) error {
	deps := o.g.deps
	b, err := loadBenchmark(o.g, o.bench, o.data)
	if err != nil {
		return err
	}
	p, err := findTask(b, o.task)
	if err != nil {
		return withCode(ExitUsage, err)
	}
	if p.Kind != benchmarks.KindStdio {
		return fmt.Errorf("task %s is a %s problem: check judges the outputs of stdin/stdout problems", p.TaskID, p.Kind)
	}
	i, err := p.TestIndex(o.test)
	if err != nil {
		return withCode(ExitUsage, err)
	}
	var out []byte
	if o.output == "-" {
		out, err = io.ReadAll(deps.Stdin)
	} else {
		out, err = os.ReadFile(o.output)
	}
	if err != nil {
		return fmt.Errorf("read the output: %w", err)
	}
	var opts benchmarks.PlanOptions
	if p.Checker != nil && p.Checker.Protocol != checker.Builtin {
		env, err := startSandbox(o.g, o.sandbox)
		if err != nil {
			return err
		}
		defer env.Close()
		opts = benchmarks.PlanOptions{Sandbox: env.sb, Builder: env.builder, Resolver: env.res}
	}
	outcome, err := b.JudgeOutput(ctx, p, i, out, opts)
	if err != nil {
		return err
	}
	res := checkResult{
		TaskID: p.TaskID, Test: i, TestName: p.Tests[i].Name, Judge: b.JudgeName(p, i),
		Verdict: string(outcome.Verdict), Passed: outcome.Verdict == judge.AC, Message: outcome.Message,
	}
	if o.json {
		enc := json.NewEncoder(deps.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		test := fmt.Sprint(res.Test)
		if res.TestName != "" {
			test += " (" + res.TestName + ")"
		}
		tw := tabwriter.NewWriter(deps.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "verdict\t%s\ntask\t%s\ntest\t%s\njudge\t%s\n", res.Verdict, res.TaskID, test, res.Judge)
		if res.Message != "" {
			fmt.Fprintf(tw, "message\t%s\n", strings.ReplaceAll(res.Message, "\n", "\n\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	switch outcome.Verdict {
	case judge.AC:
		return nil
	case judge.SE:
		return withCode(ExitSystemErrors, nil)
	}
	return withCode(ExitBelowThreshold, nil)
}

// findTask finds a task by its id, or by a tail of its id that starts
// after a "/" and names one task only.
func findTask(b *benchmarks.Benchmark, id string) (*benchmarks.Problem, error) {
	if p, ok := b.Problem(id); ok {
		return p, nil
	}
	var matches []*benchmarks.Problem
	for _, p := range b.Problems {
		if strings.HasSuffix(p.TaskID, "/"+id) {
			matches = append(matches, p)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, fmt.Errorf("task %q is not in benchmark %s (%d tasks; `scalebox bench show %s --data …` lists them)", id, b.Config.Name, len(b.Problems), b.Config.Name)
	}
	var ids []string
	for _, p := range matches {
		ids = append(ids, p.TaskID)
	}
	return nil, fmt.Errorf("task %q matches %d tasks of %s: %s", id, len(ids), b.Config.Name, strings.Join(ids, ", "))
}
