package registry_test

import (
	"os"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/judge/registry"
)

func TestReadScaleBox(t *testing.T) {
	data := `{"id": 7, "checker": "int main(){return 0;}", "success": true}

{"id": 8, "checker": null, "success": false}
{"id": 9, "checker": "int main(){}", "success": false}
`
	recs, skipped, err := registry.ReadScaleBox([]byte(data), "c.jsonl", "aether", "2026-01-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].TaskID != "7" || recs[1].Provenance.Note != "scalebox success: false" || recs[0].Checker.Protocol != "scalebox" {
		t.Errorf("records %+v", recs)
	}
	if len(skipped) != 1 || skipped[0] != "c.jsonl:3: id 8 has no checker (success false)" {
		t.Errorf("skipped %q", skipped)
	}
	for _, bad := range []string{
		`{"id": 1, "checker": "x"}` + "\n" + `{"id": 1, "checker": "y"}`,
		`{"id": "a", "checker": "x"}`,
		`{"id": 1, "checker": "x", "extra": 1}`,
		`{"id": 1`,
	} {
		if _, _, err := registry.ReadScaleBox([]byte(bad), "c.jsonl", "b", ""); err == nil || !strings.Contains(err.Error(), "c.jsonl:") {
			t.Errorf("ReadScaleBox(%q) = %v, want an error naming the line", bad, err)
		}
	}
}

// TestReadScaleBoxData reads the real checker.jsonl: 398 checkers, 2 rows
// without one.
func TestReadScaleBoxData(t *testing.T) {
	path := "../../../shared/data/special_judge/scalebox_aethercode_checker.jsonl"
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	recs, skipped, err := registry.ReadScaleBox(data, path, "aethercode", "")
	if err != nil || len(recs) != 398 || len(skipped) != 2 {
		t.Errorf("%d records, %d skipped, %v", len(recs), len(skipped), err)
	}
}

// FuzzReadScaleBox: any input gives records or an error, never a panic;
// every record has a task id and a checker that validates.
func FuzzReadScaleBox(f *testing.F) {
	f.Add(`{"id": 1, "checker": "int main(){}", "success": true}`)
	f.Add(`{"id": 1e3, "checker": null}`)
	f.Add("{}\n{}")
	f.Fuzz(func(t *testing.T, data string) {
		recs, _, err := registry.ReadScaleBox([]byte(data), "f", "b", "")
		if err != nil {
			return
		}
		for _, r := range recs {
			if r.TaskID == "" || r.Checker.Validate() != nil {
				t.Errorf("record %+v", r)
			}
		}
	})
}
