package judge_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/judge"
)

// codeContestsCases follow DeepMind's OutputsMatch (tester_sandboxer.cc).
var codeContestsCases = []struct {
	out, want string
	ok        bool
}{
	{"1 2 3", "1 2 3", true},
	{"1\n2\n3\n", "1 2 3", true},
	{"\r\n 1\t2\v3 \n\n", "1 2 3", true},
	{"YES", "yes", true},
	{"Yes No", "YES NO", true},
	{"1 2", "1 2 3", false},
	{"1 2 3 4", "1 2 3", false},
	{"", "", true},
	{"\n", "", true},
	{"x", "", false},
	// \f is not a separator.
	{"a\fb", "a b", false},
	// Numbers: absolute difference strictly below 1e-5.
	{"1.000001", "1", true},
	{"1.00001", "1", false},
	{"0.333333", "0.3333333333", true},
	{"1000000.000001", "1000000", true},
	{"100000", "100001", false},
	{"1e5", "100000", true},
	{"+5", "5", true},
	{"+-5", "-5", false},
	{"05", "5", true},
	{"5.", "5", true},
	{".5", "0.5", true},
	{"1e", "1", false},
	{"0x10", "16", false},
	{"1,5", "1.5", false},
	{"a 1.000001", "A 1", true},
	// A number never matches a word.
	{"1", "one", false},
	// inf and nan: equal text matches only when every token is equal text.
	{"inf", "inf", true},
	{"inf 1.000001", "inf 1", false},
	{"nan 1.000001", "nan 1", false},
	{"INF", "inf", true},
	{"1e999", "inf", false}, // inf-inf is NaN
	{"1e999 0", "inf 0.000001", false},
	{"-0", "0", true},
	// Case folding is ASCII only.
	{"É", "é", false},
}

func TestCodeContests(t *testing.T) {
	c, err := judge.NewComparator("codecontests", judge.ComparatorOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "codecontests" {
		t.Errorf("name %q", c.Name())
	}
	for _, tt := range codeContestsCases {
		ok, msg := c.Compare([]byte(tt.out), []byte(tt.want))
		if ok != tt.ok || ok != (msg == "") {
			t.Errorf("output %q, expected %q: ok = %v (%q), want %v", tt.out, tt.want, ok, msg, tt.ok)
		}
	}
}

func TestCodeContestsMessages(t *testing.T) {
	tests := []struct{ out, want, msg string }{
		{"1 2", "1 2 3", "expected 3 tokens, got 2"},
		{"Yes no", "yes yes", `token 2: expected "yes", got "no"`},
		{"0.5 1.5", "0.5 1.25", `token 2: expected "1.25", got "1.5" (they differ by 0.25; the tolerance is 1e-05, absolute)`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(result{false, tt.msg}, compare(judge.CodeContests{}, tt.out, tt.want)); diff != "" {
			t.Errorf("%q against %q (-want +got):\n%s", tt.out, tt.want, diff)
		}
	}
}

func FuzzCodeContests(f *testing.F) {
	for _, tt := range codeContestsCases {
		f.Add(tt.out, tt.want)
	}
	f.Fuzz(func(t *testing.T, out, want string) {
		ok, msg := judge.CodeContests{}.Compare([]byte(out), []byte(want))
		if ok != (msg == "") {
			t.Fatalf("ok = %v with message %q", ok, msg)
		}
		if ok2, _ := (judge.CodeContests{}).Compare([]byte(want), []byte(out)); ok2 != ok {
			t.Fatalf("not symmetric: %q, %q", out, want)
		}
		upper := []byte(want)
		for i, c := range upper {
			if 'a' <= c && c <= 'z' {
				upper[i] = c - 'a' + 'A'
			}
		}
		if ok, _ := (judge.CodeContests{}).Compare(upper, []byte(want)); !ok {
			t.Fatalf("%q does not match its upper case", want)
		}
	})
}
