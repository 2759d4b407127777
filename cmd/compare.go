package cmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/report/page"
)

type compareOptions struct {
	g *globalOptions

	basePath string
	newPath  string
	json     bool
	markdown bool
	force    bool
	// html, when set, is where the comparison's HTML page is written.
	html string

	confidence float64
	resamples  int
	seed       uint64
	// maxDropPP is --fail-on-regression, in percentage points; gate says
	// whether it was given.
	maxDropPP float64
	gate      bool
}

// NewCompareCmd returns `scalebox compare`. runF replaces the run in tests.
func NewCompareCmd(g *globalOptions, runF func(context.Context, *compareOptions) error) *cobra.Command {
	o := &compareOptions{g: g}
	c := &cobra.Command{
		Use:   "compare BASE.json NEW.json",
		Short: "Compare two reports of one benchmark: pass@k, flips, significance",
		Long: `Compare the report of a new model, checkpoint or prompt (NEW) against a
baseline (BASE), both written by scalebox eval --out on the same benchmark.

It prints pass@k of each and the difference (NEW − BASE) for every k both
reports have, and pass@k on the base tests when both have it. Problems are
paired by task_id; those in one report only, or without a scored (non-SE)
sample in one of them, are listed and left out of what follows.

For each paired problem, pass@1 is c/n (n samples not SE, c of them passed).
  fixed / broken  problems whose pass@1 rose / fell.
  paired pass@1   the mean of per-problem pass@1 in each report, and the
                  difference d = mean(NEW − BASE).
  bootstrap CI    a percentile interval for d: resample the paired problems
                  with replacement --bootstrap times (seeded by --seed, so
                  the interval is reproducible), take each resample's mean
                  difference, and keep the central --confidence share.
  McNemar         the exact two-sided test on problems solved by one report
                  only (b by BASE only, c by NEW only): p = min(1, 2·P(X ≤
                  min(b, c))), X ~ Binomial(b+c, 1/2). A problem is solved
                  when its pass@1 ≥ 0.5, which for one sample per problem
                  means that sample passed.

A change is significant when the bootstrap CI lies wholly below 0 (a drop)
or above 0 (a gain) and, when every paired problem has exactly one sample in
both reports, also McNemar's p < 1 − confidence. With several samples per
problem McNemar is shown for information only.

--fail-on-regression DELTA fails the command (exit 4) when NEW's paired
pass@1 is lower than BASE's by more than DELTA percentage points AND the
drop is significant. A drop larger than DELTA that is not significant, or a
significant drop of at most DELTA, exits 0.

Reports of different benchmark names, versions or data (sha256) are refused
(exit 1) unless --force, which compares them with a warning.

--html FILE also writes the comparison as one self-contained HTML page (no
network, works offline): the pass@k deltas, the bootstrap interval drawn
about zero, McNemar's test, pass@1 by metadata in both reports, and the
flipped problems with each report's samples and deciding tests. The
printed output and the exit code are unchanged. See docs/html.md.

Exit codes:
  0  compared (and the --fail-on-regression gate, if given, passed)
  1  error: a report is unreadable, the reports are of different benchmarks,
     versions or data (without --force), or they share no scored problem
  2  usage error
  4  --fail-on-regression: a significant drop of more than DELTA points`,
		Example: `  scalebox compare base.json new.json
  scalebox compare base.json new.json --json | jq '.broken[].task_id'
  scalebox compare base.json new.json --markdown >> "$GITHUB_STEP_SUMMARY"
  scalebox compare base.json new.json --fail-on-regression 1.0
  scalebox compare base.json new.json --html compare.html
  scalebox compare base.json new.json --confidence 0.99 --bootstrap 20000 --seed 7`,
		Args: exactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			o.basePath, o.newPath = args[0], args[1]
			o.gate = c.Flags().Changed("fail-on-regression")
			if o.json && o.markdown {
				return usageError("--json and --markdown exclude each other")
			}
			if !(o.confidence > 0 && o.confidence < 1) {
				return usageError("--confidence must be between 0 and 1 (e.g. 0.95), got %v", o.confidence)
			}
			if o.resamples < 1 {
				return usageError("--bootstrap must be positive, got %d", o.resamples)
			}
			if o.gate && !(o.maxDropPP >= 0) {
				return usageError("--fail-on-regression must be a non-negative number of percentage points, got %v", o.maxDropPP)
			}
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runCompare(c.Context(), o)
		},
	}
	f := c.Flags()
	f.BoolVar(&o.json, "json", false, "print JSON (stable field names)")
	f.BoolVar(&o.markdown, "markdown", false, "print GitHub-flavoured markdown (for a CI job summary)")
	f.BoolVar(&o.force, "force", false, "compare reports of different benchmarks, versions or data, with a warning")
	f.StringVar(&o.html, "html", "", "also write the comparison as a self-contained HTML page to this file")
	f.Float64Var(&o.confidence, "confidence", report.DefaultConfidence, "confidence level of the bootstrap interval; 1 − it is McNemar's significance level")
	f.IntVar(&o.resamples, "bootstrap", report.DefaultResamples, "bootstrap resamples")
	f.Uint64Var(&o.seed, "seed", 1, "bootstrap seed")
	f.Float64Var(&o.maxDropPP, "fail-on-regression", 0, "exit 4 when pass@1 drops significantly by more than this many percentage points")
	return c
}

func runCompare(_ context.Context, o *compareOptions) error {
	var in [2]report.Input
	for i, path := range []string{o.basePath, o.newPath} {
		r, err := report.Read(path)
		if err != nil {
			return fmt.Errorf("read report: %w", err)
		}
		in[i] = report.Input{Path: path, Report: r}
	}
	res, err := report.Compare(in[0], in[1], report.CompareOptions{
		Confidence: o.confidence, Resamples: o.resamples, Seed: o.seed, Force: o.force,
	})
	var mismatch *report.MismatchError
	if errors.As(err, &mismatch) {
		return fmt.Errorf("compare: %w (--force compares them anyway)", err)
	}
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	if o.gate {
		res.ApplyGate(o.maxDropPP)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(o.g.deps.Stderr, "warning: %s\n", w)
	}
	if o.html != "" {
		var buf bytes.Buffer
		if err := page.WriteComparison(&buf, res, in[0].Report, in[1].Report); err != nil {
			return err
		}
		if err := report.WriteFileAtomic(o.html, buf.Bytes()); err != nil {
			return fmt.Errorf("write page: %w", err)
		}
	}
	out := o.g.deps.Stdout
	switch {
	case o.json:
		err = writeIndentedJSON(out, res)
	case o.markdown:
		err = res.WriteMarkdown(out)
	default:
		err = res.WriteText(out)
	}
	if err != nil {
		return err
	}
	if res.Gate != nil && res.Gate.Failed {
		return withCode(ExitBelowThreshold, fmt.Errorf("regression: paired pass@1 fell by %.2f pp, more than %g pp, and the drop is significant",
			-100*res.PassAt1.Difference, o.maxDropPP))
	}
	return nil
}

// exactArgs is cobra.ExactArgs(n) with the usage exit code.
func exactArgs(n int) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(c, args); err != nil {
			return withCode(ExitUsage, err)
		}
		return nil
	}
}
