package eval

import (
	"context"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/runner"
)

// Executor builds the engine's samples and runs their tests somewhere
// else than the engine's own sandbox: package cluster's Remote sends them
// to `scalebox serve` nodes. The engine still plans, schedules, judges and
// decides; an Executor only turns a build into a compile result and a test
// into the run's raw result, so that a remote evaluation is judged by the
// same code as a local one. Methods are called concurrently; an error is a
// failure of the machinery (retried, then SE), never a verdict.
type Executor interface {
	// Build compiles (or stages) the plan's program; a compile error is a
	// result without Program. The result's Program is a handle only: its
	// runs go through Run. Node names where it was built.
	Build(ctx context.Context, b BuildJob) (br *runner.BuildResult, node string, err error)
	// Run runs one test of a built program and returns its result. Node
	// names where it ran.
	Run(ctx context.Context, r RunJob) (res *runner.Result, node string, err error)
}

// BuildJob is a sample's program to build: the toolchain (its language id
// and version) and the plan (files, compile command, environment, staged
// or not, and the run command).
type BuildJob struct {
	Toolchain *runner.Toolchain
	Plan      *benchmarks.Plan
	// Key identifies the build by content (language, version, command,
	// environment, files).
	Key string
}

// RunJob is one test of a built program.
type RunJob struct {
	Build  BuildJob
	Stdin  []byte
	Limits runner.Limits
	// Watch, when set, reads the run's stdout as it comes, as
	// runner.Spec.Watch does: when it returns true the run is stopped and
	// its Status is runner.StatusStopped.
	Watch func(stdout []byte) (stop bool)
}
