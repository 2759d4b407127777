package judge

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func lit(t testing.TB, s string) PyValue {
	t.Helper()
	v, err := ParsePyLiteral(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// TestParseCheckCalls: the calls a test makes, as the sandbox evaluates
// them.
func TestParseCheckCalls(t *testing.T) {
	tests := []struct {
		name, test, entry string
		want              []string
	}{
		{"literal asserts", "def check(candidate):\n    assert candidate(1, 'a') == 2\n    assert candidate([1, 2]) == [3]\n", "f",
			[]string{"candidate((1), ('a'))", "candidate(([1, 2]))"}},
		{"entry point by name", "def check(candidate):\n    assert f(1) == g\n", "f", nil},
		{"both names", "def check(candidate):\n    assert tuple(candidate([1])) == tuple(f([1]))\n", "f",
			[]string{"tuple(candidate(([1])))", "tuple(candidate(([1])))"}},
		{"truth and identity", "def check(c):\n    assert c(1)\n    assert not c(2)\n    assert c(3) is True\n    assert None is c(4)\n", "f",
			[]string{"_truth(candidate((1)))", "_truth(candidate((2)))", "_ident(candidate((3)))", "_ident(candidate((4)))"}},
		{"loop variables are values", "def check(candidate):\n    for x in range(2, 4):\n        assert candidate(x, x + 1) == str(x)\n", "f",
			[]string{"candidate(2, 3)", "candidate(3, 4)"}},
		{"keyword arguments", "def check(candidate):\n    assert candidate(1, key=[2]) == 3\n", "f", []string{"candidate((1), key=([2]))"}},
		{"module-level asserts", "import math\nassert math.isclose(f(2.0), 4.0, rel_tol=0.001)\nassert set(f([1])) == set([1])\n", "f",
			[]string{"candidate((2.0))", "set(candidate(([1])))"}},
		{"computed list", "def check(candidate):\n    lst = list(range(-3, 4, 2))\n    s = sum([i**2 for i in lst if i > 0])\n    assert candidate(lst) == s\n", "f",
			[]string{"candidate([-3, -1, 1, 3])"}},
		{"an always failing assert ends the calls", "def check(candidate):\n    assert candidate(1) == 1\n    assert 1 == 2\n    assert candidate(2) == 2\n", "f",
			[]string{"candidate((1))"}},
		{"metadata and print", "METADATA = {'a': 1}\n\ndef check(candidate):\n    print\n    assert candidate('x') == 'y', f'bad {candidate}'\n", "f",
			[]string{"candidate(('x'))"}},
		{"builtin shadowed by the entry point", "assert sum(1, 2) == 3\n", "sum", []string{"candidate((1), (2))"}},
	}
	for _, tt := range tests {
		c, err := ParseCheck(tt.test, tt.entry)
		if err != nil {
			if tt.want == nil {
				continue
			}
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if tt.want == nil {
			t.Errorf("%s: decomposed into %q, want an error", tt.name, c.Calls())
			continue
		}
		if diff := cmp.Diff(tt.want, c.Calls()); diff != "" {
			t.Errorf("%s: calls (-want +got):\n%s", tt.name, diff)
		}
	}
}

// TestParseCheckRefuses: tests whose verdict depends on what only Python
// can compute, or on the order or number of calls, do not decompose.
func TestParseCheckRefuses(t *testing.T) {
	tests := []struct{ name, test, reason string }{
		{"random inputs", "import random\ndef check(candidate):\n    x = random.randint(0, 9)\n    assert candidate(x) == x\n", "random.randint"},
		{"prompt helper", "def check(candidate):\n    assert candidate(encode('a')) == 'a'\n", "encode"},
		{"result kept", "def check(candidate):\n    r = candidate(1)\n    assert r == 1\n", "keeps a call's result"},
		{"conditional call", "def check(candidate):\n    assert candidate(1) == 1 and candidate(2) == 2\n", "under a condition"},
		{"chained call", "def check(candidate):\n    assert 0 < candidate(1) < candidate(2)\n", "under a condition"},
		{"call in a comprehension", "def check(candidate):\n    assert [candidate(i) for i in range(3)] == [0, 1, 2]\n", "under a condition"},
		{"nested calls", "def check(candidate):\n    assert candidate(candidate(1)) == 1\n", "another call"},
		{"mutable argument read again", "def check(candidate):\n    a = [3, 1]\n    assert candidate(a) == [1, 3]\n    assert a == [3, 1]\n", "after passing it"},
		{"aliased argument", "def check(candidate):\n    a = [3, 1]\n    b = a\n    assert candidate(a) == 1\n", "something else holds it"},
		{"float power", "def check(candidate):\n    assert candidate(1) ** 2 == 1\n", "applies **"},
		{"identity with a number", "def check(candidate):\n    assert candidate(1) is 1\n", "identity"},
		{"helper def", "def helper(x):\n    pass\n\ndef check(candidate):\n    assert candidate(1) == helper(1)\n", "function helper"},
		{"if statement", "def check(candidate):\n    if True:\n        assert candidate(1) == 1\n", "statements are not supported"},
		{"attribute of a value", "def check(candidate):\n    assert candidate('a').upper() == 'A'\n", "not"},
		{"error on the expected side", "def check(candidate):\n    assert candidate(1) == 1 / 0\n", "ZeroDivisionError"},
		{"not python", "def check(candidate):\n  assert candidate(1) ==\n", "line"},
	}
	for _, tt := range tests {
		c, err := ParseCheck(tt.test, "f")
		var nd *NotDecomposableError
		switch {
		case err == nil:
			t.Errorf("%s: decomposed into %q", tt.name, c.Calls())
		case !errors.As(err, &nd):
			t.Errorf("%s: error %v is not a NotDecomposableError", tt.name, err)
		case !strings.Contains(err.Error(), tt.reason):
			t.Errorf("%s: error %q does not say %q", tt.name, err, tt.reason)
		}
	}
}

// TestCheckProgramJudge: verdicts from reported values.
func TestCheckProgramJudge(t *testing.T) {
	const he = "def check(candidate):\n    assert candidate([1.0, 2.0]) == 1.5\n    assert abs(candidate([1.0, 2.0, 3.0]) - 2.0/3.0*3) < 1e-6\n"
	tests := []struct {
		name, test string
		results    []CallResult
		verdict    Verdict
		message    string
		call       int
	}{
		{"pass", he, []CallResult{{Value: lit(t, "1.5")}, {Value: lit(t, "2.0000001")}}, AC, "", -1},
		{"int equals float", he, []CallResult{{Value: lit(t, "1.5")}, {Value: lit(t, "2")}}, AC, "", -1},
		{"wrong", he, []CallResult{{Value: lit(t, "1.4")}}, WA, "line 2 of the test: assert candidate([1.0, 2.0]) == 1.5 failed", -1},
		{"outside the tolerance", he, []CallResult{{Value: lit(t, "1.5")}, {Value: lit(t, "2.00001")}}, WA, "line 3", -1},
		{"a string where a number is due", he, []CallResult{{Value: lit(t, "1.5")}, {Value: lit(t, "'2'")}}, RE, "TypeError: unsupported operand type(s) for -: 'str' and 'float'", -1},
		{"an object", he, []CallResult{{Value: PyValue{Kind: PyOpaque, Str: "m.Any"}}}, WA, "line 2", -1},
		{"the call raised", he, []CallResult{{Error: "ValueError: no"}}, RE, "candidate(([1.0, 2.0])) raised ValueError: no", -1},
		{"the process ended", he, []CallResult{{Value: lit(t, "1.5")}}, "", "line 3 of the test", 1},
		{"timeout", he, []CallResult{{Timeout: true}}, TLE, "time limit", -1},
		{"truth", "def check(c):\n    assert c(1)\n    assert not c(2)\n", []CallResult{{Value: lit(t, "True")}, {Value: lit(t, "False")}}, AC, "", -1},
		{"identity", "def check(c):\n    assert c(1) is True\n", []CallResult{{Value: PyValue{Kind: PyOpaque, Str: "_NotASingleton"}}}, WA, "is True", -1},
		{"membership", "def check(c):\n    assert c(1) in [2, 3]\n    assert 'b' in c(2)\n", []CallResult{{Value: lit(t, "3")}, {Value: lit(t, "'abc'")}}, AC, "", -1},
		{"isclose", "import math\nassert math.isclose(f(1), 2.0, rel_tol=0.001)\n", []CallResult{{Value: lit(t, "2.001")}}, AC, "", -1},
		{"isclose fails", "import math\nassert math.isclose(f(1), 2.0, rel_tol=0.001)\n", []CallResult{{Value: lit(t, "2.01")}}, WA, "line 2", -1},
		{"sets", "assert set(f(1)) == {1, 2}\n", []CallResult{{Value: lit(t, "{2, 1}")}}, AC, "", -1},
		{"lists are not tuples", "assert f(1) == (1, 2)\n", []CallResult{{Value: lit(t, "[1, 2]")}}, WA, "line 1", -1},
		{"nan", "assert f(1) != f(1)\n", []CallResult{{Value: lit(t, "1e999") /* inf */}, {Value: lit(t, "1e999")}}, WA, "line 1", -1},
	}
	for _, tt := range tests {
		c, err := ParseCheck(tt.test, "f")
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		got := c.Judge(tt.results)
		if got.Verdict != tt.verdict || !strings.Contains(got.Message, tt.message) || got.Call != tt.call {
			t.Errorf("%s: %s %q (call %d), want %s containing %q (call %d)", tt.name, got.Verdict, got.Message, got.Call, tt.verdict, tt.message, tt.call)
		}
	}
}

// TestFloatRepr: Python's repr of floats, which str() in a test gives.
func TestFloatRepr(t *testing.T) {
	for f, want := range map[float64]string{
		0: "0.0", 1: "1.0", -2.5: "-2.5", 0.1: "0.1", 1e16: "1e+16", 1e15: "1000000000000000.0",
		0.0001: "0.0001", 0.00001: "1e-05", 1.5e-7: "1.5e-07", 123456789012345680: "1.2345678901234568e+17",
		1.0 / 3: "0.3333333333333333",
	} {
		if got := floatRepr(f); got != want {
			t.Errorf("floatRepr(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestRenderPy: values written as Python source read back as the same
// values.
func TestRenderPy(t *testing.T) {
	for _, src := range []string{"None", "True", "[1, -2.5, 'a\\n\"b', b'\\x00\\xff']", "(1,)", "()", "{1: (2, 3)}", "{1, 2}", "12345678901234567890123", "'\\u00e9\\U0001f600'", "-0.0", "1e+300"} {
		v := lit(t, src)
		out, err := renderPy(v)
		if err != nil {
			t.Errorf("%s: %v", src, err)
			continue
		}
		back, err := ParsePyLiteral(out)
		if err != nil || !PyEqual(v, back) || v.Kind != back.Kind {
			t.Errorf("%s rendered %s, which reads back as %v (%v)", src, out, back.Repr(80), err)
		}
	}
}

func FuzzParseCheck(f *testing.F) {
	f.Add("def check(candidate):\n    assert candidate(1) == 2\n")
	f.Add("import math\nassert math.isclose(f(1.5), 2, rel_tol=1e-3)\n")
	f.Add("def check(c):\n    for x in range(3):\n        assert c(x, [x] * 2) == {x: (x,)}\n")
	f.Add("def check(c):\n    lst = [i for i in range(5) if i % 2]\n    assert not c(lst) is None, f'{x}'\n")
	f.Fuzz(func(t *testing.T, test string) {
		c, err := ParseCheck(test, "f")
		if err != nil {
			return
		}
		// Judging with no results stops at the first call; with values it
		// ends with a verdict. Neither may panic.
		c.Judge(nil)
		results := make([]CallResult, len(c.Calls()))
		for i := range results {
			results[i].Value = PyValue{Kind: PyList, Items: []PyValue{pyInt(int64(i))}}
		}
		c.Judge(results)
	})
}
