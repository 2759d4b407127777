package benchmarks_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/benchmarks"
)

// sampleLines is a sample file exercising every accepted shape; its lines
// are joined with "\n" or "\r\n" by the tests.
var sampleLines = []string{
	`{"task_id": "HumanEval/0", "completion": "    return 1\n"}`,
	``,
	`{"task_id": "HumanEval/0", "completion": "    return 2\n", "model": "m", "_identifier": "x"}`,
	`{"task_id": 11, "solution": "def f(): pass"}`,
	`   `,
	`{"task_id": "HumanEval/0", "solution": "Here:\n` + "```python\\nprint(1)\\n```" + `\nDone."}`,
	`{"task_id": "cf/1", "solution": "` + "```python\\nprint(2)\\n```\\n```cpp\\nint main() {}\\n```" + `", "language": "cpp"}`,
	`{"task_id": 11, "solution": "", "language": ""}`,
	`	{"task_id": -3, "completion": "x"}	`,
	`{"task_id": "HumanEval_23_strlen", "generation": "long f() {\n    return 1;", "prompt": "long f() {", "wholecode": "long f() {\n    return 1;\n}\nmore"}`,
}

var wantSamples = []*benchmarks.Sample{
	{TaskID: "HumanEval/0", Index: 0, Code: "    return 1\n", Completion: true, Line: 1},
	{TaskID: "HumanEval/0", Index: 1, Code: "    return 2\n", Completion: true, Line: 3},
	{TaskID: "11", Index: 0, Code: "def f(): pass", Line: 4},
	{TaskID: "HumanEval/0", Index: 2, Code: "print(1)\n", Line: 6},
	{TaskID: "cf/1", Index: 0, Code: "int main() {}\n", Language: "cpp", Line: 7},
	{TaskID: "11", Index: 1, Code: "", Line: 8},
	{TaskID: "-3", Index: 0, Code: "x", Completion: true, Line: 9},
	{TaskID: "HumanEval_23_strlen", Index: 0, Code: "long f() {\n    return 1;", Line: 10},
}

