package judge

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParsePyLiteral evaluates a Python literal expression as ast.literal_eval
// does, without running Python: None, True, False, numbers (int in any base
// with underscores, float, imaginary), strings and bytes (every prefix but
// f, all quote forms, escapes, adjacent literals joined), and lists,
// tuples, sets and dicts of literals, with a sign on numbers. Sums such as
// 1+2j are not accepted. The whole text must be one expression (surrounding
// whitespace is allowed); a bare tuple "1, 2" is refused, so that an assert
// message after a comma is never read as part of the value. Dict keys and
// set items must be hashable; a repeated dict key keeps its first position
// and its last value, as in Python.
//
// It is how expected values written as Python source (assert lines) are
// read outside the sandbox. ParsePyLiteral is safe for concurrent use.
func ParsePyLiteral(src string) (PyValue, error) {
	p := &litParser{src: src}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return PyValue{}, err
	}
	p.space()
	if p.pos < len(p.src) {
		return PyValue{}, p.errorf("unexpected %q after the value", p.rest(12))
	}
	return v, nil
}

type litParser struct {
	src string
	pos int
}

func (p *litParser) errorf(format string, args ...any) error {
	return fmt.Errorf("python literal: offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *litParser) rest(n int) string {
	r := p.src[p.pos:]
	if len(r) > n {
		r = r[:n]
	}
	return r
}

// space skips whitespace, and line continuations, between tokens.
func (p *litParser) space() {
	for p.pos < len(p.src) {
		switch c := p.src[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			p.pos++
		case c == '\\' && p.pos+1 < len(p.src) && p.src[p.pos+1] == '\n':
			p.pos += 2
		default:
			return
		}
	}
}

func (p *litParser) peek() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *litParser) value(depth int) (PyValue, error) {
	if depth > maxPyDepth {
		return PyValue{}, p.errorf("value nested deeper than %d", maxPyDepth)
	}
	c := p.peek()
	switch {
	case c == 0:
		return PyValue{}, p.errorf("unexpected end of the expression")
	case c == '[':
		p.pos++
		items, _, err := p.items(']', depth)
		return PyValue{Kind: PyList, Items: items}, err
	case c == '(':
		p.pos++
		items, comma, err := p.items(')', depth)
		if err != nil {
			return PyValue{}, err
		}
		if len(items) == 1 && !comma {
			return items[0], nil // parentheses around one value
		}
		return PyValue{Kind: PyTuple, Items: items}, nil
	case c == '{':
		p.pos++
		return p.braces(depth)
	case c == '-' || c == '+':
		p.pos++
		p.space()
		if d := p.peek(); !(d >= '0' && d <= '9' || d == '.') {
			return PyValue{}, p.errorf("a sign applies to numbers only")
		}
		v, err := p.number()
		if err != nil || c == '+' {
			return v, err
		}
		return negate(v), nil
	case c >= '0' && c <= '9' || c == '.':
		return p.number()
	case c == '"' || c == '\'' || isLetter(c):
		if v, ok, err := p.strings(); ok || err != nil {
			return v, err
		}
		return p.name()
	}
	return PyValue{}, p.errorf("unexpected %q", p.rest(12))
}

// items reads comma-separated values up to close; comma reports whether a
// comma followed the last one.
func (p *litParser) items(close byte, depth int) ([]PyValue, bool, error) {
	var out []PyValue
	comma := false
	for {
		p.space()
		if p.peek() == close {
			p.pos++
			return out, comma, nil
		}
		if len(out) > 0 && !comma {
			return nil, false, p.errorf("expected ',' or %q", close)
		}
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
		p.space()
		comma = p.peek() == ','
		if comma {
			p.pos++
		}
	}
}

