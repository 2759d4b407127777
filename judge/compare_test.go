package judge_test

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/judge"
)

// result is what a comparator returns, in one value for cmp.Diff.
type result struct {
	OK  bool
	Msg string
}

func compare(c judge.Comparator, got, want string) result {
	ok, msg := c.Compare([]byte(got), []byte(want))
	return result{ok, msg}
}

// next returns the float64 just above x, formatted so that it parses back
// to exactly that value.
func next(x float64) string {
	return strconv.FormatFloat(math.Nextafter(x, math.Inf(1)), 'g', -1, 64)
}

func TestNewComparatorNames(t *testing.T) {
	tests := []struct {
		name string
		opts judge.ComparatorOptions
		want string
	}{
		{"exact", judge.ComparatorOptions{}, "exact"},
		{"lines", judge.ComparatorOptions{AbsTol: 5}, "lines"},
		{"tokens", judge.ComparatorOptions{}, "tokens"},
		{"float", judge.ComparatorOptions{}, "float(abs=1e-06,rel=1e-06)"},
		{"float", judge.ComparatorOptions{AbsTol: 0.5}, "float(abs=0.5,rel=0)"},
		{"float", judge.ComparatorOptions{RelTol: 1e-9}, "float(abs=0,rel=1e-09)"},
		{"float", judge.ComparatorOptions{AbsTol: 1e-3, RelTol: 1e-4}, "float(abs=0.001,rel=0.0001)"},
		{"float", judge.ComparatorOptions{AbsTol: math.Inf(1)}, "float(abs=+Inf,rel=0)"},
	}
	for _, tt := range tests {
		c, err := judge.NewComparator(tt.name, tt.opts)
		if err != nil {
			t.Errorf("NewComparator(%q, %+v): %v", tt.name, tt.opts, err)
			continue
		}
		if diff := cmp.Diff(tt.want, c.Name()); diff != "" {
			t.Errorf("NewComparator(%q, %+v).Name() mismatch (-want +got):\n%s", tt.name, tt.opts, diff)
		}
	}
}

func TestNewComparatorNamesAreListed(t *testing.T) {
	for _, name := range judge.ComparatorNames() {
		if _, err := judge.NewComparator(name, judge.ComparatorOptions{}); err != nil {
			t.Errorf("NewComparator(%q) of a listed name: %v", name, err)
		}
	}
}

func TestNewComparatorErrors(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		opts judge.ComparatorOptions
		want string
	}{
		{"", judge.ComparatorOptions{}, `unknown comparator "" (known: any, codecontests, exact, float, kattis, lcb, lines, scalebox, tokens, tokens-ci, unordered-lines, unordered-tokens, yesno)`},
		{"Lines", judge.ComparatorOptions{}, `unknown comparator "Lines" (known: any, codecontests, exact, float, kattis, lcb, lines, scalebox, tokens, tokens-ci, unordered-lines, unordered-tokens, yesno)`},
		{"diff", judge.ComparatorOptions{}, `unknown comparator "diff" (known: any, codecontests, exact, float, kattis, lcb, lines, scalebox, tokens, tokens-ci, unordered-lines, unordered-tokens, yesno)`},
		{"float", judge.ComparatorOptions{AbsTol: -1}, "float comparator: tolerances must be non-negative numbers (abs -1, rel 0)"},
		{"float", judge.ComparatorOptions{RelTol: -1e-9}, "float comparator: tolerances must be non-negative numbers (abs 0, rel -1e-09)"},
		{"float", judge.ComparatorOptions{AbsTol: 1e-6, RelTol: -1e-6}, "float comparator: tolerances must be non-negative numbers (abs 1e-06, rel -1e-06)"},
		{"float", judge.ComparatorOptions{AbsTol: nan}, "float comparator: tolerances must be non-negative numbers (abs NaN, rel 0)"},
		{"float", judge.ComparatorOptions{AbsTol: 1, RelTol: nan}, "float comparator: tolerances must be non-negative numbers (abs 1, rel NaN)"},
		{"float", judge.ComparatorOptions{AbsTol: math.Inf(-1)}, "float comparator: tolerances must be non-negative numbers (abs -Inf, rel 0)"},
	}
	for _, tt := range tests {
		c, err := judge.NewComparator(tt.name, tt.opts)
		if err == nil {
			t.Errorf("NewComparator(%q, %+v) = %v, want an error", tt.name, tt.opts, c.Name())
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("NewComparator(%q, %+v) error mismatch (-want +got):\n%s", tt.name, tt.opts, diff)
		}
	}
}

