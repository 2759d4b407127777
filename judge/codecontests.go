package judge

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// CodeContests is the output check of DeepMind's CodeContests tester
// (execution/tester_sandboxer.cc, OutputsMatch and ValuesMatch):
//
//   - both outputs are split on space, \t, \n, \r and \v (not \f), empty
//     parts dropped, and each part is lowercased (ASCII);
//   - equal lists match; lists of different lengths do not;
//   - otherwise each pair of parts must match: two parts that both parse as
//     numbers (absl::SimpleAtod: decimal with an optional sign and exponent,
//     inf, infinity, nan; no hexadecimal) match when they differ by strictly
//     less than 1e-5, absolute; any other pair must be equal text.
//
// So "1.000001" matches "1", "nan" matches nothing but an identical output,
// and a number never matches a word.
type CodeContests struct{}

// CodeContestsTolerance is the absolute difference below which two numbers
// match (kDoublePrecision in the tester).
const CodeContestsTolerance = 1e-5

func init() {
	RegisterComparator("codecontests", func(ComparatorOptions) (Comparator, error) { return CodeContests{}, nil })
}

// Name implements Comparator.
func (CodeContests) Name() string { return "codecontests" }

// Compare implements Comparator.
func (CodeContests) Compare(got, want []byte) (bool, string) {
	g, w := ccSplit(got), ccSplit(want)
	if len(g) != len(w) {
		return false, fmt.Sprintf("expected %d tokens, got %d", len(w), len(g))
	}
	gl, wl := make([][]byte, len(g)), make([][]byte, len(w))
	same := true
	for i := range g {
		gl[i], wl[i] = asciiLowerBytes(g[i]), asciiLowerBytes(w[i])
		same = same && bytes.Equal(gl[i], wl[i])
	}
	if same {
		return true, ""
	}
	// Not equal as text: every pair goes through ValuesMatch, where two
	// numbers are compared as numbers even when they are the same text (so
	// "inf" and "nan" match nothing here).
	for i := range g {
		gv, gok := simpleAtod(gl[i])
		wv, wok := simpleAtod(wl[i])
		if !gok || !wok {
			if !bytes.Equal(gl[i], wl[i]) {
				return false, fmt.Sprintf("token %d: expected %s, got %s", i+1, quote(w[i]), quote(g[i]))
			}
			continue
		}
		if d := math.Abs(gv - wv); !(d < CodeContestsTolerance) {
			return false, fmt.Sprintf("token %d: expected %s, got %s (they differ by %.3g; the tolerance is %g, absolute)", i+1, quote(w[i]), quote(g[i]), d, CodeContestsTolerance)
		}
	}
	return true, ""
}

// asciiLowerBytes is absl::AsciiStrToLower: only A-Z change.
func asciiLowerBytes(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = asciiLower(c)
	}
	return out
}

// ccSplit splits b on the tester's separators, dropping empty parts.
func ccSplit(b []byte) [][]byte {
	return bytes.FieldsFunc(b, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\v'
	})
}

// simpleAtod is absl::SimpleAtod: ASCII whitespace around the number is
// ignored, a leading '+' is allowed (but not "+-"), and absl::from_chars
// must read the rest entirely. Out-of-range values become ±Inf or 0.
func simpleAtod(s []byte) (float64, bool) {
	s = bytes.Trim(s, " \t\n\v\f\r")
	if len(s) == 0 {
		return 0, false
	}
	if s[0] == '+' {
		s = s[1:]
		if len(s) == 0 || s[0] == '-' {
			return 0, false
		}
	}
	i := 0
	if s[0] == '-' {
		i++
	}
	rest := asciiLowerBytes(s[i:])
	switch {
	case bytes.Equal(rest, []byte("inf")) || bytes.Equal(rest, []byte("infinity")):
		return math.Inf(1 - 2*i), true
	case bytes.HasPrefix(rest, []byte("nan")):
		tail := rest[3:]
		if len(tail) == 0 {
			return math.NaN(), true
		}
		// nan(n-char-sequence): letters, digits and underscores.
		if tail[0] != '(' || tail[len(tail)-1] != ')' {
			return 0, false
		}
		for _, c := range tail[1 : len(tail)-1] {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '_') {
				return 0, false
			}
		}
		return math.NaN(), true
	}
	// Decimal: digits [. digits] with at least one digit, then an optional
	// exponent e[sign]digits.
	j, digits := i, 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
		digits++
	}
	if j < len(s) && s[j] == '.' {
		j++
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
			digits++
		}
	}
	if digits == 0 {
		return 0, false
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		if k < len(s) && s[k] >= '0' && s[k] <= '9' {
			for k < len(s) && s[k] >= '0' && s[k] <= '9' {
				k++
			}
			j = k
		}
	}
	if j != len(s) {
		return 0, false
	}
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}
