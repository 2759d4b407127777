package jsonx

import (
	"encoding/json"
	"testing"
)

func TestSplitPythonJSON(t *testing.T) {
	obj, err := Object([]byte(` {"a": [1, NaN, -Infinity], "b": {"c": "x\"}"}, "d": Infinity} `))
	if err != nil {
		t.Fatal(err)
	}
	if string(obj["a"]) != `[1, NaN, -Infinity]` || string(obj["b"]) != `{"c": "x\"}"}` || string(obj["d"]) != "Infinity" {
		t.Errorf("got %q", obj)
	}
	items, err := Array([]byte(`[[1, 2], "s", {"k": []}, 3.5e-1, null]`))
	if err != nil || len(items) != 5 || string(items[2]) != `{"k": []}` {
		t.Errorf("got %q, %v", items, err)
	}
	for _, bad := range []string{``, `[`, `[1,]`, `{"a" 1}`, `[1] x`, `{"a": Nan}`, `"open`} {
		if Valid([]byte(bad)) == nil {
			t.Errorf("Valid(%q) accepted it", bad)
		}
	}
}

// FuzzArray: whatever standard JSON encoding/json accepts as an array,
// Array splits into elements that are each valid JSON.
func FuzzArray(f *testing.F) {
	for _, s := range []string{`[1, [2, {"a": "b"}], "c\\"d"]`, `[]`, `[NaN, Infinity]`, `[[[[]]]]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := Array([]byte(s))
		if err != nil {
			return
		}
		for _, it := range items {
			if Valid(it) != nil {
				t.Fatalf("element %q of %q does not scan", it, s)
			}
		}
		var std []json.RawMessage
		if json.Unmarshal([]byte(s), &std) == nil && len(std) != len(items) {
			t.Fatalf("%q: %d elements, encoding/json finds %d", s, len(items), len(std))
		}
	})
}