func TestExact(t *testing.T) {
	tests := []struct {
		got, want string
		res       result
	}{
		{"", "", result{true, ""}},
		{"1 2\n", "1 2\n", result{true, ""}},
		{"abc", "abd", result{false, `first difference at byte 2: expected "d", got "c"`}},
		{"ab", "abc", result{false, "output has 2 bytes, expected 3 (equal up to byte 2)"}},
		{"abcd", "abc", result{false, "output has 4 bytes, expected 3 (equal up to byte 3)"}},
		{"", "x", result{false, "output has 0 bytes, expected 1 (equal up to byte 0)"}},
		{"1\r\n", "1\n", result{false, `first difference at byte 1: expected "\n", got "\r\n"`}},
		{"1 \n", "1\n", result{false, `first difference at byte 1: expected "\n", got " \n"`}},
		{"1\n", "1", result{false, "output has 2 bytes, expected 1 (equal up to byte 1)"}},
		{
			"x" + strings.Repeat("a", 50), "y" + strings.Repeat("a", 50),
			result{false, `first difference at byte 0: expected "y` + strings.Repeat("a", 39) + `"…, got "x` + strings.Repeat("a", 39) + `"…`},
		},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.res, compare(judge.Exact{}, tt.got, tt.want)); diff != "" {
			t.Errorf("Exact.Compare(%q, %q) mismatch (-want +got):\n%s", tt.got, tt.want, diff)
		}
	}
}

func TestLines(t *testing.T) {
	tests := []struct {
		got, want string
		res       result
	}{
		{"1\n2\n", "1\n2\n", result{true, ""}},
		{"", "", result{true, ""}},
		{"\n\n \n", "", result{true, ""}},
		{"", "\n", result{true, ""}},
		// CRLF and trailing whitespace on a line are ignored.
		{"1\r\n2\r\n", "1\n2\n", result{true, ""}},
		{"1\n2\n", "1\r\n2\r\n", result{true, ""}},
		{"1  \n2\t\n", "1\n2\n", result{true, ""}},
		{"1\f\v\n2 \r\n", "1\n2", result{true, ""}},
		// Trailing blank lines (or a missing final newline) are ignored.
		{"1\n2\n\n\n", "1\n2", result{true, ""}},
		{"1\n2", "1\n2\n\n", result{true, ""}},
		{"1\n2\n \t\n\r\n", "1\n2\n", result{true, ""}},
		// Leading whitespace is significant.
		{" 1\n2\n", "1\n2\n", result{false, `line 1: expected "1", got " 1"`}},
		{"1\n\t2\n", "1\n2\n", result{false, `line 2: expected "2", got "\t2"`}},
		// So is whitespace inside a line.
		{"a  b\n", "a b\n", result{false, `line 1: expected "a b", got "a  b"`}},
		// Blank lines before or between lines count.
		{"\n1\n", "1\n", result{false, `line 1: expected "1", got ""`}},
		{"1\n\n2\n", "1\n2\n", result{false, `line 2: expected "2", got ""`}},
		// A lone CR does not end a line.
		{"1\r2\n", "1\n2\n", result{false, `line 1: expected "1", got "1\r2"`}},
		// Missing and extra lines: a truncated output is rejected.
		{"1\n", "1\n2\n", result{false, "expected 2 lines, got 1"}},
		{"1\n2\n", "1\n2\n3\n", result{false, "expected 3 lines, got 2"}},
		{"1\n2\n3\n", "1\n2\n", result{false, "expected 2 lines, got 3"}},
		{"", "0\n", result{false, "expected 1 lines, got 0"}},
		{"0\n", "", result{false, "expected 0 lines, got 1"}},
		// The message names the first differing line.
		{"1\n2\nX\n4\n", "1\n2\n3\n4\n", result{false, `line 3: expected "3", got "X"`}},
		{"yes\n", "YES\n", result{false, `line 1: expected "YES", got "yes"`}},
		{
			strings.Repeat("b", 60), strings.Repeat("a", 60),
			result{false, `line 1: expected "` + strings.Repeat("a", 40) + `"…, got "` + strings.Repeat("b", 40) + `"…`},
		},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.res, compare(judge.Lines{}, tt.got, tt.want)); diff != "" {
			t.Errorf("Lines.Compare(%q, %q) mismatch (-want +got):\n%s", tt.got, tt.want, diff)
		}
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		got, want string
		res       result
	}{
		{"1 2 3", "1 2 3", result{true, ""}},
		{"1 2 3", "1\n2\n3\n", result{true, ""}},
		{"  1\t2\r\n\n3  \n\n", "1 2 3", result{true, ""}},
		{"", "", result{true, ""}},
		{" \r\n\t", "", result{true, ""}},
		{"", "\n\n", result{true, ""}},
		{"1 2", "1 2 3", result{false, "expected 3 tokens, got 2"}},
		{"1 2 3 4", "1 2 3", result{false, "expected 3 tokens, got 4"}},
		{"", "1", result{false, "expected 1 tokens, got 0"}},
		{"1 2 4", "1 2 3", result{false, `token 3: expected "3", got "4"`}},
		{"1 2 4", "1 2 3 5", result{false, `token 3: expected "3", got "4"`}},
		// Tokens are compared as text, numbers included.
		{"1.0", "1", result{false, `token 1: expected "1", got "1.0"`}},
		{"yes", "YES", result{false, `token 1: expected "YES", got "yes"`}},
		{"a\u00a0b", "a b", result{true, ""}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.res, compare(judge.Tokens{}, tt.got, tt.want)); diff != "" {
			t.Errorf("Tokens.Compare(%q, %q) mismatch (-want +got):\n%s", tt.got, tt.want, diff)
		}
	}
}

