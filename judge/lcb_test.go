package judge_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/judge"
)

// TestLCB checks the verdicts of the lcb comparator. Every want was computed
// by lcb_runner's comparison (get_stripped_lines, convert_line_to_decimals,
// list equality; an InvalidOperation from a signalling NaN is a failure)
// under CPython 3.11.
func TestLCB(t *testing.T) {
	tests := []struct {
		name      string
		got, want string
		ok        bool
	}{
		{"equal text", "YES\nNO\n", "YES\nNO", true},
		{"surrounding whitespace", "  \n\n 3 4\t\r\n5  \n\n", "3 4\n5", true},
		{"CRLF line ends", "1\r\n2\r\n", "1\n2\n", true},
		{"empty output, empty answer", "", "", true},
		{"whitespace only, empty answer", " \n\t\n", "", true},
		{"empty output, answer 0", "", "0", false},
		{"blank line inside counts", "1\n\n2", "1\n2", false},
		{"blank lines inside both", "1\n \n2", "1\n\n2", true},
		{"more lines", "1\n2\n3", "1\n2", false},
		{"case matters", "yes", "YES", false},
		{"inner spaces matter for text", "a  b", "a b", false},
		{"inner spaces do not matter for numbers", "1  2\t3", "1 2 3", true},
		{"1.0 is 1", "1.0", "1", true},
		{"1e3 is 1000", "1e3", "1000", true},
		{"1E+3 is 1000.000", "1E+3", "1000.000", true},
		{"-0 is 0", "-0", "0", true},
		{"-0.0 is 0e5", "-0.0", "0e5", true},
		{"+5 is 5", "+5", "5", true},
		{".5 is 0.5", ".5", "0.5", true},
		{"5. is 5", "5.", "5", true},
		{"no tolerance", "0.1", "0.10000001", false},
		{"no tolerance on big integers", "50000000000000000", "50000000000000001", false},
		{"34 digits", "1.000000000000000000000000000000001", "1", false},
		{"rounded float", "0.30000000000000004", "0.3", false},
		{"one token not a number", "1 x", "1 2", false},
		{"number against word", "1", "one", false},
		{"token counts differ", "1 2", "1 2 0", false},
		{"numbers then words", "3.0 YES", "3 YES", false},
		{"underscores dropped", "1_000", "1000", true},
		{"underscores anywhere", "_1_0_", "10", true},
		{"underscore alone", "_", "0", false},
		{"Arabic-Indic digits", "\u0661\u0662", "12", true},
		{"fullwidth digits", "\uff11\uff12", "12", true},
		{"fullwidth point", "1\uff0e5", "1.5", false},
		{"hex is not a decimal", "0x10", "16", false},
		{"comma is not a point", "1,5", "1.5", false},
		{"fraction is not a decimal", "1/2", "0.5", false},
		{"inf is Infinity", "inf", "Infinity", true},
		{"INF is inf", "INF", "inf", true},
		{"-inf is not inf", "-inf", "inf", false},
		{"Infinite is not a decimal", "Infinite", "inf", false},
		{"nan is equal as text", "nan", "nan", true},
		{"nan is not NaN", "nan", "NaN", false},
		{"NaN with payload", "NaN1", "NaN2", false},
		{"sNaN", "sNaN", "snan", false},
		{"nan against a number", "nan", "1", false},
		{"line with nan and a difference", "nan 1.0", "nan 1", false},
		{"largest exponent", "1e999999999999999999", "10e999999999999999998", true},
		{"exponent out of range", "10e999999999999999999", "100e999999999999999998", false},
		{"huge exponent", "1e99999999999999999999999", "1e99999999999999999999999 ", true},
		{"huge exponent against another", "1e99999999999999999999999", "1e99999999999999999999998", false},
		{"smallest exponent", "1e-1999999999999999997", "0.1e-1999999999999999996", true},
		{"below the smallest exponent", "1e-1999999999999999998", "0.1e-1999999999999999997", false},
		{"zero with a huge exponent", "0e1000000000000000000", "0", false},
		{"NUL in a token", "1\x00", "1", false},
		{"NBSP separates tokens", "1\u00a02", "1 2", true},
		{"ideographic space strips", "\u30001.0\u3000", "1", true},
		{"U+001C strips", "\x1c1.0\x1f", "1", true},
		{"U+2028 is not a line break", "1\u20282", "1\n2", false},
		{"vertical tab strips", "\x0b1\x0c", "1", true},
		{"invalid UTF-8 compared as bytes", "\xff", "\xff", true},
		{"invalid UTF-8 differs", "\xff1", "1", false},
	}
	for _, tt := range tests {
		ok, msg := judge.LCB{}.Compare([]byte(tt.got), []byte(tt.want))
		if ok != tt.ok {
			t.Errorf("%s: LCB.Compare(%q, %q) = %v, %q; want %v", tt.name, tt.got, tt.want, ok, msg, tt.ok)
		}
	}
}

