package registry_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/judge/checker"
	"github.com/scalebox-dev/scalebox/judge/registry"
)

func TestPutGetListRemove(t *testing.T) {
	d := &registry.Dir{Path: t.TempDir()}
	recs := []*registry.Record{
		{Benchmark: "demo", TaskID: "demo/pair-sum", Checker: checker.Spec{Protocol: checker.Kattis, Language: "python3", Source: "exit(42)"},
			Provenance: registry.Provenance{Kind: registry.FromLLM, Model: "m", PromptSHA256: "ab", Date: "2026-01-02T03:04:05Z"},
			Validation: &registry.Validation{Passed: true, Kind: "full"}},
		{Benchmark: "demo", TaskID: "demo/bad", Checker: checker.Spec{Protocol: checker.Builtin, Comparator: "tokens"},
			Provenance: registry.Provenance{Kind: registry.FromTemplate, Template: "tokens"}, Validation: &registry.Validation{Passed: false}},
		{Benchmark: "aethercode", TaskID: "10", Checker: checker.Spec{Protocol: checker.ScaleBox, Language: "cpp", Source: "int main(){}"},
			Provenance: registry.Provenance{Kind: registry.FromImported, File: "checker.jsonl", Item: "10"}},
		{Benchmark: "aethercode", TaskID: "9", Checker: checker.Spec{Protocol: checker.ScaleBox, Language: "cpp", Source: "int main(){}"},
			Provenance: registry.Provenance{Kind: registry.FromImported}},
	}
	for _, r := range recs {
		if err := d.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(d.Path, "demo", "demo%2Fpair-sum.json")); err != nil {
		t.Errorf("record file: %v", err)
	}
	got, err := d.Get("demo", "demo/pair-sum")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recs[0], got); diff != "" {
		t.Errorf("Get (-want +got):\n%s", diff)
	}
	all, err := d.List("")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range all {
		ids = append(ids, r.Benchmark+" "+r.TaskID+" "+r.Status())
	}
	want := []string{"aethercode 9 unvalidated", "aethercode 10 unvalidated", "demo demo/bad failed", "demo demo/pair-sum validated"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	specs, skipped, err := d.Checkers("demo")
	if err != nil || len(specs) != 1 || specs["demo/pair-sum"] == nil || len(skipped) != 1 {
		t.Errorf("Checkers = %v, %v, %v", specs, skipped, err)
	}
	if err := d.Remove("demo", "demo/bad"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Get("demo", "demo/bad"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Get after Remove: %v", err)
	}
	if err := d.Remove("demo", "demo/bad"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Remove twice: %v", err)
	}
}

func TestPutRejectsInvalid(t *testing.T) {
	d := &registry.Dir{Path: t.TempDir()}
	for _, r := range []*registry.Record{
		{Benchmark: "b", Checker: checker.Spec{Protocol: checker.Builtin, Comparator: "tokens"}},
		{Benchmark: "b", TaskID: "t", Checker: checker.Spec{Protocol: checker.Kattis}},
	} {
		if err := d.Put(r); err == nil {
			t.Errorf("Put(%+v) succeeded", r)
		}
	}
}

func TestUnknownFieldIsAnError(t *testing.T) {
	d := &registry.Dir{Path: t.TempDir()}
	os.MkdirAll(filepath.Join(d.Path, "b"), 0o755)
	os.WriteFile(filepath.Join(d.Path, "b", "t.json"), []byte(`{"benchmark":"b","task_id":"t","checkr":{}}`), 0o644)
	if _, err := d.Get("b", "t"); err == nil {
		t.Error("a misspelt field was accepted")
	}
}

func TestDefaultPath(t *testing.T) {
	env := map[string]string{"HOME": "/home/u"}
	if got := registry.DefaultPath(func(k string) string { return env[k] }); got != "/home/u/.local/share/scalebox/judges" {
		t.Errorf("DefaultPath = %q", got)
	}
	env["XDG_DATA_HOME"] = "/data"
	if got := registry.DefaultPath(func(k string) string { return env[k] }); got != "/data/scalebox/judges" {
		t.Errorf("DefaultPath = %q", got)
	}
}