func TestFloat(t *testing.T) {
	def := judge.Float{AbsTol: judge.DefaultTolerance, RelTol: judge.DefaultTolerance}
	abs := judge.Float{AbsTol: 0.5}
	rel := judge.Float{RelTol: 0.25}
	zero := judge.Float{}
	tests := []struct {
		c         judge.Float
		got, want string
		res       result
	}{
		{def, "1.0000005", "1", result{true, ""}},
		{def, "0.9999995", "1", result{true, ""}},
		{def, "1 2.5 3", "1.0 2.50 3e0", result{true, ""}},
		{def, ".5 5. +1 1E2", "0.5 5 1 100", result{true, ""}},
		{def, "1e-9", "0", result{true, ""}},
		{def, "Case #1: 0.3333333", "Case #1: 0.333333", result{true, ""}},
		{def, "", "", result{true, ""}},
		{def, "1e6", "1000001", result{true, ""}}, // within rel 1e-6 of 1000001
		{def, "1000000", "1000002", result{false, `token 1: expected "1000002", got "1000000" (differs by 2)`}},

		// Absolute tolerance: exactly at the boundary is accepted, the next
		// float beyond it is not.
		{abs, "1.5", "1", result{true, ""}},
		{abs, "0.5", "1", result{true, ""}},
		{abs, next(1.5), "1", result{false, `token 1: expected "1", got "` + next(1.5) + `" (differs by 0.5000000000000002)`}},
		{abs, "1.625", "1", result{false, `token 1: expected "1", got "1.625" (differs by 0.625)`}},
		{abs, "-0.5", "0", result{true, ""}},

		// Relative tolerance, relative to the expected value.
		{rel, "5", "4", result{true, ""}},
		{rel, "3", "4", result{true, ""}},
		{rel, "-5", "-4", result{true, ""}},
		{rel, next(5), "4", result{false, `token 1: expected "4", got "` + next(5) + `" (differs by 1.0000000000000009)`}},
		{rel, "5.25", "4", result{false, `token 1: expected "4", got "5.25" (differs by 1.25)`}},
		{rel, "4", "5.25", result{true, ""}},
		{rel, "1e-300", "0", result{false, `token 1: expected "0", got "1e-300" (differs by 1e-300)`}},

		// Zero tolerance accepts only equal values; -0 equals 0.
		{zero, "0", "-0", result{true, ""}},
		{zero, "-0.0", "0", result{true, ""}},
		{zero, "0.1", "0.10", result{true, ""}},
		{zero, next(0.1), "0.1", result{false, `token 1: expected "0.1", got "` + next(0.1) + `" (differs by 1.3877787807814457e-17)`}},

		// NaN equals only NaN, in any spelling.
		{def, "nan", "NaN", result{true, ""}},
		{def, "NAN", "nan", result{true, ""}},
		{def, "1", "nan", result{false, `token 1: expected "nan", got "1" (differs by NaN)`}},
		{def, "nan", "1", result{false, `token 1: expected "1", got "nan" (differs by NaN)`}},
		{judge.Float{AbsTol: math.Inf(1)}, "nan", "1", result{false, `token 1: expected "1", got "nan" (differs by NaN)`}},

		// An infinity equals only the same infinity.
		{def, "inf", "inf", result{true, ""}},
		{def, "+Inf", "inf", result{true, ""}},
		{def, "-inf", "-INF", result{true, ""}},
		{def, "-inf", "inf", result{false, `token 1: expected "inf", got "-inf" (differs by +Inf)`}},
		{def, "1e308", "inf", result{false, `token 1: expected "inf", got "1e308" (differs by +Inf)`}},
		{def, "inf", "1e308", result{false, `token 1: expected "1e308", got "inf" (differs by +Inf)`}},
		{judge.Float{AbsTol: math.Inf(1)}, "inf", "1", result{false, `token 1: expected "1", got "inf" (differs by +Inf)`}},

		// Out-of-range numbers are infinities; underflow is zero.
		{def, "1e400", "1e400", result{true, ""}},
		{def, "inf", "1e400", result{true, ""}},
		{def, "-1e400", "-inf", result{true, ""}},
		{def, "1e308", "1e400", result{false, `token 1: expected "1e400", got "1e308" (differs by +Inf)`}},
		{def, "1e-400", "0", result{true, ""}},
		// The difference of two huge numbers overflows; still rejected.
		{def, "1.7e308", "-1.7e308", result{false, `token 1: expected "-1.7e308", got "1.7e308" (differs by +Inf)`}},
		{def, "1.7976931348623157e308", "1.7976931348623157e308", result{true, ""}},

		// Tokens that are not numbers are compared exactly.
		{def, "abc", "abc", result{true, ""}},
		{def, "ABC", "abc", result{false, `token 1: expected "abc", got "ABC"`}},
		{def, "abc", "1", result{false, `token 1: expected "1", got "abc" (not a number)`}},
		{def, "infinity", "inf", result{false, `token 1: expected "inf", got "infinity" (not a number)`}},
		{def, "1,5", "1.5", result{false, `token 1: expected "1.5", got "1,5" (not a number)`}},
		// Hexadecimal and underscores are not numbers.
		{def, "16", "0x10", result{false, `token 1: expected "0x10", got "16"`}},
		{def, "0x10", "0x10", result{true, ""}},
		{def, "0x10", "16", result{false, `token 1: expected "16", got "0x10" (not a number)`}},
		{def, "0x1p4", "16", result{false, `token 1: expected "16", got "0x1p4" (not a number)`}},
		{def, "1000", "1_000", result{false, `token 1: expected "1_000", got "1000"`}},
		{def, "1_000", "1000", result{false, `token 1: expected "1000", got "1_000" (not a number)`}},

		// Token counts must match; the message names the token.
		{def, "1.0", "1.0 2.0", result{false, "expected 2 tokens, got 1"}},
		{def, "1 2 3", "1 2", result{false, "expected 2 tokens, got 3"}},
		{def, "1 2 3.5", "1 2 3", result{false, `token 3: expected "3", got "3.5" (differs by 0.5)`}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.res, compare(tt.c, tt.got, tt.want)); diff != "" {
			t.Errorf("%s.Compare(%q, %q) mismatch (-want +got):\n%s", tt.c.Name(), tt.got, tt.want, diff)
		}
	}
}

