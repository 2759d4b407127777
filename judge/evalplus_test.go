package judge

import (
	"math"
	"testing"
)

func mustPy(t *testing.T, wire string) PyValue {
	t.Helper()
	v, err := DecodePyValue([]byte(wire))
	if err != nil {
		t.Fatalf("DecodePyValue(%s): %v", wire, err)
	}
	return v
}

func TestPyEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`1`, `1.0`, true},
		{`true`, `1`, true},
		{`false`, `0.0`, true},
		{`{"int": "123456789012345678901234567890"}`, `{"int": "123456789012345678901234567890"}`, true},
		{`9007199254740993`, `9007199254740992.0`, false}, // exact int/float comparison, as CPython
		{`0.1`, `0.1`, true},
		{`{"float": "nan"}`, `{"float": "nan"}`, false},
		{`{"float": "inf"}`, `{"float": "inf"}`, true},
		{`[1, 2]`, `{"tuple": [1, 2]}`, false},
		{`{"tuple": [1, [2]]}`, `{"tuple": [1.0, [2]]}`, true},
		{`{"set": [1, 2]}`, `{"frozenset": [2, 1]}`, true},
		{`{"set": [1, 1.0, true]}`, `{"set": [1]}`, true},
		{`{"dict": [[1, "a"], ["b", 2]]}`, `{"dict": [["b", 2.0], [1.0, "a"]]}`, true},
		{`{"dict": [[1, "a"]]}`, `{"dict": [[2, "a"]]}`, false},
		{`"a"`, `{"bytes": "YQ=="}`, false},
		{`{"complex": ["1.0", "0.0"]}`, `1`, true},
		{`{"complex": ["1.0", "2.0"]}`, `1`, false},
		{`null`, `null`, true},
		{`null`, `0`, false},
		{`{"opaque": "__main__.Hack"}`, `{"opaque": "__main__.Hack"}`, false},
		{`{"opaque": "__main__.Hack"}`, `1`, false},
	}
	for _, tt := range tests {
		if got := PyEqual(mustPy(t, tt.a), mustPy(t, tt.b)); got != tt.want {
			t.Errorf("PyEqual(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPyFromJSONReadsPythonLiterals(t *testing.T) {
	v, err := PyFromJSON([]byte(`[NaN, Infinity, -Infinity, 1, 2.5, "x", {"k": [true, null]}]`))
	if err != nil {
		t.Fatal(err)
	}
	if v.Kind != PyList || len(v.Items) != 7 || !math.IsNaN(v.Items[0].Float) || !math.IsInf(v.Items[2].Float, -1) ||
		v.Items[3].Kind != PyInt || v.Items[4].Kind != PyFloat || v.Items[6].Kind != PyDict {
		t.Errorf("got %s", v.Repr(200))
	}
	for _, bad := range []string{``, `[1,`, `{"a"}`, `nope`, `[1] 2`} {
		if _, err := PyFromJSON([]byte(bad)); err == nil {
			t.Errorf("PyFromJSON(%q) accepted garbage", bad)
		}
	}
}

func TestEvalplusCheck(t *testing.T) {
	tests := []struct {
		name           string
		check          EvalplusCheck
		inp, out, want string
		ok             bool
	}{
		{"exact", EvalplusCheck{}, `[1]`, `2`, `2`, true},
		{"wrong", EvalplusCheck{}, `[1]`, `3`, `2`, false},
		{"int for float within 1e-6 is a type mismatch", EvalplusCheck{}, `[1]`, `2`, `2.0000001`, false},
		{"float forced atol", EvalplusCheck{}, `[1]`, `0.30000000000000004`, `0.3`, true},
		{"float beyond atol", EvalplusCheck{}, `[1]`, `0.301`, `0.3`, false},
		{"list of floats", EvalplusCheck{}, `[1]`, `[0.1, 0.2]`, `[0.1000000001, 0.2]`, true},
		{"list length differs", EvalplusCheck{}, `[1]`, `[0.1]`, `[0.1, 0.2]`, false},
		{"tuple vs list", EvalplusCheck{}, `[1]`, `[0.1]`, `{"tuple": [0.1]}`, false},
		{"explicit atol", EvalplusCheck{Atol: 1e-3}, `[1]`, `1.0005`, `1.0`, true},
		{"nan never close", EvalplusCheck{}, `[1]`, `{"float": "nan"}`, `{"float": "nan"}`, false},
		{"inf close to inf", EvalplusCheck{}, `[1]`, `[{"float": "inf"}]`, `[{"float": "inf"}]`, true},
		{"strings in allclose fail", EvalplusCheck{Atol: 1e-6}, `[1]`, `["a"]`, `["b"]`, false},
		{"opaque never equal", EvalplusCheck{}, `[1]`, `{"opaque": "x.Y"}`, `1`, false},
		{"set_eq", EvalplusCheck{Dataset: "mbpp", EntryPoint: "similar_elements"}, `[[1], [2]]`, `{"tuple": [5, 4]}`, `{"set": [4, 5]}`, true},
		{"set_eq wrong", EvalplusCheck{Dataset: "mbpp", EntryPoint: "similar_elements"}, `[[1], [2]]`, `[4]`, `{"set": [4, 5]}`, false},
		{"set_eq not iterable", EvalplusCheck{Dataset: "mbpp", EntryPoint: "Diff"}, `[[1], [2]]`, `4`, `[4]`, false},
		{"not_none returns something", EvalplusCheck{Dataset: "mbpp", EntryPoint: "check_str"}, `["a"]`, `"Valid"`, `true`, true},
		{"not_none returns None", EvalplusCheck{Dataset: "mbpp", EntryPoint: "check_str"}, `["a"]`, `null`, `true`, false},
		{"not_none bool compared", EvalplusCheck{Dataset: "mbpp", EntryPoint: "check_str"}, `["a"]`, `false`, `true`, false},
		{"are_equivalent anything", EvalplusCheck{Dataset: "mbpp", EntryPoint: "are_equivalent"}, `[1, 2]`, `"whatever"`, `true`, true},
		{"sum_div zero", EvalplusCheck{Dataset: "mbpp", EntryPoint: "sum_div"}, `[5]`, `0`, `7`, true},
		{"sum_div other", EvalplusCheck{Dataset: "mbpp", EntryPoint: "sum_div"}, `[5]`, `6`, `7`, false},
		{"surface_Area oracle", EvalplusCheck{Dataset: "mbpp", EntryPoint: "surface_Area"}, `[3, 4]`, `35`, `30`, true},
		{"surface_Area wrong", EvalplusCheck{Dataset: "mbpp", EntryPoint: "surface_Area"}, `[3, 4]`, `34`, `30`, false},
		{"digit_distance oracle", EvalplusCheck{Dataset: "mbpp", EntryPoint: "digit_distance_nums"}, `[123, 256]`, `7`, `9`, true},
		{"digit_distance negative raises", EvalplusCheck{Dataset: "mbpp", EntryPoint: "digit_distance_nums"}, `[-12, 256]`, `7`, `9`, false},
		{"find_zero root", EvalplusCheck{Dataset: "humaneval", EntryPoint: "find_zero", Atol: 1e-4}, `[[-6, 11, -6, 1]]`, `1.0000000001`, `3.0`, true},
		{"find_zero not a root", EvalplusCheck{Dataset: "humaneval", EntryPoint: "find_zero", Atol: 1e-4}, `[[-6, 11, -6, 1]]`, `1.5`, `3.0`, false},
		{"find_zero non-number", EvalplusCheck{Dataset: "humaneval", EntryPoint: "find_zero", Atol: 1e-4}, `[[-6, 11, -6, 1]]`, `"1"`, `3.0`, false},
		{"mbpp oracle not applied to humaneval", EvalplusCheck{Dataset: "humaneval", EntryPoint: "sum_div"}, `[5]`, `0`, `7`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inp, err := PyFromJSON([]byte(tt.inp))
			if err != nil {
				t.Fatal(err)
			}
			if got := tt.check.Check(inp.Items, mustPy(t, tt.out), mustPy(t, tt.want)); got != tt.ok {
				t.Errorf("Check(%s, %s, %s) = %v, want %v", tt.inp, tt.out, tt.want, got, tt.ok)
			}
		})
	}
}

func TestExactPowIsCorrectlyRounded(t *testing.T) {
	for _, x := range []float64{1.1, -2.5, 0.3, 1e-3, 123.456} {
		for n := 0; n < 8; n++ {
			got, ok := exactPow(x, n)
			if !ok {
				t.Fatalf("exactPow(%v, %d) overflowed", x, n)
			}
			if want := math.Pow(x, float64(n)); math.Abs(got-want) > 4*math.Abs(want)*1e-16 {
				t.Errorf("exactPow(%v, %d) = %v, math.Pow = %v", x, n, got, want)
			}
		}
	}
	if _, ok := exactPow(1e200, 3); ok {
		t.Error("exactPow(1e200, 3) did not overflow")
	}
}

func FuzzDecodePyValue(f *testing.F) {
	for _, s := range []string{`1`, `[1, {"tuple": [2.5, "x"]}]`, `{"dict": [[1, {"set": [null]}]]}`, `{"float": "nan"}`, `{"opaque": "a.B"}`, `{"int": "-99"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := DecodePyValue([]byte(s))
		if err != nil {
			return
		}
		_ = v.Repr(100)
		_ = PyEqual(v, v)
		_ = EvalplusCheck{Dataset: "mbpp", EntryPoint: "similar_elements"}.Check(nil, v, v)
	})
}
