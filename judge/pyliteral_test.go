package judge_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/judge"
)

// dump renders a value with its types, so that 1, 1.0 and True differ.
func dump(v judge.PyValue) string {
	seq := func(name string, items []judge.PyValue) string {
		parts := make([]string, len(items))
		for i, it := range items {
			parts[i] = dump(it)
		}
		return name + "[" + strings.Join(parts, ",") + "]"
	}
	switch v.Kind {
	case judge.PyNone:
		return "None"
	case judge.PyBool:
		return fmt.Sprintf("bool(%v)", v.Bool)
	case judge.PyInt:
		return "int(" + v.Int.String() + ")"
	case judge.PyFloat:
		if math.IsInf(v.Float, 0) || math.IsNaN(v.Float) {
			return fmt.Sprintf("float(%v)", v.Float)
		}
		return "float(" + strconv.FormatFloat(v.Float, 'g', -1, 64) + ")"
	case judge.PyComplex:
		return fmt.Sprintf("complex(%v,%v)", v.Float, v.Imag)
	case judge.PyStr:
		return "str(" + strconv.Quote(v.Str) + ")"
	case judge.PyBytes:
		return "bytes(" + strconv.Quote(v.Str) + ")"
	case judge.PyList:
		return seq("list", v.Items)
	case judge.PyTuple:
		return seq("tuple", v.Items)
	case judge.PySet:
		return seq("set", v.Items)
	case judge.PyDict:
		parts := make([]string, len(v.Keys))
		for i := range v.Keys {
			parts[i] = dump(v.Keys[i]) + ":" + dump(v.Vals[i])
		}
		return "dict[" + strings.Join(parts, ",") + "]"
	}
	return v.Kind.String()
}

// pyLiteralCases are literals ast.literal_eval accepts; TestParsePyLiteral
// checks each against its written value, and TestParsePyLiteralAgainstPython
// against CPython.
var pyLiteralCases = []struct {
	src, want string
}{
	{"5", "int(5)"},
	{"-5", "int(-5)"},
	{"- 5", "int(-5)"},
	{"+5", "int(5)"},
	{"0", "int(0)"},
	{"00", "int(0)"},
	{"1_000_000", "int(1000000)"},
	{"0x_ff", "int(255)"},
	{"0o17", "int(15)"},
	{"0B101", "int(5)"},
	{"123456789012345678901234567890", "int(123456789012345678901234567890)"},
	{"1.5", "float(1.5)"},
	{"-0.0", "float(-0)"},
	{"1.", "float(1)"},
	{".5", "float(0.5)"},
	{"1e3", "float(1000)"},
	{"1E-3", "float(0.001)"},
	{"1_0.2_5e1_0", "float(1.025e+11)"},
	{"1e400", "float(+Inf)"},
	{"1e-400", "float(0)"},
	{"0.1", "float(0.1)"},
	{"2j", "complex(0,2)"},
	{"1.5J", "complex(0,1.5)"},
	{"True", "bool(true)"},
	{"False", "bool(false)"},
	{"None", "None"},
	{`"abc"`, `str("abc")`},
	{`'it''s'`, `str("its")`},
	{`"a" 'b'  "c"`, `str("abc")`},
	{`"tab\there\n"`, `str("tab\there\n")`},
	{`'\x41\101\u00e9\U0001F600'`, `str("AAé😀")`},
	{`"\q\d"`, `str("\\q\\d")`},
	{`r"\n\""`, `str("\\n\\\"")`},
	{`u"x"`, `str("x")`},
	{`"""multi
line"""`, `str("multi\nline")`},
	{`'''it's'''`, `str("it's")`},
	{`"é"`, `str("é")`},
	{`b"ab\x00\xff"`, `bytes("ab\x00\xff")`},
	{`rb"\x"`, `bytes("\\x")`},
	{"[]", "list[]"},
	{"[1, 2, 3,]", "list[int(1),int(2),int(3)]"},
	{"[[1], [], [[2]]]", "list[list[int(1)],list[],list[list[int(2)]]]"},
	{"()", "tuple[]"},
	{"(1)", "int(1)"},
	{"(1,)", "tuple[int(1)]"},
	{"(1, 'a', None)", `tuple[int(1),str("a"),None]`},
	{"{}", "dict[]"},
	{"{'a': 1, 'b': [2]}", `dict[str("a"):int(1),str("b"):list[int(2)]]`},
	{"{1: 'x', 1.0: 'y', True: 'z'}", `dict[int(1):str("z")]`},
	{"{(1, 2): 3}", "dict[tuple[int(1),int(2)]:int(3)]"},
	{"{1, 2, 2}", "set[int(1),int(2),int(2)]"},
	{"{1,}", "set[int(1)]"},
	{" \n [1,\n  2]\n ", "list[int(1),int(2)]"},
	{`{ "nums": [1,2,3], "k": 2 }`, `dict[str("nums"):list[int(1),int(2),int(3)],str("k"):int(2)]`},
	{"[-1, -2.5, +3]", "list[int(-1),float(-2.5),int(3)]"},
}