// braces reads a dict or a set after its '{'.
func (p *litParser) braces(depth int) (PyValue, error) {
	p.space()
	if p.peek() == '}' {
		p.pos++
		return PyValue{Kind: PyDict}, nil
	}
	first, err := p.value(depth + 1)
	if err != nil {
		return PyValue{}, err
	}
	p.space()
	if p.peek() != ':' {
		// A set.
		items := []PyValue{first}
		if p.peek() == ',' {
			p.pos++
			more, _, err := p.items('}', depth)
			if err != nil {
				return PyValue{}, err
			}
			items = append(items, more...)
		} else if p.peek() == '}' {
			p.pos++
		} else {
			return PyValue{}, p.errorf("expected ',', ':' or '}'")
		}
		for _, it := range items {
			if err := p.hashable(it); err != nil {
				return PyValue{}, err
			}
		}
		return PyValue{Kind: PySet, Items: items}, nil
	}
	v := PyValue{Kind: PyDict}
	index := map[string]int{}
	key := first
	for {
		p.pos++ // ':'
		p.space()
		val, err := p.value(depth + 1)
		if err != nil {
			return PyValue{}, err
		}
		if err := p.hashable(key); err != nil {
			return PyValue{}, err
		}
		h := hashKey(key)
		if i, dup := index[h]; dup {
			v.Vals[i] = val
		} else {
			index[h] = len(v.Keys)
			v.Keys, v.Vals = append(v.Keys, key), append(v.Vals, val)
		}
		p.space()
		switch p.peek() {
		case '}':
			p.pos++
			return v, nil
		case ',':
			p.pos++
			p.space()
			if p.peek() == '}' {
				p.pos++
				return v, nil
			}
		default:
			return PyValue{}, p.errorf("expected ',' or '}' in a dict")
		}
		if key, err = p.value(depth + 1); err != nil {
			return PyValue{}, err
		}
		p.space()
		if p.peek() != ':' {
			return PyValue{}, p.errorf("expected ':' in a dict")
		}
	}
}

