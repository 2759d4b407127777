package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/BurntSushi/toml"
	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

// NewBenchCmd returns `scalebox bench` with its list and show subcommands.
func NewBenchCmd(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "bench",
		Short: "List and inspect benchmark configurations",
		Long: `Benchmarks are TOML configurations. Those built into scalebox can be
overridden, and new ones defined, by files in $XDG_CONFIG_HOME/scalebox/benchmarks/
(or the benchmarks_dir config key): a file whose name is a builtin's changes
only the keys it sets.`,
		Args: cobra.NoArgs,
	}
	c.AddCommand(newBenchListCmd(g), newBenchShowCmd(g), newBenchPullCmd(g))
	return c
}

func newBenchListCmd(g *globalOptions) *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:     "list",
		Short:   "List the known benchmarks",
		Example: "  scalebox bench list\n  scalebox bench list --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			reg := &benchmarks.Registry{Dirs: benchDirs(g)}
			names, err := reg.Names()
			if err != nil {
				return err
			}
			type row struct {
				Name, Version, Origin, Description string
			}
			var rows []row
			for _, n := range names {
				cfg, err := reg.Load(n)
				if err != nil {
					return err
				}
				rows = append(rows, row{cfg.Name, cfg.Version, cfg.Origin, cfg.Description})
			}
			out := g.deps.Stdout
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tVERSION\tORIGIN\tDESCRIPTION")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Name, r.Version, r.Origin, r.Description)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func newBenchShowCmd(g *globalOptions) *cobra.Command {
	var asJSON bool
	var data string
	c := &cobra.Command{
		Use:   "show NAME|FILE.toml",
		Short: "Show a benchmark's resolved configuration and its problems",
		Example: `  scalebox bench show demo
  scalebox bench show my-bench.toml --data ./problems.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			return runBenchShow(c.Context(), g, args[0], data, asJSON)
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	c.Flags().StringVar(&data, "data", "", "benchmark data file or folder (overrides the configured path)")
	return c
}

func runBenchShow(_ context.Context, g *globalOptions, name, data string, asJSON bool) error {
	reg := &benchmarks.Registry{Dirs: benchDirs(g)}
	cfg, err := reg.Load(name)
	if err != nil {
		return err
	}
	out := g.deps.Stdout
	b, loadErr := benchmarks.Load(cfg, data)
	if loadErr == nil {
		for _, w := range b.Warnings {
			fmt.Fprintf(g.deps.Stderr, "warning: %s\n", w)
		}
	}
	if asJSON {
		v := map[string]any{"config": cfg}
		if loadErr == nil {
			v["problems"] = len(b.Problems)
			v["data_sha256"] = b.SHA256
		} else {
			v["data_error"] = loadErr.Error()
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	fmt.Fprintf(out, "# %s (origin: %s)\n", cfg.Name, cfg.Origin)
	if err := toml.NewEncoder(out).Encode(cfg); err != nil {
		return err
	}
	if loadErr != nil {
		fmt.Fprintf(out, "\n# data: %v\n", loadErr)
		return nil
	}
	fmt.Fprintf(out, "\n# data: %s (sha256 %s), %d problems\n", b.DataPath, b.SHA256, len(b.Problems))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "# TASK\tKIND\tTESTS\tLANGUAGE\tJUDGE")
	for _, p := range b.Problems {
		lang := p.Language
		if lang == "" {
			lang = cfg.Language
		}
		judgeName := "-"
		if p.Kind == benchmarks.KindStdio {
			judgeName = b.JudgeName(p, 0)
		}
		fmt.Fprintf(tw, "# %s\t%s\t%d\t%s\t%s\n", p.TaskID, p.Kind, p.NumTests(), lang, judgeName)
	}
	return tw.Flush()
}
