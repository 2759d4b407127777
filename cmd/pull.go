package cmd

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

func newBenchPullCmd(g *globalOptions) *cobra.Command {
	var version string
	var force bool
	c := &cobra.Command{
		Use:   "pull NAME [--version V]",
		Short: "Download a benchmark's dataset from its release location",
		Long: `Download a benchmark's data from the public release its configuration names,
check it against the pinned sha256 (of the content, after decompression), and
store it where eval finds it without --data:
$XDG_DATA_HOME/scalebox/data/NAME/VERSION/FILE.`,
		Example: `  scalebox bench pull humanevalplus
  scalebox bench pull humanevalplus --version v0.1.9`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			reg := &benchmarks.Registry{Dirs: benchDirs(g)}
			cfg, err := reg.Load(args[0])
			if err != nil {
				return err
			}
			r, err := cfg.FindRelease(version)
			if err != nil {
				return err
			}
			opts := benchmarks.PullOptions{Force: force}
			if g.deps.StderrIsTerminal && !g.quiet {
				last := time.Time{}
				opts.Progress = func(done, total int64) {
					if time.Since(last) < 200*time.Millisecond {
						return
					}
					last = time.Now()
					if total > 0 {
						fmt.Fprintf(g.deps.Stderr, "\r%s: %d of %d KiB", r.URL, done>>10, total>>10)
					} else {
						fmt.Fprintf(g.deps.Stderr, "\r%s: %d KiB", r.URL, done>>10)
					}
				}
			}
			path, err := benchmarks.Pull(c.Context(), cfg, r, opts)
			if opts.Progress != nil {
				fmt.Fprintln(g.deps.Stderr)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(g.deps.Stdout, "%s %s: %s (sha256 verified)\n", cfg.Name, r.Version, path)
			return nil
		},
	}
	c.Flags().StringVar(&version, "version", "", "release to download (default: the configured version)")
	c.Flags().BoolVar(&force, "force", false, "download again even if a verified copy is present")
	return c
}
