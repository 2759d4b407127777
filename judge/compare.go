package judge

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Comparator decides whether a program's output matches the expected
// answer. Implementations are stateless and safe for concurrent use.
type Comparator interface {
	// Compare returns whether got is accepted against want and, when it is
	// not, a short message that says where they differ.
	Compare(got, want []byte) (ok bool, msg string)
	// Name identifies the comparator in reports, with its parameters.
	Name() string
}

// ComparatorOptions parameterise comparators that need them.
type ComparatorOptions struct {
	// AbsTol and RelTol are the float tolerances: a number is accepted when
	// |got-want| <= AbsTol or |got-want| <= RelTol*|want|.
	AbsTol, RelTol float64
	// Flags are the output validator flags of a Kattis problem package
	// (case_sensitive, space_change_sensitive, float_tolerance X,
	// float_absolute_tolerance X, float_relative_tolerance X), read by the
	// kattis comparator and ignored by the others.
	Flags []string
}

// DefaultTolerance is the float tolerance when a benchmark sets none.
const DefaultTolerance = 1e-6

// comparators maps a name to the comparator's constructor.
var comparators = map[string]func(ComparatorOptions) (Comparator, error){}

// RegisterComparator makes a comparator known to NewComparator. It is
// called from init functions; a later registration of a name replaces the
// earlier one.
func RegisterComparator(name string, make func(ComparatorOptions) (Comparator, error)) {
	comparators[name] = make
}

