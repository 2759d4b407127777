package judge

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

func init() {
	RegisterComparator("scalebox", func(ComparatorOptions) (Comparator, error) { return ScaleBox{}, nil })
	RegisterComparator("any", func(ComparatorOptions) (Comparator, error) { return Any{}, nil })
}

// ScaleBox compares as ScaleBox's stdio judge does (check_stdio_test_case
// in sandbox/utils/testing.py), with one difference: the line counts must
// match. Both outputs are stripped of surrounding whitespace and split at
// newlines; two lines are equal when, lowercased, they are equal once
// stripped, or when both parse as Python floats a and b with
// |a-b| / max(|b|, 1e-10) < 1e-5. ScaleBox pairs the lines with zip, so an
// output that stops early, or adds lines, passes there (a prefix of the
// answer is accepted): that false positive is not copied.
type ScaleBox struct{}

// Name implements Comparator.
func (ScaleBox) Name() string { return "scalebox" }

// Compare implements Comparator.
func (ScaleBox) Compare(got, want []byte) (bool, string) {
	g := strings.Split(strings.TrimFunc(string(got), pyIsSpace), "\n")
	w := strings.Split(strings.TrimFunc(string(want), pyIsSpace), "\n")
	for i := 0; i < min(len(g), len(w)); i++ {
		gl, wl := strings.ToLower(g[i]), strings.ToLower(w[i])
		if strings.TrimFunc(gl, pyIsSpace) == strings.TrimFunc(wl, pyIsSpace) {
			continue
		}
		if a, ok := scaleboxFloat(gl); ok {
			if b, ok := scaleboxFloat(wl); ok && math.Abs(a-b)/math.Max(math.Abs(b), 1e-10) < 1e-5 {
				continue
			}
		}
		return false, fmt.Sprintf("line %d: expected %s, got %s", i+1, quote([]byte(w[i])), quote([]byte(g[i])))
	}
	if len(g) != len(w) {
		return false, fmt.Sprintf("expected %d lines, got %d", len(w), len(g))
	}
	return true, ""
}

// pyIsSpace is Python's str.isspace for one character: Unicode white space
// and the ASCII separators 0x1c-0x1f.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// scaleboxFloat parses s as Python's float() does: surrounding white space,
// decimal digits with single underscores between them, an optional
// exponent, or inf, infinity and nan in any case, each with a sign.
func scaleboxFloat(s string) (float64, bool) {
	s = strings.TrimFunc(s, pyIsSpace)
	if len(s) == 0 || len(s) > 4096 {
		return 0, false
	}
	body := s
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	switch strings.ToLower(body) {
	case "inf", "infinity", "nan":
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil
	}
	// mantissa: digits [. digits] | . digits; exponent: e [sign] digits.
	digits := func(i int) (int, bool) {
		start := i
		for i < len(body) && (body[i] >= '0' && body[i] <= '9' || body[i] == '_') {
			if body[i] == '_' && (i == start || i+1 >= len(body) || body[i-1] == '_' || body[i+1] < '0' || body[i+1] > '9') {
				return i, false
			}
			i++
		}
		return i, true
	}
	i, ok := digits(0)
	intDigits := i
	if !ok {
		return 0, false
	}
	frac := 0
	if i < len(body) && body[i] == '.' {
		j, ok := digits(i + 1)
		if !ok {
			return 0, false
		}
		frac, i = j-i-1, j
	}
	if intDigits == 0 && frac == 0 {
		return 0, false
	}
	if i < len(body) && (body[i] == 'e' || body[i] == 'E') {
		i++
		if i < len(body) && (body[i] == '+' || body[i] == '-') {
			i++
		}
		j, ok := digits(i)
		if !ok || j == i {
			return 0, false
		}
		i = j
	}
	if i != len(body) {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}

// Any accepts every output: for runs whose output is not judged (a
// program run for its own sake, as SandboxFusion's /run_code does), where
// only how the program ended decides.
type Any struct{}

// Name implements Comparator.
func (Any) Name() string { return "any" }

// Compare implements Comparator.
func (Any) Compare(_, _ []byte) (bool, string) { return true, "" }
