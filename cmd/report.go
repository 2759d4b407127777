package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/report"
	"github.com/scalebox-dev/scalebox/report/page"
)

type reportShowOptions struct {
	g *globalOptions

	path    string
	json    bool
	slowest int
}

type reportStripOptions struct {
	g *globalOptions

	path string
	out  string
}

type reportHTMLOptions struct {
	g *globalOptions

	path    string
	out     string
	slowest int
}

// NewReportCmd returns `scalebox report` with its show, strip-timings and
// html subcommands. showF, stripF and htmlF replace the runs in tests.
func NewReportCmd(g *globalOptions, showF func(context.Context, *reportShowOptions) error, stripF func(context.Context, *reportStripOptions) error, htmlF func(context.Context, *reportHTMLOptions) error) *cobra.Command {
	c := &cobra.Command{
		Use:   "report",
		Short: "Inspect, normalize and render report files",
		Long: `Read a JSON report written by scalebox eval --out: summarize it, strip the
fields that vary between runs so that two runs compare byte for byte, or
render it as a self-contained HTML page.`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(newReportShowCmd(g, showF), newReportStripCmd(g, stripF), newReportHTMLCmd(g, htmlF))
	return c
}

func newReportHTMLCmd(g *globalOptions, runF func(context.Context, *reportHTMLOptions) error) *cobra.Command {
	o := &reportHTMLOptions{g: g}
	c := &cobra.Command{
		Use:   "html REPORT.json [-o report.html]",
		Short: "Render a report as one self-contained HTML page",
		Long: `Write a report as one HTML file that needs nothing else: no network, no
other files, any browser, offline. It shows the summary and pass@k, samples
and tests by verdict, pass@1 by each metadata key (difficulty, platform,
contest month, …) and by language as charts, a table of every problem
(searchable, sortable, a page at a time) with each failing sample's
deciding test (input, expected and actual output with a diff, the end of
its stderr), the slowest tests, and what a rerun must match (tool,
benchmark and samples hashes, sandbox, limits, toolchains, configuration).

The page is the same for the same report (no timestamps but the run's).
It goes to stdout, or atomically to -o. Open it with any browser; it also
prints, and reads at phone width. See docs/html.md.`,
		Example: `  scalebox report html report.json -o report.html
  scalebox report html report.json --slowest 50 > report.html`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.path = args[0]
			if o.slowest < 0 {
				return usageError("--slowest must not be negative")
			}
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runReportHTML(c.Context(), o)
		},
	}
	c.Flags().StringVarP(&o.out, "out", "o", "", "write here instead of stdout")
	c.Flags().IntVar(&o.slowest, "slowest", page.DefaultSlowest, "list this many of the slowest tests (0: none)")
	return c
}

func runReportHTML(_ context.Context, o *reportHTMLOptions) error {
	r, err := report.Read(o.path)
	if err != nil {
		return fmt.Errorf("read report: %w", err)
	}
	slowest := o.slowest
	if slowest == 0 {
		slowest = -1 // none
	}
	var buf bytes.Buffer
	if err := page.WriteReport(&buf, r, page.Options{Source: o.path, Slowest: slowest}); err != nil {
		return err
	}
	if o.out == "" {
		_, err = o.g.deps.Stdout.Write(buf.Bytes())
		return err
	}
	if err := report.WriteFileAtomic(o.out, buf.Bytes()); err != nil {
		return fmt.Errorf("write page: %w", err)
	}
	return nil
}

func newReportShowCmd(g *globalOptions, runF func(context.Context, *reportShowOptions) error) *cobra.Command {
	o := &reportShowOptions{g: g}
	c := &cobra.Command{
		Use:   "show REPORT.json",
		Short: "Summarize a report: pass@k, verdicts, breakdowns, slowest tests",
		Long: `Print a report's summary: pass@k (and pass@k on the base tests when the report
has summary.base_pass_at_k), samples and tests by verdict, pass@1 broken down
by each key of the problems' metadata (difficulty, platform, contest_month, …)
when the report carries problems[].meta, and the slowest tests by CPU time
(task, sample index, test index) when it carries usage.`,
		Example: `  scalebox report show report.json
  scalebox report show report.json --slowest 25
  scalebox report show report.json --json | jq '.breakdowns'`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.path = args[0]
			if o.slowest < 0 {
				return usageError("--slowest must not be negative")
			}
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runReportShow(c.Context(), o)
		},
	}
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	c.Flags().IntVar(&o.slowest, "slowest", 10, "list this many of the slowest tests")
	return c
}

func runReportShow(_ context.Context, o *reportShowOptions) error {
	r, err := report.Read(o.path)
	if err != nil {
		return fmt.Errorf("read report: %w", err)
	}
	ov := report.NewOverview(r, o.slowest)
	if o.json {
		return writeIndentedJSON(o.g.deps.Stdout, ov)
	}
	return ov.WriteText(o.g.deps.Stdout)
}

func newReportStripCmd(g *globalOptions, runF func(context.Context, *reportStripOptions) error) *cobra.Command {
	o := &reportStripOptions{g: g}
	c := &cobra.Command{
		Use:   "strip-timings REPORT.json [-o OUT.json]",
		Short: "Write a report without the fields that vary between runs",
		Long: `Write the report without what measures the run: every usage object,
compile.cached and the timing section (see docs/report.md, "Determinism").
Two runs on the same inputs then give identical files. The output goes to
stdout, or atomically to -o.`,
		Example: `  scalebox report strip-timings run1.json -o run1.stripped.json
  cmp <(scalebox report strip-timings run1.json) <(scalebox report strip-timings run2.json)`,
		Args: exactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o.path = args[0]
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runReportStrip(c.Context(), o)
		},
	}
	c.Flags().StringVarP(&o.out, "out", "o", "", "write here instead of stdout")
	return c
}

func runReportStrip(_ context.Context, o *reportStripOptions) error {
	r, err := report.Read(o.path)
	if err != nil {
		return fmt.Errorf("read report: %w", err)
	}
	if field := unknownField(o.path); field != "" {
		fmt.Fprintf(o.g.deps.Stderr, "warning: %s has fields this scalebox does not know (first: %s); the output leaves them out\n", o.path, field)
	}
	r.StripTimings()
	if o.out != "" {
		return r.WriteFile(o.out)
	}
	data, err := r.Marshal()
	if err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	_, err = o.g.deps.Stdout.Write(data)
	return err
}

// unknownField names the first field of a report file that report.Report
// does not hold, or returns "".
func unknownField(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r report.Report
	err = dec.Decode(&r)
	const prefix = "json: unknown field "
	if err != nil && strings.HasPrefix(err.Error(), prefix) {
		return strings.TrimPrefix(err.Error(), prefix)
	}
	return ""
}

// writeIndentedJSON writes v as indented JSON without HTML escaping.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	return nil
}
