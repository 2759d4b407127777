package benchmarks

import (
	"os"
	"os/exec"
	"testing"
)

// TestDemoDataIsGenerated checks that the embedded demo data matches its
// sources in builtin/demo/src (regenerate with `make generate`).
func TestDemoDataIsGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go tool")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but the go tool is not in PATH")
		}
		t.Skip("go tool not in PATH")
	}
	out, err := exec.Command(gobin, "run", "./builtin/demo/gen.go", "-check").CombinedOutput()
	if err != nil {
		t.Fatalf("demo data is stale or its sources are invalid (run `make generate`): %v\n%s", err, out)
	}
}
