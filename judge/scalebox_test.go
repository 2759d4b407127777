package judge_test

import (
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/judge"
)

// TestScaleBox mirrors ScaleBox's check_stdio_test_case on the cases its
// rules decide (strip, lowercase, per-line strip, floats to 1e-5 relative)
// and refuses what its zip lets through (a prefix, extra lines).
func TestScaleBox(t *testing.T) {
	c := judge.ScaleBox{}
	tests := []struct {
		got, want string
		ok        bool
	}{
		{"2 1\n", "2 1", true},
		{"  YES  \r\n", "yes\n", true},
		{"Yes\nNO\n\n\n", "yes\nno", true},
		{"1.000001\n", "1.0", true},
		{"1.0001\n", "1.0", false},
		{"1e-16\n", "0", true}, // relative to max(|b|, 1e-10)
		{"1e-12\n", "0", false},
		{"1_000.5", "1000.5", true},
		{"0x10", "16", false}, // Python's float() takes no hex
		{"inf", "INF", true},
		{"nan", "nan", true},          // equal as text
		{"1 2", "1 2.0000001", false}, // floats per line, not per token
		{"a\nb", "a", false},          // extra line: ScaleBox's zip accepts it
		{"a", "a\nb", false},          // a prefix: ScaleBox's zip accepts it
		{"", "", true},
		{"\n\n", "", true},
		{"x", "", false},
		{"1._5", "1.5", false},
		{"1__0", "10", false},
		{"+.5e+1", "5", true},
	}
	for _, tt := range tests {
		if ok, msg := c.Compare([]byte(tt.got), []byte(tt.want)); ok != tt.ok {
			t.Errorf("Compare(%q, %q) = %v (%s), want %v", tt.got, tt.want, ok, msg, tt.ok)
		}
	}
	if ok, msg := c.Compare([]byte("a"), []byte("a\nb")); ok || !strings.Contains(msg, "expected 2 lines, got 1") {
		t.Errorf("a prefix: %v %q, want the line counts named", ok, msg)
	}
	if ok, _ := (judge.Any{}).Compare([]byte("whatever"), []byte("else")); !ok {
		t.Error("Any refused an output")
	}
}

// FuzzScaleBox checks that an output equals itself and, lowercased and
// re-spaced, still passes.
func FuzzScaleBox(f *testing.F) {
	f.Add("1 2\nYES\n")
	f.Add("3.5\n")
	f.Fuzz(func(t *testing.T, out string) {
		c := judge.ScaleBox{}
		if ok, msg := c.Compare([]byte(out), []byte(out)); !ok {
			t.Fatalf("%q does not equal itself: %s", out, msg)
		}
		if ok, msg := c.Compare([]byte(" "+out+"\n"), []byte(out)); !ok {
			t.Fatalf("%q padded does not pass: %s", out, msg)
		}
	})
}
