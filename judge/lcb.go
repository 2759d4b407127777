package judge

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// LCB is LiveCodeBench's stdin grading (lcb_runner's grade_stdio in
// lcb_runner/evaluation/testing_util.py). Both outputs are stripped of
// surrounding whitespace, split at '\n' and each line is stripped; the line
// counts must match. A line is accepted when it equals the expected line, or
// when both split on whitespace into tokens that all parse as Python
// decimal.Decimal values and the two lists are equal: exact values, no
// tolerance, so "1.0" equals "1" and "1e3" equals "1000" but "0.1" does not
// equal "0.10000001". Whitespace is Python's str.isspace, which is Unicode
// White_Space plus U+001C..U+001F.
//
// Where lcb_runner differs from a plain number comparison, LCB follows it:
// an empty line is zero tokens; Decimal ignores underscores anywhere in a
// token ("1_0" is 10), reads any Unicode decimal digit, and accepts "inf",
// "Infinity" and "NaN" in any case, with a sign; a NaN equals nothing
// (a line that holds one passes only when it is textually equal; with a
// signalling NaN lcb_runner raises InvalidOperation, which fails the whole
// sample, and LCB reports it as a mismatch). Decimals are limited to
// CPython's exponent range (adjusted exponent at most 999999999999999999,
// exponent at least -1999999999999999997); beyond it Decimal raises and the
// token is not a decimal. Unicode tables are Go's (15.0; CPython 3.11 has
// 14.0). Output that is not UTF-8 is compared byte for byte; invalid bytes
// are neither whitespace nor digits.
//
// LCB is stateless and safe for concurrent use.
type LCB struct{}

// Name implements Comparator.
func (LCB) Name() string { return "lcb" }

// Compare implements Comparator.
func (LCB) Compare(got, want []byte) (bool, string) {
	g, w := lcbStrippedLines(string(got)), lcbStrippedLines(string(want))
	if len(g) != len(w) {
		return false, fmt.Sprintf("expected %d lines, got %d", len(w), len(g))
	}
	for i := range g {
		if g[i] == w[i] {
			continue
		}
		if ok, why := lcbDecimalLinesEqual(g[i], w[i]); !ok {
			msg := fmt.Sprintf("line %d: expected %s, got %s", i+1, quote([]byte(w[i])), quote([]byte(g[i])))
			if why != "" {
				msg += " (" + why + ")"
			}
			return false, msg
		}
	}
	return true, ""
}

// lcbSpace reports whether Python's str.isspace holds for r: the Unicode
// White_Space characters and the separators U+001C..U+001F.
func lcbSpace(r rune) bool {
	return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f
}

// lcbStrippedLines mirrors get_stripped_lines: strip, split at '\n', strip
// each line. Empty output is one empty line.
func lcbStrippedLines(s string) []string {
	lines := strings.Split(strings.TrimFunc(s, lcbSpace), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimFunc(l, lcbSpace)
	}
	return lines
}

// lcbDecimalLinesEqual mirrors convert_line_to_decimals on both lines and the
// comparison of the resulting lists. It returns why the lines differ.
func lcbDecimalLinesEqual(got, want string) (bool, string) {
	g, w := strings.FieldsFunc(got, lcbSpace), strings.FieldsFunc(want, lcbSpace)
	gd, err := parseLCBDecimals(g)
	if err != "" {
		return false, err
	}
	wd, err := parseLCBDecimals(w)
	if err != "" {
		return false, "expected line is not decimals: " + err
	}
	if len(gd) != len(wd) {
		return false, fmt.Sprintf("expected %d numbers, got %d", len(wd), len(gd))
	}
	for i := range gd {
		if !gd[i].equal(wd[i]) {
			return false, fmt.Sprintf("number %d differs", i+1)
		}
	}
	return true, ""
}

// parseLCBDecimals parses every token, or says which one is not a decimal.
func parseLCBDecimals(toks []string) ([]lcbDecimal, string) {
	ds := make([]lcbDecimal, len(toks))
	for i, t := range toks {
		d, ok := parseLCBDecimal(t)
		if !ok {
			return nil, fmt.Sprintf("%s is not a decimal", quote([]byte(t)))
		}
		ds[i] = d
	}
	return ds, ""
}

// lcbDecimalKind is the class of a Python Decimal value.
type lcbDecimalKind uint8

const (
	decFinite lcbDecimalKind = iota
	decInfinity
	decNaN // quiet or signalling: equal to nothing
)

