package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/runner"
)

type doctorOptions struct {
	g       *globalOptions
	sandbox string
	json    bool
}

// NewDoctorCmd returns `scalebox doctor`. runF replaces the run in tests.
func NewDoctorCmd(g *globalOptions, runF func(context.Context, *doctorOptions) error) *cobra.Command {
	o := &doctorOptions{g: g}
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check the sandbox, cgroups and language toolchains on this machine",
		Long: `Check which sandbox backends work here, the cgroup version and controllers,
and every language toolchain (each builds and runs a small program in the
sandbox). For whatever is missing it prints the command that installs it.
Exits 1 when the sandbox does not work.`,
		Example: "  scalebox doctor\n  scalebox doctor --json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.sandbox = g.v.GetString("sandbox")
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runDoctor(c.Context(), o)
		},
	}
	c.Flags().StringVar(&o.sandbox, "sandbox", runner.BackendAuto, "sandbox backend to check: "+sandboxChoices)
	c.Flags().BoolVar(&o.json, "json", false, "print JSON")
	return c
}

func runDoctor(ctx context.Context, o *doctorOptions) error {
	langs, err := runner.DefaultLanguages()
	if err != nil {
		return err
	}
	checks := runner.Doctor(ctx, o.sandbox, sandboxOptions(o.g), langs)
	out := o.g.deps.Stdout
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(checks); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "COMPONENT\tSTATUS\tDETAIL")
		for _, c := range checks {
			status := "ok"
			if !c.OK {
				status = "MISSING"
				if !c.Optional {
					status = "FAIL"
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Component, status, c.Detail)
			if !c.OK && c.Fix != "" {
				fmt.Fprintf(tw, "\t\tfix: %s\n", c.Fix)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, c := range checks {
		if !c.OK && !c.Optional {
			return withCode(ExitError, nil)
		}
	}
	return nil
}
