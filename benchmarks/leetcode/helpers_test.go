package leetcode_test

// Helpers the loader tests share with package benchmarks' tests.

import (
	"os"
	"path/filepath"
	"testing"
)

// writeFile writes content to dir/name, creating folders, and returns the
// path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