// hashable refuses what Python cannot hash: lists, dicts and sets, also
// inside tuples.
func (p *litParser) hashable(v PyValue) error {
	switch v.Kind {
	case PyList, PyDict, PySet:
		return p.errorf("unhashable type: '%s'", v.Kind)
	case PyTuple:
		for _, it := range v.Items {
			if err := p.hashable(it); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *litParser) name() (PyValue, error) {
	start := p.pos
	for p.pos < len(p.src) && (isLetter(p.src[p.pos]) || p.src[p.pos] >= '0' && p.src[p.pos] <= '9') {
		p.pos++
	}
	switch w := p.src[start:p.pos]; w {
	case "None":
		return PyValue{Kind: PyNone}, nil
	case "True", "False":
		return PyValue{Kind: PyBool, Bool: w == "True"}, nil
	default:
		p.pos = start
		return PyValue{}, p.errorf("%q is not a literal", w)
	}
}

func isLetter(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func negate(v PyValue) PyValue {
	switch v.Kind {
	case PyInt:
		v.Int = new(big.Int).Neg(v.Int)
	case PyFloat:
		v.Float = -v.Float
	case PyComplex:
		v.Float, v.Imag = -v.Float, -v.Imag
	}
	return v
}

// number reads an int, float or imaginary literal.
func (p *litParser) number() (PyValue, error) {
	start := p.pos
	s := p.src
	if s[p.pos] == '0' && p.pos+1 < len(s) && strings.IndexByte("xXoObB", s[p.pos+1]) >= 0 {
		base := map[byte]int{'x': 16, 'o': 8, 'b': 2}[s[p.pos+1]|0x20]
		p.pos += 2
		digits := p.digits(func(c byte) bool { return digitValue(c) < base }, true)
		if digits == "" {
			return PyValue{}, p.errorf("invalid %s", s[start:p.pos])
		}
		n, ok := new(big.Int).SetString(digits, base)
		if !ok {
			return PyValue{}, p.errorf("invalid integer %s", s[start:p.pos])
		}
		return PyValue{Kind: PyInt, Int: n}, p.noTrailingName()
	}
	isDec := func(c byte) bool { return c >= '0' && c <= '9' }
	intPart := p.digits(isDec, false)
	if intPart == "" && p.peek() != '.' {
		return PyValue{}, p.errorf("invalid number")
	}
	float := false
	frac := ""
	if p.peek() == '.' {
		float = true
		p.pos++
		if p.peek() == '_' {
			return PyValue{}, p.errorf("invalid decimal literal")
		}
		frac = p.digits(isDec, false)
		if intPart == "" && frac == "" {
			return PyValue{}, p.errorf("invalid number")
		}
	}
	exp := ""
	if c := p.peek(); c == 'e' || c == 'E' {
		mark := p.pos
		p.pos++
		sign := ""
		if c := p.peek(); c == '+' || c == '-' {
			sign = string(c)
			p.pos++
		}
		e := p.digits(isDec, false)
		if e == "" {
			p.pos = mark
			return PyValue{}, p.errorf("invalid exponent")
		}
		float, exp = true, "e"+sign+e
	}
	imag := false
	if c := p.peek(); c == 'j' || c == 'J' {
		imag = true
		p.pos++
	}
	if err := p.noTrailingName(); err != nil {
		return PyValue{}, err
	}
	if !float && !imag {
		if len(intPart) > 1 && strings.Trim(intPart, "0") != "" && intPart[0] == '0' {
			return PyValue{}, p.errorf("leading zeros in decimal integer literals are not permitted")
		}
		n, _ := new(big.Int).SetString(intPart, 10)
		return PyValue{Kind: PyInt, Int: n}, nil
	}
	lit := intPart
	if lit == "" {
		lit = "0"
	}
	if frac != "" {
		lit += "." + frac
	}
	f, err := strconv.ParseFloat(lit+exp, 64)
	if err != nil && !math.IsInf(f, 0) {
		return PyValue{}, p.errorf("invalid float %s", p.src[start:p.pos])
	}
	if imag {
		return PyValue{Kind: PyComplex, Imag: f}, nil
	}
	return PyValue{Kind: PyFloat, Float: f}, nil
}

// digits reads digits with single underscores between them (leading
// underscore allowed after a base prefix) and returns them without the
// underscores.
func (p *litParser) digits(ok func(byte) bool, prefixed bool) string {
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if c == '_' && p.pos+1 < len(p.src) && ok(p.src[p.pos+1]) && (b.Len() > 0 || prefixed) {
			p.pos++
			continue
		}
		if !ok(c) {
			break
		}
		b.WriteByte(c)
		p.pos++
	}
	return b.String()
}

func digitValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return 99
}

// noTrailingName refuses a number run into a name ("1x", "1_").
func (p *litParser) noTrailingName() error {
	if c := p.peek(); isLetter(c) || c >= '0' && c <= '9' || c == '.' {
		return p.errorf("invalid number near %q", p.rest(8))
	}
	return nil
}

// strings reads one or more adjacent string literals (all str or all
// bytes) and joins them. ok is false when the text at the cursor is a name,
// not a string prefix.
func (p *litParser) strings() (v PyValue, ok bool, err error) {
	var b strings.Builder
	kind := PyKind(0)
	for n := 0; ; n++ {
		mark := p.pos
		i := p.pos
		for i < len(p.src) && i-p.pos < 2 && strings.IndexByte("rRbBuU", p.src[i]) >= 0 {
			i++
		}
		if i >= len(p.src) || (p.src[i] != '"' && p.src[i] != '\'') {
			if n == 0 {
				return PyValue{}, false, nil
			}
			p.pos = mark
			break
		}
		prefix := strings.ToLower(p.src[p.pos:i])
		raw, bytesLit := strings.Contains(prefix, "r"), strings.Contains(prefix, "b")
		if prefix == "ur" || prefix == "ru" || prefix == "bu" || prefix == "ub" || prefix == "uu" || prefix == "rr" || prefix == "bb" {
			return PyValue{}, true, p.errorf("invalid string prefix %q", prefix)
		}
		k := PyStr
		if bytesLit {
			k = PyBytes
		}
		if n > 0 && k != kind {
			return PyValue{}, true, p.errorf("cannot mix bytes and nonbytes literals")
		}
		kind = k
		p.pos = i
		s, err := p.quoted(raw, bytesLit)
		if err != nil {
			return PyValue{}, true, err
		}
		b.WriteString(s)
		p.space()
	}
	return PyValue{Kind: kind, Str: b.String()}, true, nil
}

// quoted reads one quoted literal at the cursor.
func (p *litParser) quoted(raw, bytesLit bool) (string, error) {
	q := p.src[p.pos]
	triple := strings.HasPrefix(p.src[p.pos:], strings.Repeat(string(q), 3))
	if triple {
		p.pos += 3
	} else {
		p.pos++
	}
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf("unterminated string literal")
		}
		c := p.src[p.pos]
		switch {
		case c == q && (!triple || strings.HasPrefix(p.src[p.pos:], strings.Repeat(string(q), 3))):
			if triple {
				p.pos += 3
			} else {
				p.pos++
			}
			return b.String(), nil
		case c == '\n' && !triple:
			return "", p.errorf("unterminated string literal")
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				return "", p.errorf("unterminated string literal")
			}
			if raw {
				// The backslash stays, and the next character cannot end
				// the literal.
				b.WriteByte('\\')
				p.pos++
				_, size := utf8.DecodeRuneInString(p.src[p.pos:])
				b.WriteString(p.src[p.pos : p.pos+size])
				p.pos += size
				continue
			}
			if err := p.escape(&b, bytesLit); err != nil {
				return "", err
			}
		default:
			if bytesLit && c >= 0x80 {
				return "", p.errorf("bytes can only contain ASCII literal characters")
			}
			b.WriteByte(c)
			p.pos++
		}
	}
}

