package runner

import (
	"os"
	"testing"
)

// needPool returns a real pool of warm sandboxes. A machine without
// bubblewrap skips the test, except in CI, where the test must run.
func needPool(t *testing.T) *Pool {
	t.Helper()
	p, err := NewPool(Options{})
	if err != nil {
		skipOrFail(t, "warm sandboxes unavailable: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("close pool: %v", err)
		}
	})
	return p
}

func TestPoolQuick(t *testing.T) {
	p := needPool(t)
	needPython(t)
	for i := 0; i < 5; i++ {
		r := runPy(t, p, "import os; print('hi', os.getpid(), os.getppid(), os.listdir('.'), os.listdir('/tmp'))\nopen('/tmp/x','w').write('y')")
		t.Logf("%v %d %q %q", r.Status, r.ExitCode, r.Stdout, r.Stderr)
	}
	t.Logf("%+v", p.Stats())
}

func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI=true but: "+format, args...)
	}
	t.Skipf(format, args...)
}
