// Package checkertest gives tests a checker environment on the real
// sandbox.
package checkertest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/runner"
)

// Env returns a checker environment on the real bwrap sandbox, closed when
// the test ends. It skips the test when bwrap, g++ or python3 is missing,
// and fails it instead when CI=true.
func Env(t testing.TB) *checker.Env {
	t.Helper()
	sb, err := runner.NewBwrap(runner.Options{})
	if err == nil {
		_, err = exec.LookPath("g++")
	}
	if err == nil {
		_, err = os.Stat("/usr/bin/python3")
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the sandbox or a toolchain is missing: %v", err)
		}
		t.Skipf("sandbox unavailable: %v", err)
	}
	t.Cleanup(func() { sb.Close() })
	langs, err := runner.DefaultLanguages()
	if err != nil {
		t.Fatal(err)
	}
	uid, gid := sb.HostIDs()
	b, err := runner.NewBuilder(sb, uid, gid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &checker.Env{Sandbox: sb, Builder: b, Resolver: runner.NewResolver(langs, sb.Visible)}
}