// TestFloatDefaultTolerance checks that NewComparator("float") with no
// tolerances uses DefaultTolerance, absolute and relative.
func TestFloatDefaultTolerance(t *testing.T) {
	c, err := judge.NewComparator("float", judge.ComparatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"1.0000009", "1", true},
		{"1.0000011", "1", false},
		{"1000000.9", "1000000", true}, // rel: 1e-6 * 1e6 = 1
		{"1000001.1", "1000000", false},
	}
	for _, tt := range tests {
		if ok, msg := c.Compare([]byte(tt.got), []byte(tt.want)); ok != tt.ok {
			t.Errorf("%s.Compare(%q, %q) = %v (%s), want %v", c.Name(), tt.got, tt.want, ok, msg, tt.ok)
		}
	}
}

func TestFloatsEqual(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		got, want, abs, rel float64
		ok                  bool
	}{
		{1, 1, 0, 0, true},
		{1.5, 1, 0.5, 0, true},
		{math.Nextafter(1.5, 2), 1, 0.5, 0, false},
		{0.5, 1, 0.5, 0, true},
		// 1 - Nextafter(0.5, 0) rounds to 0.5 itself; two steps below
		// gives a difference just above the tolerance.
		{math.Nextafter(0.5, 0), 1, 0.5, 0, true},
		{math.Nextafter(math.Nextafter(0.5, 0), 0), 1, 0.5, 0, false},
		{5, 4, 0, 0.25, true},
		{math.Nextafter(5, 6), 4, 0, 0.25, false},
		{-5, -4, 0, 0.25, true},
		{5, 4, 0.25, 0.0625, false},
		{0, math.Copysign(0, -1), 0, 0, true},
		{nan, nan, 0, 0, true},
		{nan, 1, inf, inf, false},
		{1, nan, inf, inf, false},
		{inf, inf, 0, 0, true},
		{-inf, -inf, 0, 0, true},
		{inf, -inf, inf, inf, false},
		{1e308, inf, inf, inf, false},
		{inf, 1e308, inf, inf, false},
		{math.MaxFloat64, -math.MaxFloat64, 1, 1, false},
		{math.MaxFloat64, math.MaxFloat64, 0, 0, true},
		{1e-300, 0, 1e-300, 0, true},
		{1e-300, 0, 0, 1, false},
	}
	for _, tt := range tests {
		if got := judge.FloatsEqual(tt.got, tt.want, tt.abs, tt.rel); got != tt.ok {
			t.Errorf("FloatsEqual(%v, %v, %v, %v) = %v, want %v", tt.got, tt.want, tt.abs, tt.rel, got, tt.ok)
		}
	}
}