// ComparatorNames lists the comparators NewComparator knows, sorted.
func ComparatorNames() []string {
	names := make([]string, 0, len(comparators))
	for n := range comparators {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func init() {
	fixed := func(c Comparator) func(ComparatorOptions) (Comparator, error) {
		return func(ComparatorOptions) (Comparator, error) { return c, nil }
	}
	RegisterComparator("exact", fixed(Exact{}))
	RegisterComparator("lines", fixed(Lines{}))
	RegisterComparator("tokens", fixed(Tokens{}))
	RegisterComparator("lcb", fixed(LCB{}))
	RegisterComparator("float", func(opts ComparatorOptions) (Comparator, error) {
		f := Float{AbsTol: opts.AbsTol, RelTol: opts.RelTol}
		if f.AbsTol == 0 && f.RelTol == 0 {
			f.AbsTol, f.RelTol = DefaultTolerance, DefaultTolerance
		}
		if f.AbsTol < 0 || f.RelTol < 0 || math.IsNaN(f.AbsTol) || math.IsNaN(f.RelTol) {
			return nil, fmt.Errorf("float comparator: tolerances must be non-negative numbers (abs %v, rel %v)", f.AbsTol, f.RelTol)
		}
		return f, nil
	})
}

// NewComparator returns the named comparator:
//   - exact: byte-for-byte equal;
//   - lines: equal line by line, ignoring trailing whitespace on each line
//     and trailing blank lines; the line counts must match;
//   - tokens: equal whitespace-separated tokens, same count;
//   - float: tokens, where two numbers are equal within the tolerance;
//   - lcb: LiveCodeBench's stdin grading (see LCB);
//   - kattis: the Kattis default output validator (see Kattis);
//   - tokens-ci: tokens, ignoring ASCII case;
//   - yesno: tokens, where YES and NO match in any case;
//   - unordered-lines, unordered-tokens: the same multiset of lines
//     (trimmed as for lines) or tokens, in any order;
//
// and any other registered with RegisterComparator.
func NewComparator(name string, opts ComparatorOptions) (Comparator, error) {
	if make, ok := comparators[name]; ok {
		return make(opts)
	}
	return nil, fmt.Errorf("unknown comparator %q (known: %s)", name, strings.Join(ComparatorNames(), ", "))
}

// Exact accepts byte-for-byte equal output.
type Exact struct{}

// Name implements Comparator.
func (Exact) Name() string { return "exact" }

// Compare implements Comparator.
func (Exact) Compare(got, want []byte) (bool, string) {
	if bytes.Equal(got, want) {
		return true, ""
	}
	n := min(len(got), len(want))
	i := 0
	for i < n && got[i] == want[i] {
		i++
	}
	if i == n {
		return false, fmt.Sprintf("output has %d bytes, expected %d (equal up to byte %d)", len(got), len(want), n)
	}
	return false, fmt.Sprintf("first difference at byte %d: expected %s, got %s", i, quote(want[i:]), quote(got[i:]))
}

// Lines compares line by line, ignoring trailing whitespace on each line and
// trailing blank lines. The number of lines must match.
type Lines struct{}

// Name implements Comparator.
func (Lines) Name() string { return "lines" }

// Compare implements Comparator.
func (Lines) Compare(got, want []byte) (bool, string) {
	g, w := splitLines(got), splitLines(want)
	for i := 0; i < min(len(g), len(w)); i++ {
		if !bytes.Equal(g[i], w[i]) {
			return false, fmt.Sprintf("line %d: expected %s, got %s", i+1, quote(w[i]), quote(g[i]))
		}
	}
	if len(g) != len(w) {
		return false, fmt.Sprintf("expected %d lines, got %d", len(w), len(g))
	}
	return true, ""
}

// splitLines splits b into lines with trailing whitespace removed, dropping
// trailing blank lines.
func splitLines(b []byte) [][]byte {
	lines := bytes.Split(b, []byte{'\n'})
	for i, l := range lines {
		lines[i] = bytes.TrimRight(l, " \t\r\f\v")
	}
	for len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Tokens compares whitespace-separated tokens; the counts must match.
type Tokens struct{}

// Name implements Comparator.
func (Tokens) Name() string { return "tokens" }

// Compare implements Comparator.
func (Tokens) Compare(got, want []byte) (bool, string) {
	return compareTokens(got, want, func(g, w []byte) (bool, string) {
		return bytes.Equal(g, w), ""
	})
}

// Float compares tokens; where the expected token is a number, the output's
// token must be a number within the tolerance (testlib's doubleCompare: NaN
// equals only NaN, an infinity only the same infinity). Other tokens must be
// equal.
type Float struct {
	AbsTol, RelTol float64
}

// Name implements Comparator.
func (f Float) Name() string {
	return fmt.Sprintf("float(abs=%g,rel=%g)", f.AbsTol, f.RelTol)
}

// Compare implements Comparator.
func (f Float) Compare(got, want []byte) (bool, string) {
	return compareTokens(got, want, func(g, w []byte) (bool, string) {
		wv, wok := parseNumber(w)
		if !wok {
			return bytes.Equal(g, w), ""
		}
		gv, gok := parseNumber(g)
		if !gok {
			return false, "not a number"
		}
		if FloatsEqual(gv, wv, f.AbsTol, f.RelTol) {
			return true, ""
		}
		return false, fmt.Sprintf("differs by %g", math.Abs(gv-wv))
	})
}

// FloatsEqual reports whether got is within the tolerance of want.
func FloatsEqual(got, want, absTol, relTol float64) bool {
	switch {
	case math.IsNaN(want) || math.IsNaN(got):
		return math.IsNaN(want) && math.IsNaN(got)
	case math.IsInf(want, 0) || math.IsInf(got, 0):
		return got == want
	}
	d := math.Abs(got - want)
	return d <= absTol || d <= relTol*math.Abs(want)
}

// parseNumber parses a decimal number token ("-1", "3.25", "1e-9", ".5",
// "nan", "inf"); hexadecimal and underscores are not numbers.
func parseNumber(tok []byte) (float64, bool) {
	if len(tok) == 0 || len(tok) > 400 {
		return 0, false
	}
	for _, c := range tok {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' ||
			c == 'n' || c == 'a' || c == 'i' || c == 'f' || c == 'N' || c == 'A' || c == 'I' || c == 'F') {
			return 0, false
		}
	}
	s := string(tok)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Out-of-range numbers come back as ±Inf with an error; treat them as
		// numbers all the same.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true
		}
		return 0, false
	}
	return v, true
}

// compareTokens walks both outputs' tokens in step and applies eq to each pair.
func compareTokens(got, want []byte, eq func(g, w []byte) (bool, string)) (bool, string) {
	g, w := bytes.Fields(got), bytes.Fields(want)
	for i := 0; i < min(len(g), len(w)); i++ {
		if ok, why := eq(g[i], w[i]); !ok {
			msg := fmt.Sprintf("token %d: expected %s, got %s", i+1, quote(w[i]), quote(g[i]))
			if why != "" {
				msg += " (" + why + ")"
			}
			return false, msg
		}
	}
	if len(g) != len(w) {
		return false, fmt.Sprintf("expected %d tokens, got %d", len(w), len(g))
	}
	return true, ""
}

// quote shows at most 40 bytes of b, quoted.
func quote(b []byte) string {
	const max = 40
	if len(b) > max {
		return strconv.Quote(string(b[:max])) + "…"
	}
	return strconv.Quote(string(b))
}
