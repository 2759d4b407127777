package codecontests_test

// Helpers the loader tests share with package benchmarks' tests.

import (
	"os"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

var python = &benchmarks.Config{Language: "python3"}

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

const sharedData = "../../../shared/data"

func needData(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing", path)
		}
		t.Skipf("%s missing", path)
	}
}
