package cmd

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/internal/buildinfo"
)

// NewVersionCmd returns `scalebox version`.
func NewVersionCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			commit := buildinfo.Commit()
			if commit == "" {
				commit = "unknown"
			}
			_, err := fmt.Fprintf(g.deps.Stdout, "scalebox %s (commit %s, %s, %s/%s)\n",
				buildinfo.Version(), commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