// FuzzExact checks that output always equals itself and that Exact accepts
// exactly the equal outputs.
func FuzzExact(f *testing.F) {
	f.Add("1 2\n", "1 2\n")
	f.Add("1\r\n", "1\n")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, got, want string) {
		if ok, msg := (judge.Exact{}).Compare([]byte(want), []byte(want)); !ok {
			t.Errorf("Exact.Compare(%q, itself) rejected: %s", want, msg)
		}
		ok, msg := (judge.Exact{}).Compare([]byte(got), []byte(want))
		if ok != (got == want) || ok != (msg == "") {
			t.Errorf("Exact.Compare(%q, %q) = %v, %q", got, want, ok, msg)
		}
	})
}

// FuzzLines checks properties of the lines comparator: output equals
// itself, trailing whitespace and newlines are ignored, acceptance is
// symmetric, a truncated output is rejected, and an exact match is a lines
// match.
func FuzzLines(f *testing.F) {
	f.Add("1\n2\n", "1\n2\n")
	f.Add("1\r\n2 \n\n", "1\n2")
	f.Add(" 1\n", "1\n")
	f.Add("1\n", "1\n2\n")
	f.Add("", "\n\n")
	f.Add("a\rb\n", "a\f\n\v")
	f.Fuzz(func(t *testing.T, got, want string) {
		var c judge.Lines
		if ok, msg := c.Compare([]byte(want), []byte(want)); !ok {
			t.Errorf("Lines.Compare(%q, itself) rejected: %s", want, msg)
		}
		padded := strings.ReplaceAll(want, "\n", " \t\r\n") + " \r\n\n\t\n"
		if ok, msg := c.Compare([]byte(padded), []byte(want)); !ok {
			t.Errorf("Lines.Compare(%q, %q) rejected trailing whitespace: %s", padded, want, msg)
		}
		ok, msg := c.Compare([]byte(got), []byte(want))
		if ok != (msg == "") {
			t.Errorf("Lines.Compare(%q, %q) = %v with message %q", got, want, ok, msg)
		}
		if back, _ := c.Compare([]byte(want), []byte(got)); back != ok {
			t.Errorf("Lines.Compare(%q, %q) = %v but swapped = %v", got, want, ok, back)
		}
		if ok, _ := (judge.Exact{}).Compare([]byte(got), []byte(want)); ok {
			if ok, msg := c.Compare([]byte(got), []byte(want)); !ok {
				t.Errorf("Lines.Compare(%q, %q) rejected an exact match: %s", got, want, msg)
			}
		}
		// Dropping the last non-blank line must be rejected.
		trimmed := strings.TrimRight(want, " \t\r\n\f\v")
		if trimmed != "" {
			cut := trimmed[:max(strings.LastIndexByte(trimmed, '\n'), 0)]
			if ok, _ := c.Compare([]byte(cut), []byte(want)); ok {
				t.Errorf("Lines.Compare(%q, %q) accepted a truncated output", cut, want)
			}
		}
	})
}

