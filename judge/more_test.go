package judge_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/judge"
)

func TestMoreComparators(t *testing.T) {
	tests := []struct {
		cmp       judge.Comparator
		got, want string
		res       result
	}{
		{judge.TokensFold{}, "Yes  possible\n", "YES POSSIBLE", result{true, ""}},
		{judge.TokensFold{}, "yes", "yes no", result{false, "expected 2 tokens, got 1"}},
		{judge.TokensFold{}, "Case #1: a", "case #2: A", result{false, `token 2: expected "#2:", got "#1:"`}},
		{judge.YesNo{}, "yEs\nNO\n", "YES NO", result{true, ""}},
		{judge.YesNo{}, "yes", "NO", result{false, `token 1: expected "NO", got "yes"`}},
		{judge.YesNo{}, "y", "YES", result{false, `token 1: expected "YES", got "y" (expected YES or NO)`}},
		{judge.YesNo{}, "Case #1: yes", "Case #1: YES", result{true, ""}},
		{judge.YesNo{}, "case #1: yes", "Case #1: YES", result{false, `token 1: expected "Case", got "case"`}},
		{judge.UnorderedLines{}, "b 1\na 2  \n\n", "a 2\nb 1\n", result{true, ""}},
		{judge.UnorderedLines{}, "a 2\na 2\n", "a 2\nb 1\n", result{false, `line "a 2" is not expected`}},
		{judge.UnorderedLines{}, "a 2\n", "a 2\nb 1\n", result{false, "expected 2 lines, got 1"}},
		{judge.UnorderedLines{}, "1 2\n", "2 1\n", result{false, `line "1 2" is not expected`}},
		{judge.UnorderedTokens{}, "3 1\n2", "1 2 3", result{true, ""}},
		{judge.UnorderedTokens{}, "1 1 2", "1 2 2", result{false, `token "1" is not expected`}},
		{judge.UnorderedTokens{}, "1 2 3", "1 2 4", result{false, `token "3" is not expected`}},
		{judge.UnorderedTokens{}, "1 2 5", "1 2 4", result{false, `token "4" is missing`}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.res, compare(tt.cmp, tt.got, tt.want)); diff != "" {
			t.Errorf("%s.Compare(%q, %q) mismatch (-want +got):\n%s", tt.cmp.Name(), tt.got, tt.want, diff)
		}
	}
}

// FuzzUnorderedTokens: any permutation of the expected tokens is accepted,
// and acceptance means the sorted token lists are equal.
func FuzzUnorderedTokens(f *testing.F) {
	f.Add("1 2 3", "3 2 1")
	f.Add("a a b", "a b b")
	f.Add("", "\n")
	f.Fuzz(func(t *testing.T, got, want string) {
		c := judge.UnorderedTokens{}
		ok, msg := c.Compare([]byte(got), []byte(want))
		if ok != (msg == "") {
			t.Errorf("Compare(%q, %q) = %v with message %q", got, want, ok, msg)
		}
		if back, _ := c.Compare([]byte(want), []byte(got)); back != ok {
			t.Errorf("Compare(%q, %q) = %v but swapped = %v", got, want, ok, back)
		}
		if ok, _ := (judge.Tokens{}).Compare([]byte(got), []byte(want)); ok {
			if ok, msg := c.Compare([]byte(got), []byte(want)); !ok {
				t.Errorf("Compare(%q, %q) rejected a tokens match: %s", got, want, msg)
			}
		}
	})
}