func TestParsePyLiteral(t *testing.T) {
	for _, tt := range pyLiteralCases {
		v, err := judge.ParsePyLiteral(tt.src)
		if err != nil {
			t.Errorf("ParsePyLiteral(%q): %v", tt.src, err)
			continue
		}
		if got := dump(v); got != tt.want {
			t.Errorf("ParsePyLiteral(%q) = %s, want %s", tt.src, got, tt.want)
		}
	}
}

// TestParsePyLiteralErrors lists text ast.literal_eval refuses (or that
// ParsePyLiteral refuses on purpose: a bare tuple, sums).
func TestParsePyLiteralErrors(t *testing.T) {
	for _, src := range []string{
		"", " ", "x", "1, 2", "1 2", "[1, 2", "[1 2]", "(1 2)", "{1: 2", "{1: 2 3: 4}", "{[1]: 2}", "{[1], 2}",
		"{(1, [2]): 3}", "01", "1__0", "1_", "0x", "0xg", "1e", "1.e+", "1x", "--5", "-True", "-'a'", "1+2j",
		`"abc`, `'a` + "\n" + `b'`, `"\x4"`, `"\u12"`, `b"é"`, `"a" b"b"`, `f"x"`, `"\N{DASH}"`, "[1]]", "None()",
		"float('inf')", "a.b", "{1: 2,, }", "[,]",
	} {
		if v, err := judge.ParsePyLiteral(src); err == nil {
			t.Errorf("ParsePyLiteral(%q) = %s, want an error", src, dump(v))
		}
	}
}

// TestParsePyLiteralAgainstPython evaluates every case with CPython's
// ast.literal_eval, has Python write the value in the PyValue wire format,
// and compares the values, types included.
func TestParsePyLiteralAgainstPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but python3 is missing")
		}
		t.Skip("python3 missing")
	}
	var srcs []string
	for _, tt := range pyLiteralCases {
		srcs = append(srcs, tt.src)
	}
	in, _ := json.Marshal(srcs)
	script := `
import ast, base64, json, math, sys
def e(v):
    t = type(v)
    if v is None or t is bool or t is int or t is str: return v
    if t is float: return v if math.isfinite(v) else {"float": repr(v)}
    if t is complex: return {"complex": [repr(v.real), repr(v.imag)]}
    if t is bytes: return {"bytes": base64.b64encode(v).decode()}
    if t is list: return [e(x) for x in v]
    if t is tuple: return {"tuple": [e(x) for x in v]}
    if t is set: return {"set": [e(x) for x in v]}
    if t is dict: return {"dict": [[e(k), e(x)] for k, x in v.items()]}
    return {"opaque": t.__name__}
out = []
for s in json.load(sys.stdin):
    try:
        out.append(e(ast.literal_eval(s.strip())))
    except Exception as x:
        out.append({"opaque": "error: %s" % x})
print(json.dumps(out))
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	raw, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []json.RawMessage
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for i, src := range srcs {
		wv, err := judge.DecodePyValue(want[i])
		if err != nil {
			t.Fatalf("%q: Python's value %s: %v", src, want[i], err)
		}
		v, err := judge.ParsePyLiteral(src)
		if err != nil {
			t.Errorf("ParsePyLiteral(%q): %v (Python: %s)", src, err, dump(wv))
			continue
		}
		got, exp := dump(v), dump(wv)
		if v.Kind == judge.PySet {
			// Sets are unordered and keep one copy of equal items.
			if wv.Kind != judge.PySet || !judge.PyEqual(v, wv) {
				t.Errorf("ParsePyLiteral(%q) = %s, Python %s", src, got, exp)
			}
			continue
		}
		if got != exp {
			t.Errorf("ParsePyLiteral(%q) = %s, Python %s", src, got, exp)
		}
	}
}

func FuzzParsePyLiteral(f *testing.F) {
	for _, tt := range pyLiteralCases {
		f.Add(tt.src)
	}
	f.Add(`{"a": [1, (2, 3), {4}], 'b': b'\x00', "c": -1.5e-3j}`)
	f.Fuzz(func(t *testing.T, src string) {
		v, err := judge.ParsePyLiteral(src)
		if err != nil {
			return
		}
		_ = v.Repr(100)
		if !judge.PyEqual(v, v) && !strings.Contains(strings.ToLower(src), "nan") {
			// Only NaN is unequal to itself, and no literal spells it.
			if !hasNaN(v) {
				t.Errorf("%q: value unequal to itself", src)
			}
		}
	})
}

func hasNaN(v judge.PyValue) bool {
	if v.Kind == judge.PyFloat && math.IsNaN(v.Float) {
		return true
	}
	for _, it := range append(append(append([]judge.PyValue{}, v.Items...), v.Keys...), v.Vals...) {
		if hasNaN(it) {
			return true
		}
	}
	return false
}