// FuzzTokens checks properties of the tokens comparator: output equals
// itself and any re-spacing of itself, acceptance is symmetric, a missing
// token is rejected, and a lines match is a tokens match.
func FuzzTokens(f *testing.F) {
	f.Add("1 2 3", "1\n2\n3\n")
	f.Add("1 2", "1 2 3")
	f.Add("a\u00a0b", "a b")
	f.Add("", " \n")
	f.Fuzz(func(t *testing.T, got, want string) {
		var c judge.Tokens
		if ok, msg := c.Compare([]byte(want), []byte(want)); !ok {
			t.Errorf("Tokens.Compare(%q, itself) rejected: %s", want, msg)
		}
		fields := strings.Fields(want)
		respaced := "\t" + strings.Join(fields, " \r\n ") + "\n\n"
		if ok, msg := c.Compare([]byte(respaced), []byte(want)); !ok {
			t.Errorf("Tokens.Compare(%q, %q) rejected re-spaced tokens: %s", respaced, want, msg)
		}
		ok, msg := c.Compare([]byte(got), []byte(want))
		if ok != (msg == "") {
			t.Errorf("Tokens.Compare(%q, %q) = %v with message %q", got, want, ok, msg)
		}
		if back, _ := c.Compare([]byte(want), []byte(got)); back != ok {
			t.Errorf("Tokens.Compare(%q, %q) = %v but swapped = %v", got, want, ok, back)
		}
		if ok, _ := (judge.Lines{}).Compare([]byte(got), []byte(want)); ok {
			if ok, msg := c.Compare([]byte(got), []byte(want)); !ok {
				t.Errorf("Tokens.Compare(%q, %q) rejected a lines match: %s", got, want, msg)
			}
		}
		if len(fields) > 0 {
			short := strings.Join(fields[:len(fields)-1], " ")
			if ok, _ := c.Compare([]byte(short), []byte(want)); ok {
				t.Errorf("Tokens.Compare(%q, %q) accepted a missing token", short, want)
			}
		}
	})
}

// FuzzFloat checks properties of the float comparator: identical outputs
// (NaN included) are accepted under any valid tolerance, a tokens match is
// a float match, a missing token is rejected, and a rejection explains
// itself.
func FuzzFloat(f *testing.F) {
	f.Add("1.0000005", "1", 0.0, 0.0)
	f.Add("nan inf -inf", "NaN +Inf -Inf", 1e-9, 0.0)
	f.Add("1e400", "1e400", 0.0, 1e-3)
	f.Add("0x10 1_000", "16 1000", 0.5, 0.5)
	f.Add("-0", "0", 0.0, 0.0)
	f.Add("abc 1", "abc", 1.0, 1.0)
	f.Fuzz(func(t *testing.T, got, want string, absTol, relTol float64) {
		c, err := judge.NewComparator("float", judge.ComparatorOptions{AbsTol: absTol, RelTol: relTol})
		if err != nil {
			return
		}
		if ok, msg := c.Compare([]byte(want), []byte(want)); !ok {
			t.Errorf("%s.Compare(%q, itself) rejected: %s", c.Name(), want, msg)
		}
		ok, msg := c.Compare([]byte(got), []byte(want))
		if ok != (msg == "") {
			t.Errorf("%s.Compare(%q, %q) = %v with message %q", c.Name(), got, want, ok, msg)
		}
		if ok, _ := (judge.Tokens{}).Compare([]byte(got), []byte(want)); ok {
			if ok, msg := c.Compare([]byte(got), []byte(want)); !ok {
				t.Errorf("%s.Compare(%q, %q) rejected a tokens match: %s", c.Name(), got, want, msg)
			}
		}
		if fields := strings.Fields(want); len(fields) > 0 {
			short := strings.Join(fields[:len(fields)-1], " ")
			if ok, _ := c.Compare([]byte(short), []byte(want)); ok {
				t.Errorf("%s.Compare(%q, %q) accepted a missing token", c.Name(), short, want)
			}
		}
	})
}