// escape reads an escape sequence at the cursor (a backslash).
func (p *litParser) escape(b *strings.Builder, bytesLit bool) error {
	p.pos++
	c := p.src[p.pos]
	p.pos++
	simple := map[byte]byte{'\n': 0, '\\': '\\', '\'': '\'', '"': '"', 'a': 7, 'b': 8, 'f': 12, 'n': '\n', 'r': '\r', 't': '\t', 'v': 11}
	if r, ok := simple[c]; ok {
		if c != '\n' {
			b.WriteByte(r)
		}
		return nil
	}
	put := func(r rune) {
		if bytesLit {
			b.WriteByte(byte(r))
		} else {
			b.WriteRune(r)
		}
	}
	hex := func(n int) (rune, error) {
		if p.pos+n > len(p.src) {
			return 0, p.errorf("truncated \\%c escape", c)
		}
		v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
		if err != nil {
			return 0, p.errorf("truncated \\%c escape", c)
		}
		p.pos += n
		return rune(v), nil
	}
	switch {
	case c >= '0' && c <= '7':
		v := rune(c - '0')
		for i := 0; i < 2 && p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '7'; i++ {
			v = v*8 + rune(p.src[p.pos]-'0')
			p.pos++
		}
		if bytesLit {
			v &= 0xff
		}
		put(v)
	case c == 'x':
		r, err := hex(2)
		if err != nil {
			return err
		}
		put(r)
	case (c == 'u' || c == 'U') && !bytesLit:
		n := 4
		if c == 'U' {
			n = 8
		}
		r, err := hex(n)
		if err != nil {
			return err
		}
		if r > utf8.MaxRune {
			return p.errorf("illegal Unicode character")
		}
		b.WriteRune(r) // a lone surrogate becomes U+FFFD, as in the JSON wire format
	case c == 'N' && !bytesLit:
		return p.errorf("\\N{...} escapes are not supported")
	default:
		// An unknown escape keeps its backslash.
		b.WriteByte('\\')
		p.pos--
		_, size := utf8.DecodeRuneInString(p.src[p.pos:])
		b.WriteString(p.src[p.pos : p.pos+size])
		p.pos += size
	}
	return nil
}
