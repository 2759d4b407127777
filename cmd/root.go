// Package cmd is scalebox's command line: flag parsing, configuration
// resolution (flag, then SCALEBOX_* environment, then config file, then
// default) and calls into the library packages.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/judge/registry"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"golang.org/x/term"
)

// Deps are the outside world a command talks to. Tests replace them.
type Deps struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	// StderrIsTerminal decides whether progress bars are drawn.
	StderrIsTerminal bool
	Getenv           func(string) string
}

// DefaultDeps are the process's real streams and environment.
func DefaultDeps() Deps {
	return Deps{
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Stdin:            os.Stdin,
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		Getenv:           os.Getenv,
	}
}

// globalOptions are flags every command has.
type globalOptions struct {
	configFile string
	cpuProfile string
	judges     string
	quiet      bool
	verbose    bool
	v          *viper.Viper
	deps       Deps
}

// knownConfigKeys are the keys a config file may set.
var knownConfigKeys = []string{"jobs", "sandbox", "retries", "sandbox_uid", "sandbox_gid", "benchmarks_dir", "judges_dir", "quiet", "memory_share", "python_fork_server"}

// Execute runs the root command with args and returns the exit code.
func Execute(ctx context.Context, deps Deps, args []string) int {
	root := NewRootCmd(deps)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil {
		var ee *exitError
		if !errors.As(err, &ee) || ee.err != nil {
			fmt.Fprintf(deps.Stderr, "scalebox: %v\n", err)
		}
	}
	return int(codeOf(err))
}

// NewRootCmd builds the command tree.
func NewRootCmd(deps Deps) *cobra.Command {
	if deps.Getenv == nil {
		deps.Getenv = os.Getenv
	}
	g := &globalOptions{deps: deps}
	root := &cobra.Command{
		Use:   "scalebox",
		Short: "Evaluate LLM-generated code in sandboxes, fast and faithfully",
		Long: `scalebox runs every test case of every sample of a code benchmark in a local
sandbox, concurrently, judges the outputs, and writes a reproducible JSON report.

` + exitCodesHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			if g.cpuProfile != "" {
				f, err := os.Create(g.cpuProfile)
				if err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					return err
				}
			}
			if err := g.loadConfig(c); err != nil {
				return err
			}
			if v := g.v.GetString("python_fork_server"); v != "on" && v != "off" {
				return usageError("--python-fork-server must be on or off, not %q", v)
			}
			return nil
		},
		PersistentPostRun: func(*cobra.Command, []string) {
			if g.cpuProfile != "" {
				pprof.StopCPUProfile()
			}
		},
	}
	root.SetOut(deps.Stdout)
	root.SetErr(deps.Stderr)
	root.SetIn(deps.Stdin)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return withCode(ExitUsage, err)
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.configFile, "config", "", "config file (default $XDG_CONFIG_HOME/scalebox/config.toml)")
	pf.BoolVarP(&g.quiet, "quiet", "q", false, "no progress bar, warnings only")
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log details to stderr")
	pf.StringVar(&g.judges, "judges", "", "judge registry directory (default $XDG_DATA_HOME/scalebox/judges; config key judges_dir)")
	pf.String("python-fork-server", "on", "fork Python programs from a warm interpreter in the sandbox (on) or start each as a new one (off); see docs/sandbox.md")
	pf.StringVar(&g.cpuProfile, "cpuprofile", "", "write a Go CPU profile of scalebox itself to this file")
	_ = pf.MarkHidden("cpuprofile")

	root.AddCommand(
		NewEvalCmd(g, nil), NewGenerateCmd(g, nil),
		NewBenchCmd(g),
		NewDoctorCmd(g, nil),
		NewValidateCmd(g),
		NewVersionCmd(g),
		NewReportCmd(g, nil, nil, nil), NewCompareCmd(g, nil),
		NewCheckCmd(g, nil),
		NewJudgeCmd(g), NewJudgegenCmd(g, nil),
		NewServeCmd(g, nil),
		NewClusterCmd(g),
	)
	return root
}

// configDir is scalebox's directory under the user's config directory.
func (g *globalOptions) configDir() string {
	if d := g.deps.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "scalebox")
	}
	if h := g.deps.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "scalebox")
	}
	return ""
}

// judgesDir is the judge registry: --judges, else SCALEBOX_JUDGES_DIR or
// the judges_dir config key, else under the user's data directory.
func (g *globalOptions) judgesDir() *registry.Dir {
	if g.judges != "" {
		return &registry.Dir{Path: g.judges}
	}
	if g.v != nil {
		if d := g.v.GetString("judges_dir"); d != "" {
			return &registry.Dir{Path: d}
		}
	}
	return &registry.Dir{Path: registry.DefaultPath(g.deps.Getenv)}
}

// loadConfig reads the config file (if any) and binds the command's flags
// and SCALEBOX_* environment variables over it.
func (g *globalOptions) loadConfig(c *cobra.Command) error {
	v := viper.New()
	v.SetEnvPrefix("SCALEBOX")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	file := g.configFile
	explicit := file != ""
	if !explicit && g.configDir() != "" {
		file = filepath.Join(g.configDir(), "config.toml")
	}
	if file != "" {
		if _, err := os.Stat(file); err == nil || explicit {
			fv := viper.New()
			fv.SetConfigFile(file)
			fv.SetConfigType("toml")
			if err := fv.ReadInConfig(); err != nil {
				return fmt.Errorf("config file %s: %w", file, err)
			}
			keys := fv.AllKeys()
			sort.Strings(keys)
			for _, k := range keys {
				if !slices.Contains(knownConfigKeys, k) {
					return fmt.Errorf("config file %s: unknown key %q (known: %s)", file, k, strings.Join(knownConfigKeys, ", "))
				}
				v.SetDefault(k, fv.Get(k))
			}
		}
	}
	// Flags the user set win; bind every flag so that env and file fill in
	// the ones left at their defaults.
	var bindErr error
	c.Flags().VisitAll(func(f *pflag.Flag) {
		key := strings.ReplaceAll(f.Name, "-", "_")
		if slices.Contains(knownConfigKeys, key) {
			if err := v.BindPFlag(key, f); err != nil && bindErr == nil {
				bindErr = err
			}
		}
	})
	g.v = v
	if !c.Flags().Changed("quiet") && v.GetBool("quiet") {
		g.quiet = true
	}
	return bindErr
}

// logger logs to stderr: warnings by default, details with --verbose.
func (g *globalOptions) logger() *slog.Logger {
	level := slog.LevelWarn
	if g.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(g.deps.Stderr, &slog.HandlerOptions{Level: level}))
}
