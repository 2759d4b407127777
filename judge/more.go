package judge

import (
	"bytes"
	"fmt"
	"sort"
)

// The comparators a special judge most often reduces to, besides exact,
// lines, tokens and float (REFERENCE §3: testlib's wcmp, nyesno, and
// unordered answers).
func init() {
	fixed := func(c Comparator) func(ComparatorOptions) (Comparator, error) {
		return func(ComparatorOptions) (Comparator, error) { return c, nil }
	}
	RegisterComparator("tokens-ci", fixed(TokensFold{}))
	RegisterComparator("yesno", fixed(YesNo{}))
	RegisterComparator("unordered-lines", fixed(UnorderedLines{}))
	RegisterComparator("unordered-tokens", fixed(UnorderedTokens{}))
}

// TokensFold compares whitespace-separated tokens ignoring ASCII case; the
// counts must match.
type TokensFold struct{}

// Name implements Comparator.
func (TokensFold) Name() string { return "tokens-ci" }

// Compare implements Comparator.
func (TokensFold) Compare(got, want []byte) (bool, string) {
	return compareTokens(got, want, func(g, w []byte) (bool, string) {
		return bytes.EqualFold(g, w), ""
	})
}

// YesNo compares answers made of the words yes and no, in any case
// (testlib's yesno and nyesno): every output token must be one of them
// and equal the expected one ignoring case; the counts must match. An
// expected token that is neither word must be matched exactly.
type YesNo struct{}

// Name implements Comparator.
func (YesNo) Name() string { return "yesno" }

// Compare implements Comparator.
func (YesNo) Compare(got, want []byte) (bool, string) {
	return compareTokens(got, want, func(g, w []byte) (bool, string) {
		if !isYesNo(w) {
			return bytes.Equal(g, w), ""
		}
		if !isYesNo(g) {
			return false, "expected YES or NO"
		}
		return bytes.EqualFold(g, w), ""
	})
}

func isYesNo(b []byte) bool {
	return bytes.EqualFold(b, []byte("yes")) || bytes.EqualFold(b, []byte("no"))
}

// UnorderedLines accepts the expected lines in any order: the multisets of
// lines must be equal, each line with its trailing whitespace removed and
// trailing blank lines dropped.
type UnorderedLines struct{}

// Name implements Comparator.
func (UnorderedLines) Name() string { return "unordered-lines" }

// Compare implements Comparator.
func (UnorderedLines) Compare(got, want []byte) (bool, string) {
	return sameMultiset(splitLines(got), splitLines(want), "lines", "line")
}

// UnorderedTokens accepts the expected tokens in any order: the multisets
// of whitespace-separated tokens must be equal.
type UnorderedTokens struct{}

// Name implements Comparator.
func (UnorderedTokens) Name() string { return "unordered-tokens" }

// Compare implements Comparator.
func (UnorderedTokens) Compare(got, want []byte) (bool, string) {
	return sameMultiset(bytes.Fields(got), bytes.Fields(want), "tokens", "token")
}

// sameMultiset reports whether g and w hold the same items with the same
// multiplicities, and otherwise names the first item (in sorted order)
// whose count differs.
func sameMultiset(g, w [][]byte, plural, singular string) (bool, string) {
	if len(g) != len(w) {
		return false, fmt.Sprintf("expected %d %s, got %d", len(w), plural, len(g))
	}
	count := make(map[string]int, len(w))
	for _, x := range w {
		count[string(x)]++
	}
	for _, x := range g {
		count[string(x)]--
	}
	var diff []string
	for k, n := range count {
		if n != 0 {
			diff = append(diff, k)
		}
	}
	if len(diff) == 0 {
		return true, ""
	}
	sort.Strings(diff)
	k := diff[0]
	if count[k] > 0 {
		return false, fmt.Sprintf("%s %s is missing", singular, quote([]byte(k)))
	}
	return false, fmt.Sprintf("%s %s is not expected", singular, quote([]byte(k)))
}
