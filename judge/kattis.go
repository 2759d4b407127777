package judge

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Kattis is the default output validator of Kattis problem packages, with
// the semantics of problemtools' support/default_validator/default_validator.cc:
//
//   - Both outputs are read as tokens separated by whitespace (space, \t, \n,
//     \v, \f, \r); any amount of whitespace matches any other, and leading
//     and trailing whitespace is ignored, unless SpaceChangeSensitive.
//   - With SpaceChangeSensitive every whitespace byte of the answer must be
//     matched by the same byte in the output, and the output may have no
//     whitespace the answer lacks, trailing newline included.
//   - Tokens are compared case-insensitively (ASCII letters only, as
//     strcasecmp in the C locale) unless CaseSensitive. A token is compared
//     as a C string: bytes after a NUL byte are ignored.
//   - When a float tolerance is set (AbsTol or RelTol not negative), an
//     answer token that is a finite number (C's sscanf "%lf" reading the
//     whole token: decimal or hexadecimal, "1e" and "0x1p" count, inf and nan
//     do not) requires a number in the output with
//     |answer-output| <= AbsTol or |answer-output| <= RelTol*|answer|.
//     Other answer tokens are compared as text.
//   - The output may not end before the answer, nor have tokens after it.
//
// The flag float_tolerance X sets both tolerances to X.
type Kattis struct {
	CaseSensitive        bool
	SpaceChangeSensitive bool
	// AbsTol and RelTol are the float tolerances; a negative one is unset,
	// and numbers are compared as numbers only when one is set.
	AbsTol, RelTol float64
	// Flags are the validator flags the comparator was made from, for Name.
	Flags []string
}

// NewKattis returns the default validator configured by flags, as they are
// given to the validator's command line (problem.yaml's validator_flags and
// testdata.yaml's output_validator_flags, split on whitespace). A flag it
// does not know, or a tolerance that is not a finite number, is an error, as
// it is a judge error in problemtools.
func NewKattis(flags []string) (Kattis, error) {
	k := Kattis{AbsTol: -1, RelTol: -1, Flags: flags}
	for i := 0; i < len(flags); i++ {
		f := flags[i]
		switch f {
		case "case_sensitive":
			k.CaseSensitive = true
		case "space_change_sensitive":
			k.SpaceChangeSensitive = true
		case "float_absolute_tolerance", "float_relative_tolerance", "float_tolerance":
			if i+1 == len(flags) {
				return Kattis{}, fmt.Errorf("kattis validator flags: %s needs a value", f)
			}
			v, ok := cFloat([]byte(flags[i+1]))
			if !ok {
				return Kattis{}, fmt.Errorf("kattis validator flags: %s %q is not a finite number", f, flags[i+1])
			}
			i++
			switch f {
			case "float_absolute_tolerance":
				k.AbsTol = v
			case "float_relative_tolerance":
				k.RelTol = v
			default:
				k.AbsTol, k.RelTol = v, v
			}
		default:
			return Kattis{}, fmt.Errorf("kattis validator flags: unknown flag %q (known: case_sensitive, space_change_sensitive, float_tolerance X, float_absolute_tolerance X, float_relative_tolerance X)", f)
		}
	}
	return k, nil
}

func init() {
	RegisterComparator("kattis", func(opts ComparatorOptions) (Comparator, error) {
		// Tolerances of the benchmark or problem come first, as if they
		// were flags before the problem's own.
		var flags []string
		if opts.AbsTol != 0 {
			flags = append(flags, "float_absolute_tolerance", strconv.FormatFloat(opts.AbsTol, 'g', -1, 64))
		}
		if opts.RelTol != 0 {
			flags = append(flags, "float_relative_tolerance", strconv.FormatFloat(opts.RelTol, 'g', -1, 64))
		}
		k, err := NewKattis(append(flags, opts.Flags...))
		if err != nil {
			return nil, err
		}
		return k, nil
	})
}

// Name implements Comparator.
func (k Kattis) Name() string {
	if len(k.Flags) == 0 {
		return "kattis"
	}
	return "kattis(" + strings.Join(k.Flags, " ") + ")"
}

// Compare implements Comparator. got is the program's output, want the
// answer file (.ans).
func (k Kattis) Compare(got, want []byte) (bool, string) {
	useFloats := k.AbsTol >= 0 || k.RelTol >= 0
	var j, u int         // read positions in want (the answer) and got (the output)
	jLine, uLine := 1, 1 // current lines, counted as the validator does
	fail := func(format string, args ...any) (bool, string) {
		return false, fmt.Sprintf("output line %d (answer line %d): ", uLine, jLine) + fmt.Sprintf(format, args...)
	}
	for tok := 0; ; tok++ {
		for j < len(want) && cSpace(want[j]) {
			c := want[j]
			j++
			if k.SpaceChangeSensitive {
				if u == len(got) {
					return fail("space change error: the output ended where the answer has %s", byteName(c))
				}
				d := got[u]
				u++
				if d != c {
					return fail("space change error: got %s, expected %s", byteName(d), byteName(c))
				}
				if d == '\n' {
					uLine++
				}
			}
			if c == '\n' {
				jLine++
			}
		}
		for u < len(got) && cSpace(got[u]) {
			if k.SpaceChangeSensitive {
				return fail("space change error: the answer has no more whitespace here, got %s", byteName(got[u]))
			}
			if got[u] == '\n' {
				uLine++
			}
			u++
		}
		if j == len(want) {
			break
		}
		jt := nextToken(want, &j)
		if u == len(got) {
			switch {
			case tok > 0:
				return fail("the output ended before the answer (next answer token %s)", quote(jt))
			case u == 0:
				return fail("the output is empty (first answer token %s)", quote(jt))
			default:
				return fail("the output has no tokens (first answer token %s)", quote(jt))
			}
		}
		ut := nextToken(got, &u)
		if jv, ok := cFloat(jt); useFloats && ok {
			uv, ok := cFloat(ut)
			if !ok {
				return fail("expected a number near %s, got %s", quote(jt), quote(ut))
			}
			if d := math.Abs(jv - uv); !(d <= k.AbsTol) && !(d <= k.RelTol*math.Abs(jv)) {
				return fail("expected %s, got %s: they differ by %.3g (absolute tolerance %s, relative %s)",
					quote(jt), quote(ut), d, tolName(k.AbsTol), tolName(k.RelTol))
			}
			continue
		}
		if !tokensEqual(cString(jt), cString(ut), k.CaseSensitive) {
			return fail("expected %s, got %s", quote(jt), quote(ut))
		}
	}
	if u < len(got) {
		return fail("trailing output %s", quote(nextToken(got, &u)))
	}
	return true, ""
}

