// Package golden compares test output with golden files under testdata/,
// rewriting them when the test runs with -update.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/ with the output of the tests")

// Path is the golden file of the running test: testdata/<TestName>.golden,
// with the slashes of a subtest's name replaced, or testdata/<TestName><ext>
// when ext is given (".html" lets the file open in a browser).
func Path(t testing.TB, ext ...string) string {
	e := ".golden"
	if len(ext) > 0 {
		e = ext[0]
	}
	return filepath.Join("testdata", strings.ReplaceAll(t.Name(), "/", "_")+e)
}

// Check compares got with the test's golden file (Path(t, ext...)), or
// writes got there under -update. A difference fails the test with the
// first line that differs.
func Check(t testing.TB, got []byte, ext ...string) {
	t.Helper()
	path := Path(t, ext...)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if bytes.Equal(want, got) {
		return
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			t.Fatalf("output differs from %s at line %d (go test -update rewrites it):\n-want %q\n+got  %q", path, i+1, w, g)
		}
	}
}
