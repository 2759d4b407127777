package benchmarks_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

func TestReadLCBSamples(t *testing.T) {
	data := `
  [
  {"question_id": "2727", "question_title": "t", "code_list": ["class Solution: pass", "x = 1"], "output_list": ["ignored"], "graded_list": [true, false]},
  {"question_id": "abc301_a",
   "code_list": []},
  {"question_id": 3, "output_list": ["Here:\n` + "```python" + `\nprint(1)\nprint(2)\n` + "```" + `\nmore ` + "```" + `", "no code"]},
  {"question_id": "2727", "code_list": ["third"]}
]
`
	got, err := benchmarks.ReadSamplesFile([]byte(data), "out.json")
	if err != nil {
		t.Fatal(err)
	}
	want := []*benchmarks.Sample{
		{TaskID: "2727", Index: 0, Code: "class Solution: pass", Line: 3},
		{TaskID: "2727", Index: 1, Code: "x = 1", Line: 3},
		{TaskID: "3", Index: 0, Code: "print(1)\nprint(2)", Line: 6},
		{TaskID: "3", Index: 1, Code: "", Line: 6},
		{TaskID: "2727", Index: 2, Code: "third", Line: 7},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

// TestReadSamplesFileJSONL: a file that does not start with '[' is JSONL.
func TestReadSamplesFileJSONL(t *testing.T) {
	got, err := benchmarks.ReadSamplesFile([]byte("\n{\"task_id\": \"2727\", \"solution\": \"```python\\nx = 1\\n```\"}\n"), "s.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []*benchmarks.Sample{{TaskID: "2727", Code: "x = 1\n", Line: 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("samples (-want +got):\n%s", diff)
	}
}

func TestReadLCBSamplesErrors(t *testing.T) {
	tests := []struct {
		data, err string
	}{
		{`[{"question_id": "a"}]`, "out.json:1: question a: neither code_list nor output_list is set"},
		{`[{"code_list": ["x"]}]`, "out.json:1: record 0: question_id: task_id is missing"},
		{"[\n{\"question_id\": \"a\", \"code_list\": [1]}]", "out.json:2: record 0: json: cannot unmarshal number"},
		{`[{"question_id": "a", "code_list": []}] x`, "out.json:1: text after the list"},
		{`[{"question_id": "a", "code_list": []}`, "out.json: "},
		{`[[ "code" ]]`, "out.json:1: record 0 is a list: lcb_runner's list of code lists in benchmark order is not read here"},
	}
	for _, tt := range tests {
		_, err := benchmarks.ReadLCBSamples([]byte(tt.data), "out.json")
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want one containing %q", tt.data, err, tt.err)
		}
	}
}

func FuzzReadLCBSamples(f *testing.F) {
	f.Add(`[{"question_id": "a", "code_list": ["x", "y"]}, {"question_id": 2, "output_list": ["` + "```\\nz\\n```" + `"]}]`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, data string) {
		got, err := benchmarks.ReadSamplesFile([]byte(data), "f.json")
		if err != nil {
			return
		}
		next := map[string]int{}
		for _, s := range got {
			if s.TaskID == "" || s.Index != next[s.TaskID] || s.Line < 1 {
				t.Fatalf("sample %+v", s)
			}
			next[s.TaskID]++
		}
	})
}