// lcbDecimal is a Python Decimal in a normal form that makes equality a
// comparison of fields: value = 0.digits × 10^(adjExp+1), where digits has
// no leading or trailing zeros. Zero has no digits.
type lcbDecimal struct {
	kind   lcbDecimalKind
	neg    bool
	digits string
	adjExp int64
}

// equal is Python's Decimal.__eq__: exact, -0 == 0, NaN equal to nothing.
func (a lcbDecimal) equal(b lcbDecimal) bool {
	switch {
	case a.kind == decNaN || b.kind == decNaN:
		return false
	case a.kind != b.kind:
		return false
	case a.kind == decInfinity:
		return a.neg == b.neg
	case a.digits == "" || b.digits == "":
		return a.digits == b.digits
	}
	return a.neg == b.neg && a.digits == b.digits && a.adjExp == b.adjExp
}

// Exponent limits of CPython's decimal on 64-bit platforms: the constructor
// converts exactly under MAX_EMAX and MIN_ETINY and raises
// InvalidOperation for values it would have to round or clamp.
const (
	decimalMaxEmax  = 999999999999999999
	decimalMinEtiny = -1999999999999999997
	// decimalExponentCap bounds exponents during parsing; beyond it a
	// value is out of range whatever its digits.
	decimalExponentCap = 1 << 62
)

// parseLCBDecimal parses tok as Python's Decimal(tok) does (CPython's _decimal
// over libmpdec): underscores are dropped, non-ASCII decimal digits become
// ASCII ones, and the rest must be
//
//	[sign] (digits ["." [digits]] | "." digits) [("e"|"E") [sign] digits]
//	[sign] ("inf" | "infinity")           (any case)
//	[sign] ["s"] "nan" [digits]           (any case)
func parseLCBDecimal(tok string) (lcbDecimal, bool) {
	var b strings.Builder
	for _, r := range tok {
		switch {
		case r == '_':
		case r > 0 && r < utf8.RuneSelf:
			b.WriteByte(byte(r))
		default:
			d := unicodeDigitValue(r)
			if d < 0 {
				return lcbDecimal{}, false
			}
			b.WriteByte(byte('0' + d))
		}
	}
	s := b.String()
	var d lcbDecimal
	if s != "" && (s[0] == '+' || s[0] == '-') {
		d.neg = s[0] == '-'
		s = s[1:]
	}
	switch low := strings.ToLower(s); {
	case low == "inf" || low == "infinity":
		d.kind = decInfinity
		return d, true
	case strings.HasPrefix(low, "nan") && asciiDigits(low[3:]),
		strings.HasPrefix(low, "snan") && asciiDigits(low[4:]):
		d.kind = decNaN
		return d, true
	}

	mant, exp, hasExp := s, "", false
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp, hasExp = s[:i], s[i+1:], true
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" || !asciiDigits(intPart) || !asciiDigits(frac) {
		return lcbDecimal{}, false
	}
	e := int64(0)
	if hasExp {
		var ok bool
		if e, ok = parseLCBExponent(exp); !ok {
			return lcbDecimal{}, false
		}
	}
	// The coefficient is intPart+frac and its exponent e-len(frac).
	coef := strings.TrimLeft(intPart+frac, "0")
	n := int64(max(len(coef), 1)) // zero has one digit
	e -= int64(len(frac))
	if e < decimalMinEtiny || e+n-1 > decimalMaxEmax {
		return lcbDecimal{}, false
	}
	d.adjExp = e + n - 1
	d.digits = strings.TrimRight(coef, "0")
	return d, true
}

// parseLCBExponent parses [sign] digits, clamping its magnitude to
// decimalExponentCap, which is out of range for any decimal a line can hold.
func parseLCBExponent(s string) (int64, bool) {
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if s == "" || !asciiDigits(s) {
		return 0, false
	}
	v := int64(0)
	for i := 0; i < len(s); i++ {
		if v > decimalExponentCap/10 {
			v = decimalExponentCap
			break
		}
		v = v*10 + int64(s[i]-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// asciiDigits reports whether s holds only ASCII digits (true when empty).
func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// unicodeDigitValue returns the value of a Unicode decimal digit (category
// Nd), or -1. Every Nd range in Unicode is a run of whole 0–9 sequences.
func unicodeDigitValue(r rune) int {
	if !unicode.Is(unicode.Nd, r) {
		return -1
	}
	for _, rg := range unicode.Nd.R16 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if rune(rg.Lo) <= r && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10
		}
	}
	return -1
}