func TestReadSamples(t *testing.T) {
	tests := []struct {
		name, input string
	}{
		{"LF", strings.Join(sampleLines, "\n") + "\n"},
		{"CRLF", strings.Join(sampleLines, "\r\n") + "\r\n"},
		{"no final newline", strings.Join(sampleLines, "\n")},
		{"CRLF, no final newline", strings.Join(sampleLines, "\r\n")},
		{"trailing blank lines", strings.Join(sampleLines, "\n") + "\n\n \n\r\n"},
	}
	for _, tt := range tests {
		got, err := benchmarks.ReadSamples(strings.NewReader(tt.input), "s.jsonl")
		if err != nil {
			t.Errorf("%s: ReadSamples: %v", tt.name, err)
		}
		if diff := cmp.Diff(wantSamples, got); diff != "" {
			t.Errorf("%s: ReadSamples mismatch (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestReadSamplesEmpty(t *testing.T) {
	for _, input := range []string{"", "\n", "\n\n  \r\n"} {
		got, err := benchmarks.ReadSamples(strings.NewReader(input), "s.jsonl")
		if err != nil || len(got) != 0 {
			t.Errorf("ReadSamples(%q) = %v, %v, want no samples and no error", input, got, err)
		}
	}
}

func TestReadSamplesLongLine(t *testing.T) {
	code := strings.Repeat("x = 1 # padding\n", 400_000) // about 6.4 MB
	var in bytes.Buffer
	in.WriteString(`{"task_id": "a", "solution": "short"}` + "\n")
	in.WriteString(`{"task_id": "a", "solution": "` + strings.ReplaceAll(code, "\n", `\n`) + `"}` + "\n")
	in.WriteString(`{"task_id": "b", "completion": "pass"}`)
	got, err := benchmarks.ReadSamples(&in, "big.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []*benchmarks.Sample{
		{TaskID: "a", Index: 0, Code: "short", Line: 1},
		{TaskID: "a", Index: 1, Code: code, Line: 2},
		{TaskID: "b", Index: 0, Code: "pass", Completion: true, Line: 3},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ReadSamples mismatch (-want +got):\n%s", diff)
	}
}

func TestReadSamplesErrors(t *testing.T) {
	ok := `{"task_id": "a", "solution": "x"}` + "\n"
	tests := []struct {
		input, want string
	}{
		{"not json\n", "s.jsonl:1: invalid JSON: invalid character 'o' in literal null (expecting 'u')"},
		{ok + "\n\n{\"task_id\": \"a\",\n", "s.jsonl:4: invalid JSON: unexpected end of JSON input"},
		{ok + ok + `{"task_id": "a", "solution": "x"} {}`, "s.jsonl:3: invalid JSON: invalid character '{' after top-level value"},
		{`[]`, "s.jsonl:1: invalid JSON: json: cannot unmarshal array into Go value of type benchmarks.sampleLine"},
		{`{"task_id": "a", "solution": 5}`, "s.jsonl:1: invalid JSON: json: cannot unmarshal number into Go struct field sampleLine.solution of type string"},
		{`{"solution": "x"}`, "s.jsonl:1: task_id is missing"},
		{ok + `{"task_id": null, "solution": "x"}`, "s.jsonl:2: task_id is missing"},
		{`null`, "s.jsonl:1: task_id is missing"},
		{`{"task_id": "", "solution": "x"}`, "s.jsonl:1: task_id is empty"},
		{`{"task_id": 1.5, "solution": "x"}`, "s.jsonl:1: task_id must be a string or an integer, not 1.5"},
		{`{"task_id": 1e3, "solution": "x"}`, "s.jsonl:1: task_id must be a string or an integer, not 1e3"},
		{`{"task_id": 99999999999999999999, "solution": "x"}`, "s.jsonl:1: task_id must be a string or an integer, not 99999999999999999999"},
		{`{"task_id": true, "solution": "x"}`, "s.jsonl:1: task_id must be a string or an integer, not true"},
		{`{"task_id": ["a"], "solution": "x"}`, `s.jsonl:1: task_id must be a string or an integer, not ["a"]`},
		{ok + ok + `{"task_id": "b", "solution": "x", "completion": "y"}`, "s.jsonl:3: task b: both solution and completion are set; give one"},
		{`{"task_id": 7, "solution": "", "completion": ""}`, "s.jsonl:1: task 7: both solution and completion are set; give one"},
		{`{"task_id": "g", "solution": "x", "generation": "y"}`, "s.jsonl:1: task g: both solution and generation are set; give one"},
		{ok + `{"task_id": "g", "generation": "x", "completion": "y"}`, "s.jsonl:2: task g: both generation and completion are set; give one"},
		{"\r\n" + `{"task_id": "b"}` + "\r\n", "s.jsonl:2: task b: neither solution nor completion is set"},
		{`{"task_id": "b", "solution": null, "completion": null}`, "s.jsonl:1: task b: neither solution nor completion is set"},
		{`{"task_id": "b", "code": "x"}`, "s.jsonl:1: task b: neither solution nor completion is set"},
	}
	for _, tt := range tests {
		got, err := benchmarks.ReadSamples(strings.NewReader(tt.input), "s.jsonl")
		if diff := cmp.Diff(tt.want, errText(err)); diff != "" {
			t.Errorf("ReadSamples(%q) = %v, error mismatch (-want +got):\n%s", tt.input, got, diff)
		}
	}
}

func TestReadSamplesReadError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader(`{"task_id": "a", "solution": "x"}`+"\n"), iotest.ErrReader(boom))
	got, err := benchmarks.ReadSamples(r, "s.jsonl")
	if !errors.Is(err, boom) {
		t.Fatalf("ReadSamples = %v, %v, want an error wrapping %v", got, err, boom)
	}
	if diff := cmp.Diff("s.jsonl:2: boom", err.Error()); diff != "" {
		t.Errorf("error mismatch (-want +got):\n%s", diff)
	}
}

// FuzzReadSamples checks that ReadSamples never panics, that errors name
// the file, and that samples have a task id, a line and per-task indexes in
// file order.
func FuzzReadSamples(f *testing.F) {
	f.Add([]byte(strings.Join(sampleLines, "\n")))
	f.Add([]byte(strings.Join(sampleLines, "\r\n") + "\r\n"))
	f.Add([]byte(`{"task_id": 1, "solution": "` + "```py\\nx\\n```" + `"}`))
	f.Add([]byte(`{"task_id": "a", "completion": null}`))
	f.Add([]byte("\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		samples, err := benchmarks.ReadSamples(bytes.NewReader(data), "f.jsonl")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.jsonl:") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		next := map[string]int{}
		line := 0
		for _, s := range samples {
			if s.TaskID == "" || s.Line <= line || s.Index != next[s.TaskID] {
				t.Fatalf("bad sample %+v after line %d (next index %d)", s, line, next[s.TaskID])
			}
			line = s.Line
			next[s.TaskID]++
		}
	})
}
