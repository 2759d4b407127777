package cmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReportHTMLFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want reportHTMLOptions
	}{
		{"defaults", []string{"r.json"}, reportHTMLOptions{path: "r.json", slowest: 20}},
		{"everything", []string{"r.json", "-o", "r.html", "--slowest", "0"}, reportHTMLOptions{path: "r.json", out: "r.html"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *reportHTMLOptions
			g := &globalOptions{deps: Deps{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}}
			c := NewReportCmd(g, nil, nil, func(_ context.Context, o *reportHTMLOptions) error { got = o; return nil })
			c.SetArgs(append([]string{"html"}, tt.args...))
			if err := c.Execute(); err != nil {
				t.Fatal(err)
			}
			got.g = nil
			if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(reportHTMLOptions{})); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReportHTML: report html writes the page to -o or stdout, the same
// bytes for the same report, and fails clearly on a bad report.
func TestReportHTML(t *testing.T) {
	dir := t.TempDir()
	path := synthReport(t, dir, "r.json", "humaneval", "1", "abc", map[string][]string{"t1": {"AC", "WA"}, "t2": {"TLE"}})
	out := filepath.Join(dir, "r.html")
	stdout, stderr, code := run(t, context.Background(), "", "report", "html", path, "-o", out)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>scalebox report: humaneval 1</title>", `id="problems-table"`, `data-chart="bars"`, `"id":"t2"`} {
		if !bytes.Contains(file, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The page names its source, so stdout's page is the file's.
	stdout, _, code = run(t, context.Background(), "", "report", "html", path)
	if code != 0 || stdout != string(file) {
		t.Errorf("exit %d; the page on stdout differs from the file's (%d and %d bytes)", code, len(stdout), len(file))
	}

	os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"schema_version": 99}`), 0o644)
	for _, tt := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"report", "html", filepath.Join(dir, "bad.json")}, 1, "schema_version 99 is not supported"},
		{[]string{"report", "html", filepath.Join(dir, "missing.json")}, 1, "missing.json"},
		{[]string{"report", "html", path, "-o", filepath.Join(dir, "no", "such", "dir.html")}, 1, "write page"},
		{[]string{"report", "html", path, "--slowest", "-2"}, 2, "--slowest must not be negative"},
		{[]string{"report", "html"}, 2, "accepts 1 arg(s)"},
	} {
		_, stderr, code := run(t, context.Background(), "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, tt.code, tt.msg)
		}
	}
}

// TestCompareHTML: --html writes the page besides the usual output, and
// the gate's exit code is unchanged.
func TestCompareHTML(t *testing.T) {
	dir := t.TempDir()
	base := synthReport(t, dir, "base.json", "humaneval", "1", "abc", singleSample(200, func(int) bool { return true }))
	bad := synthReport(t, dir, "bad.json", "humaneval", "1", "abc", singleSample(200, func(i int) bool { return i >= 40 }))
	out := filepath.Join(dir, "c.html")
	stdout, stderr, code := run(t, context.Background(), "", "compare", base, bad, "--html", out, "--fail-on-regression", "1")
	if code != int(ExitBelowThreshold) || !strings.Contains(stdout, "regression: pass@1 100.00% → 80.00%") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>scalebox compare: humaneval 1</title>", "FAILED: a significant drop of more than 1 pp", `data-chart="intervals"`, `"id":"t039","kind":"broken"`} {
		if !bytes.Contains(file, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	_, stderr, code = run(t, context.Background(), "", "compare", base, bad, "--html", filepath.Join(dir, "no", "c.html"))
	if code != 1 || !strings.Contains(stderr, "write page") {
		t.Errorf("unwritable --html: exit %d, stderr %q", code, stderr)
	}
}