func TestLCBMessages(t *testing.T) {
	tests := []struct {
		got, want string
		res       result
	}{
		{"1\n2\n", "1 2\n", result{false, "expected 1 lines, got 2"}},
		{"", "0", result{false, `line 1: expected "0", got "" (expected 1 numbers, got 0)`}},
		{"1\nYES", "1\nNO", result{false, `line 2: expected "NO", got "YES" ("YES" is not a decimal)`}},
		{"one", "1", result{false, `line 1: expected "1", got "one" ("one" is not a decimal)`}},
		{"1", "one", result{false, `line 1: expected "one", got "1" (expected line is not decimals: "one" is not a decimal)`}},
		{"1 2.50 3", "1 2.5 4", result{false, `line 1: expected "1 2.5 4", got "1 2.50 3" (number 3 differs)`}},
		{" 1.0 \n2e0\n", "1\n2", result{true, ""}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.res, compare(judge.LCB{}, tt.got, tt.want)); diff != "" {
			t.Errorf("LCB.Compare(%q, %q) mismatch (-want +got):\n%s", tt.got, tt.want, diff)
		}
	}
}

func TestNewComparatorLCB(t *testing.T) {
	c, err := judge.NewComparator("lcb", judge.ComparatorOptions{AbsTol: 1})
	if err != nil {
		t.Fatalf("NewComparator(lcb): %v", err)
	}
	if diff := cmp.Diff("lcb", c.Name()); diff != "" {
		t.Errorf("Name() mismatch (-want +got):\n%s", diff)
	}
	if ok, msg := c.Compare([]byte("1.0"), []byte("1.000001")); ok {
		t.Errorf("lcb comparator accepted 1.0 for 1.000001 (%q): it must ignore tolerances", msg)
	}
}

// FuzzLCB checks properties of the lcb comparator: output equals itself
// (lines are compared as text before as numbers, so even NaN lines match
// themselves), acceptance is symmetric and comes without a message, CRLF and
// surrounding whitespace are ignored, and whatever the lines comparator
// accepts, lcb accepts.
func FuzzLCB(f *testing.F) {
	f.Add("1.0 2\n", "1 2e0\n")
	f.Add("nan\n", "nan")
	f.Add("sNaN 1", "1 sNaN")
	f.Add("1_0\u0661", "101")
	f.Add("1e999999999999999999", "10e999999999999999998")
	f.Add("\x1c1\u3000\n\n2", "1\n2")
	f.Add("", "\n\n")
	f.Add("-0", "0e-5")
	f.Fuzz(func(t *testing.T, got, want string) {
		var c judge.LCB
		if ok, msg := c.Compare([]byte(want), []byte(want)); !ok {
			t.Errorf("LCB.Compare(%q, itself) rejected: %s", want, msg)
		}
		ok, msg := c.Compare([]byte(got), []byte(want))
		if ok != (msg == "") {
			t.Errorf("LCB.Compare(%q, %q) = %v with message %q", got, want, ok, msg)
		}
		if back, _ := c.Compare([]byte(want), []byte(got)); back != ok {
			t.Errorf("LCB.Compare(%q, %q) = %v but swapped = %v", got, want, ok, back)
		}
		padded := " \t" + strings.ReplaceAll(got, "\n", " \r\n") + "\r\n\n "
		if p, msg := c.Compare([]byte(padded), []byte(want)); p != ok {
			t.Errorf("LCB.Compare(%q, %q) = %v but with padding %q = %v (%s)", got, want, ok, padded, p, msg)
		}
		if l, _ := (judge.Lines{}).Compare([]byte(got), []byte(want)); l && !ok {
			t.Errorf("LCB.Compare(%q, %q) rejected a lines match: %s", got, want, msg)
		}
	})
}
