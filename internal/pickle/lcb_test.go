package pickle_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/internal/pickle"
)

// lcbProblem summarises a decoded LiveCodeBench input_output JSON.
type lcbProblem struct {
	ID                      int
	Tests                   int
	FnName                  string
	FirstInput, FirstOutput string
}

// TestDecodeLCBTestsFixture decodes the "test" field of ScaleBox's three
// LiveCodeBench v1 problems (testdata/scalebox_code_eval_live_code_bench_v1.jsonl,
// from icip-cas/ScaleBox sandbox/tests/datasets/samples, Apache-2.0): each is
// base64(zlib(pickle({'input_output': json}))) at protocol 4.
func TestDecodeLCBTestsFixture(t *testing.T) {
	f, err := os.Open("testdata/scalebox_code_eval_live_code_bench_v1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got []lcbProblem
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct {
			ID   int    `json:"id"`
			Test string `json:"test"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatal(err)
		}
		text, err := pickle.DecodeLCBTests(row.Test)
		if err != nil {
			t.Fatalf("problem %d: %v", row.ID, err)
		}
		var io struct {
			Inputs  []string `json:"inputs"`
			Outputs []string `json:"outputs"`
			FnName  *string  `json:"fn_name"`
		}
		dec := json.NewDecoder(bytes.NewReader([]byte(text)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&io); err != nil {
			t.Fatalf("problem %d: %v", row.ID, err)
		}
		if len(io.Inputs) != len(io.Outputs) {
			t.Errorf("problem %d: %d inputs, %d outputs", row.ID, len(io.Inputs), len(io.Outputs))
		}
		p := lcbProblem{ID: row.ID, Tests: len(io.Inputs), FirstInput: io.Inputs[0], FirstOutput: io.Outputs[0]}
		if io.FnName != nil {
			p.FnName = *io.FnName
		}
		got = append(got, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	want := []lcbProblem{
		{1, 5, "", "6\nabc\nacb\nbac\nbca\ncab\ncba\n", "YES\nYES\nYES\nNO\nNO\nYES\n"},
		{10, 14, "countSeniors", `["7868190130M7522", "5303914400F9211", "9273338290F4010"]`, "2"},
		{191, 15, "", "5\nTTAAT\n", "T\n"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded fixture mismatch (-want +got):\n%s", diff)
	}
}

// TestDecodeLCBTests covers the two encodings of code_generation_lite's
// private_test_cases and the errors of each step. The base64 constants are
// CPython 3.11's base64.b64encode(zlib.compress(pickle.dumps(x, protocol))).
func TestDecodeLCBTests(t *testing.T) {
	const tests = `[{"input": "1 2\n", "output": "3\n", "testtype": "stdin"}]`
	cases := []struct {
		name  string
		field string
		want  decodedText
	}{
		{"JSON list as is", tests, decodedText{tests, ""}},
		{"JSON object as is", `{"inputs": [], "outputs": []}`, decodedText{`{"inputs": [], "outputs": []}`, ""}},
		{"pickled str, protocol 4", "eJxrYJlqxwABPVbR1UqZeQWlJUpWCkqGCkYxeUo6Ckr5pSVQIWOIQElqcUlJZUEqSKi4JCUzT6k2dooeALEqFJ0=", decodedText{tests, ""}},
		{"pickled str, protocol 5", "eJxrYJ1qxwABPVbR1UqZeQWlJUpWCkqGCkYxeUo6Ckr5pSVQIWOIQElqcUlJZUEqSKi4JCUzT6k2dooeALFyFJ4=", decodedText{tests, ""}},
		{"base64 split over lines", "eJxrYJlqxwABPVbR1UqZeQWlJUpWCkqGCkYxeUo6Ckr5pSVQIWOIQElqcUlJZUEq\nSKi4JCUzT6k2dooeALEqFJ0=\n", decodedText{tests, ""}},
		{"empty", "", decodedText{"", "lcb tests: field is empty"}},
		{"not base64", "[{", decodedText{"", "lcb tests: not JSON, and base64: illegal base64 data at input byte 0"}},
		{"not zlib", "aGVsbG8=", decodedText{"", "lcb tests: zlib: invalid header"}},
		{"truncated zlib", "eJxrYJnKxgABPUzRsVP0ABk=", decodedText{"", "lcb tests: zlib: unexpected EOF"}},
		{"pickle runs code", "eJxrYJkqwgABPRxJpZk5JZl5xVN6mHNS86ZMnqIHAHemCXc=", decodedText{"", "lcb tests: pickle: offset 28: opcode STACK_GLOBAL (0x93): not supported: it would import or call Python code"}},
		{"pickled list", "eJxrYJnKxgABsVO8GRP1ABkRAuw=", decodedText{"", `lcb tests: pickle: holds a list or tuple, want a str or a dict with a str at "input_output"`}},
		{"pickled dict without input_output", "eJxrYJkqyAABtVM0ehgTp3gz9jAmTfFmKtUDAFStBqU=", decodedText{"", `lcb tests: pickle: holds a dict with keys "a", "b", want a str or a dict with a str at "input_output"`}},
		{"pickled str is not JSON", "eJxrYJnKwwABPRx5+SUKWcX5eVP0ADXKBac=", decodedText{"", "lcb tests: json: the unpickled str is not valid JSON"}},
	}
	for _, tt := range cases {
		got, err := pickle.DecodeLCBTests(tt.field)
		if diff := cmp.Diff(tt.want, decodedText{got, errString(err)}); diff != "" {
			t.Errorf("%s: DecodeLCBTests(%q) mismatch (-want +got):\n%s", tt.name, tt.field, diff)
		}
	}
}

// decodedText is what DecodeLCBTests returns, in one value for cmp.Diff.
type decodedText struct {
	Text string
	Err  string
}

// FuzzDecodeLCBTests checks that DecodeLCBTests never panics and that what
// it returns is JSON.
func FuzzDecodeLCBTests(f *testing.F) {
	f.Add(`[{"input": "1\n", "output": "1\n", "testtype": "stdin"}]`)
	f.Add("eJxrYJlqxwABPVbR1UqZeQWlJUpWCkqGCkYxeUo6Ckr5pSVQIWOIQElqcUlJZUEqSKi4JCUzT6k2dooeALEqFJ0=")
	f.Add("eJxrYJnKxgABsVO8GRP1ABkRAuw=")
	f.Add("eJxrYJnKwwABPRx5+SUKWcX5eVP0ADXKBac=")
	f.Fuzz(func(t *testing.T, field string) {
		got, err := pickle.DecodeLCBTests(field)
		if err == nil && !json.Valid([]byte(got)) {
			t.Errorf("DecodeLCBTests(%q) = %q, which is not JSON", field, got)
		}
	})
}