// cSpace is isspace in the C locale.
func cSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// nextToken returns the token at b[*i:], which does not start with
// whitespace, and moves *i past it (operator>> into a std::string).
func nextToken(b []byte, i *int) []byte {
	start := *i
	for *i < len(b) && !cSpace(b[*i]) {
		*i++
	}
	return b[start:*i]
}

// cString is tok as its c_str() is read: up to the first NUL byte.
func cString(tok []byte) []byte {
	if n := bytes.IndexByte(tok, 0); n >= 0 {
		return tok[:n]
	}
	return tok
}

// tokensEqual is strcmp (caseSensitive) or strcasecmp in the C locale,
// which folds only ASCII letters.
func tokensEqual(a, b []byte, caseSensitive bool) bool {
	if caseSensitive || len(a) != len(b) {
		return bytes.Equal(a, b)
	}
	for i := range a {
		if asciiLower(a[i]) != asciiLower(b[i]) {
			return false
		}
	}
	return true
}

func asciiLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func byteName(c byte) string {
	switch c {
	case '\n':
		return `newline`
	case ' ':
		return `space`
	}
	return strconv.QuoteRune(rune(c))
}

func tolName(t float64) string {
	if t < 0 {
		return "unset"
	}
	return strconv.FormatFloat(t, 'g', -1, 64)
}

// cFloat is the validator's isfloat: sscanf(token, "%lf%10s") must convert
// exactly one item and the value must be finite. It mirrors glibc's scanf:
// the longest run that looks like a number is read ([sign] digits [. digits]
// [e [sign] digits], or the same in hexadecimal after 0x with a p exponent),
// strtod converts the longest valid prefix of that run ("1e" reads as 1),
// and any byte left over is a second item, so the token is not a float.
// Tokens are read up to a NUL byte, as C strings.
func cFloat(tok []byte) (float64, bool) {
	s := cString(tok)
	i := 0
	sign := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
		sign = 1
	}
	if i < len(s) && (asciiLower(s[i]) == 'n' || asciiLower(s[i]) == 'i') {
		// nan and inf: either a conversion error or not finite.
		return 0, false
	}
	hex := false
	exp := byte('e')
	gotDigit, gotDot, gotE := false, false, false
	if i < len(s) && s[i] == '0' {
		i++
		if i < len(s) && asciiLower(s[i]) == 'x' {
			hex, exp = true, 'p'
			i++
		} else {
			gotDigit = true
		}
	}
scan:
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			gotDigit = true
		case hex && !gotE && isHexDigit(c):
			gotDigit = true
		case gotE && asciiLower(s[i-1]) == exp && (c == '+' || c == '-'):
		case gotDigit && !gotE && asciiLower(c) == exp:
			gotE, gotDot = true, true
		case !gotDot && c == '.':
			gotDot = true
		default:
			break scan
		}
	}
	if i < len(s) {
		return 0, false // a second item: "%10s" matches the rest
	}
	if i == sign || hex && i == sign+2 {
		return 0, false // no number: a conversion error
	}
	v, ok := strtodPrefix(s[:i], hex)
	if !ok || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// strtodPrefix converts the longest prefix of run that strtod accepts; run
// is what cFloat's scan read. ok is false when no prefix is a number.
func strtodPrefix(run []byte, hex bool) (float64, bool) {
	i := 0
	if run[0] == '+' || run[0] == '-' {
		i++
	}
	digit := func(c byte) bool { return '0' <= c && c <= '9' || hex && isHexDigit(c) }
	mant := i
	if hex {
		mant += 2 // "0x"
	}
	j, digits := mant, 0
	for j < len(run) && digit(run[j]) {
		j++
		digits++
	}
	if j < len(run) && run[j] == '.' {
		j++
		for j < len(run) && digit(run[j]) {
			j++
			digits++
		}
	}
	if digits == 0 {
		if hex {
			// "0x" with no hexadecimal digits: strtod reads the "0".
			if run[0] == '-' {
				return math.Copysign(0, -1), true
			}
			return 0, true
		}
		return 0, false
	}
	end := j
	expChar := byte('e')
	if hex {
		expChar = 'p'
	}
	if j < len(run) && asciiLower(run[j]) == expChar {
		k := j + 1
		if k < len(run) && (run[k] == '+' || run[k] == '-') {
			k++
		}
		if k < len(run) && '0' <= run[k] && run[k] <= '9' {
			for k < len(run) && '0' <= run[k] && run[k] <= '9' {
				k++
			}
			end = k
		}
	}
	num := string(run[:end])
	if hex && end == j {
		num += "p0" // Go wants an exponent on hexadecimal mantissas
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return v, true // ±Inf on overflow, like strtod's HUGE_VAL
		}
		return 0, false
	}
	return v, true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
