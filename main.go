// Command scalebox evaluates code written by language models in sandboxes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/scalebox-dev/scalebox/cmd"
	"github.com/scalebox-dev/scalebox/runner"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the default handling returns, so a second
	// Ctrl-C ends the process at once (sandboxes die with it).
	context.AfterFunc(ctx, stop)
	// Orphans of sandboxed runs come to scalebox and are reaped, also when
	// it is PID 1 of a container.
	stopReaper, err := runner.StartReaper()
	if err != nil {
		stopReaper = func() {}
	}
	code := cmd.Execute(ctx, cmd.DefaultDeps(), os.Args[1:])
	stop()
	stopReaper()
	os.Exit(code)
}
