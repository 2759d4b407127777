package judge

import (
	"fmt"
	"strings"
)

// This file reads the subset of Python that test code of assert benchmarks
// is written in (HumanEval's check functions, MBPP's assert lists): a
// tokenizer with Python's rules for indentation, brackets, strings and
// numbers, and a parser for expressions and for the statements such tests
// use (assert, assignment, for, import, pass, expression statements and
// def). Anything outside the subset is a syntax error here, which makes the
// test "not decomposable" (see ParseCheck): it is then run by Python
// itself, never misread.

type tokKind uint8

const (
	tkEOF tokKind = iota
	tkName
	tkNumber
	tkString
	tkOp
	tkNewline
	tkIndent
	tkDedent
)

type token struct {
	kind tokKind
	text string
	pos  int // byte offset in the source
	line int
}

// pySyntaxError is a test outside the subset (or not Python).
type pySyntaxError struct {
	line int
	msg  string
}

func (e *pySyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// pyOps are Python's operators and delimiters, longest first.
var pyOps = []string{
	"**=", "//=", ">>=", "<<=", "...",
	"!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=", ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=",
	"+", "-", "*", "/", "%", "@", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=",
}

func isNameByte(c byte, first bool) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80 || !first && c >= '0' && c <= '9'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// tokenize splits Python source into tokens, with NEWLINE, INDENT and
// DEDENT tokens as Python's tokenizer makes them.
func tokenize(src string) ([]token, error) {
	var toks []token
	indents := []int{0}
	depth := 0
	line := 1
	start := true // at the start of a logical line
	i := 0
	errAt := func(msg string) error { return &pySyntaxError{line, msg} }
	for {
		if start && depth == 0 {
			col, j := 0, i
			for j < len(src) {
				switch src[j] {
				case ' ':
					col++
				case '\t':
					col = (col/8 + 1) * 8
				case '\f':
					col = 0
				default:
					goto measured
				}
				j++
			}
		measured:
			if j >= len(src) {
				i = j
				break
			}
			if c := src[j]; c == '\n' || c == '\r' || c == '#' {
				// A blank or comment-only line.
				for j < len(src) && src[j] != '\n' {
					j++
				}
				i = j + 1
				line++
				continue
			}
			i = j
			switch top := indents[len(indents)-1]; {
			case col > top:
				indents = append(indents, col)
				toks = append(toks, token{kind: tkIndent, pos: i, line: line})
			case col < top:
				for col < indents[len(indents)-1] {
					indents = indents[:len(indents)-1]
					toks = append(toks, token{kind: tkDedent, pos: i, line: line})
				}
				if col != indents[len(indents)-1] {
					return nil, errAt("unindent does not match any outer indentation level")
				}
			}
			start = false
		}
		if i >= len(src) {
			break
		}
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\\':
			j := i + 1
			if j < len(src) && src[j] == '\r' {
				j++
			}
			if j >= len(src) || src[j] != '\n' {
				return nil, errAt("unexpected character after line continuation character")
			}
			i = j + 1
			line++
		case c == '\n' || c == '\r':
			if depth == 0 {
				toks = append(toks, token{kind: tkNewline, pos: i, line: line})
				start = true
			}
			if c == '\r' && i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			i++
			line++
		case isNameByte(c, true):
			j := i
			for j < len(src) && isNameByte(src[j], false) {
				j++
			}
			if j < len(src) && (src[j] == '"' || src[j] == '\'') && isStringPrefix(src[i:j]) {
				end, lines, err := scanString(src, j)
				if err != nil {
					return nil, errAt(err.Error())
				}
				toks = append(toks, token{kind: tkString, text: src[i:end], pos: i, line: line})
				line += lines
				i = end
				continue
			}
			toks = append(toks, token{kind: tkName, text: src[i:j], pos: i, line: line})
			i = j
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := scanNumber(src, i)
			toks = append(toks, token{kind: tkNumber, text: src[i:j], pos: i, line: line})
			i = j
		case c == '"' || c == '\'':
			end, lines, err := scanString(src, i)
			if err != nil {
				return nil, errAt(err.Error())
			}
			toks = append(toks, token{kind: tkString, text: src[i:end], pos: i, line: line})
			line += lines
			i = end
		default:
			op := ""
			for _, o := range pyOps {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, errAt(fmt.Sprintf("unexpected character %q", c))
			}
			switch op {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth == 0 {
					return nil, errAt("unmatched '" + op + "'")
				}
				depth--
			}
			toks = append(toks, token{kind: tkOp, text: op, pos: i, line: line})
			i += len(op)
		}
	}
	if depth > 0 {
		return nil, errAt("unexpected end of the source inside brackets")
	}
	if n := len(toks); n > 0 && toks[n-1].kind != tkNewline && toks[n-1].kind != tkDedent {
		toks = append(toks, token{kind: tkNewline, pos: len(src), line: line})
	}
	for len(indents) > 1 {
		indents = indents[:len(indents)-1]
		toks = append(toks, token{kind: tkDedent, pos: len(src), line: line})
	}
	return append(toks, token{kind: tkEOF, pos: len(src), line: line}), nil
}

func isStringPrefix(s string) bool {
	switch strings.ToLower(s) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// scanString finds the end of the string literal whose quote is at i; lines
// counts the newlines inside it.
func scanString(src string, i int) (end, lines int, err error) {
	q := src[i]
	triple := strings.HasPrefix(src[i:], strings.Repeat(string(q), 3))
	j := i + 1
	if triple {
		j = i + 3
	}
	for j < len(src) {
		c := src[j]
		switch {
		case c == '\\':
			if j+1 < len(src) && src[j+1] == '\n' {
				lines++
			}
			j += 2
			continue
		case c == '\n':
			if !triple {
				return 0, 0, fmt.Errorf("unterminated string literal")
			}
			lines++
		case c == q:
			if !triple {
				return j + 1, lines, nil
			}
			if strings.HasPrefix(src[j:], strings.Repeat(string(q), 3)) {
				return j + 3, lines, nil
			}
		}
		j++
	}
	return 0, 0, fmt.Errorf("unterminated string literal")
}

// scanNumber finds the end of the number literal at i (validated later by
// ParsePyLiteral).
func scanNumber(src string, i int) int {
	j := i
	if src[j] == '0' && j+1 < len(src) && strings.IndexByte("xXoObB", src[j+1]) >= 0 {
		j += 2
		for j < len(src) && (isDigit(src[j]) || src[j] == '_' || strings.IndexByte("abcdefABCDEF", src[j]) >= 0) {
			j++
		}
		return j
	}
	digits := func() {
		for j < len(src) && (isDigit(src[j]) || src[j] == '_') {
			j++
		}
	}
	digits()
	if j < len(src) && src[j] == '.' {
		j++
		digits()
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && isDigit(src[k]) {
			j = k
			digits()
		}
	}
	if j < len(src) && (src[j] == 'j' || src[j] == 'J') {
		j++
	}
	return j
}

// Expressions.

type pyExpr interface{ span() (int, int) }

type exprBase struct{ start, end int }

func (e exprBase) span() (int, int) { return e.start, e.end }

type (
	// constExpr is a literal: a number, a string (fstring marks an
	// f-string, which is never evaluated here), None, True or False.
	constExpr struct {
		exprBase
		v       PyValue
		fstring bool
	}
	nameExpr struct {
		exprBase
		id string
	}
	attrExpr struct {
		exprBase
		x    pyExpr
		name string
	}
	callExpr struct {
		exprBase
		fn   pyExpr
		args []pyExpr
		kws  []keywordArg
	}
	unaryExpr struct {
		exprBase
		op string // "-", "+", "~", "not"
		x  pyExpr
	}
	binExpr struct {
		exprBase
		op   string
		x, y pyExpr
	}
	// boolExpr is and/or over two or more operands.
	boolExpr struct {
		exprBase
		op string
		xs []pyExpr
	}
	// compareExpr is a chain: x ops[0] ys[0] ops[1] ys[1] ...
	compareExpr struct {
		exprBase
		x   pyExpr
		ops []string // "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"
		ys  []pyExpr
	}
	// displayExpr is a list, tuple or set display.
	displayExpr struct {
		exprBase
		kind  PyKind
		elems []pyExpr
	}
	dictExpr struct {
		exprBase
		keys, vals []pyExpr
	}
	subscriptExpr struct {
		exprBase
		x, index pyExpr
	}
	// compExpr is a comprehension: a list, set or dict comprehension or a
	// generator expression (kind PyTuple stands for the generator).
	compExpr struct {
		exprBase
		kind     PyKind
		elt, val pyExpr // val: a dict comprehension's value
		fors     []compFor
	}
)

type keywordArg struct {
	name  string
	value pyExpr
}

type compFor struct {
	target pyTarget
	iter   pyExpr
	ifs    []pyExpr
}

// pyTarget is an assignment target: a name, or a tuple or list of targets.
type pyTarget struct {
	name  string
	elems []pyTarget // for unpacking; name is then ""
}

// Statements.

type pyStmt interface{ stmtLine() int }

type stmtBase struct{ line int }

func (s stmtBase) stmtLine() int { return s.line }

type (
	assertStmt struct {
		stmtBase
		test pyExpr
		msg  pyExpr // never evaluated: Python evaluates it only on failure
	}
	assignStmt struct {
		stmtBase
		targets []pyTarget
		value   pyExpr
	}
	forStmt struct {
		stmtBase
		target pyTarget
		iter   pyExpr
		body   []pyStmt
	}
	exprStmt struct {
		stmtBase
		x pyExpr
	}
	passStmt struct{ stmtBase }
	// importStmt is `import a.b as c, ...` or `from m import x as y, ...`;
	// start and end delimit its source.
	importStmt struct {
		stmtBase
		from       string
		names      []importName
		start, end int
	}
	defStmt struct {
		stmtBase
		name   string
		params []string
		body   []pyStmt
	}
)

type importName struct{ name, as string }

// pyParser parses tokens into statements.
type pyParser struct {
	src  string
	toks []token
	i    int
}

func (p *pyParser) peek() token { return p.toks[p.i] }

func (p *pyParser) next() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *pyParser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tkOp && t.text == op
}

func (p *pyParser) isKeyword(w string) bool {
	t := p.peek()
	return t.kind == tkName && t.text == w
}

func (p *pyParser) errorf(format string, args ...any) error {
	return &pySyntaxError{p.peek().line, fmt.Sprintf(format, args...)}
}

func (p *pyParser) expectOp(op string) error {
	if !p.isOp(op) {
		return p.errorf("expected %q, found %s", op, p.describe())
	}
	p.next()
	return nil
}

func (p *pyParser) describe() string {
	switch t := p.peek(); t.kind {
	case tkEOF:
		return "the end of the source"
	case tkNewline:
		return "the end of the line"
	case tkIndent:
		return "an indented block"
	case tkDedent:
		return "the end of a block"
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

// prevEnd is the byte offset just after the last token read.
func (p *pyParser) prevEnd() int {
	t := p.toks[p.i-1]
	return t.pos + len(t.text)
}

// pyKeywords may not be used as names.
var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

// parseModule parses a whole source.
func parseModule(src string) ([]pyStmt, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &pyParser{src: src, toks: toks}
	var out []pyStmt
	for p.peek().kind != tkEOF {
		if p.peek().kind == tkIndent {
			return nil, p.errorf("unexpected indent")
		}
		stmts, err := p.statement()
		if err != nil {
			return nil, err
		}
		out = append(out, stmts...)
	}
	return out, nil
}

// statement parses one statement: a compound one, or a line of simple ones.
func (p *pyParser) statement() ([]pyStmt, error) {
	switch {
	case p.isKeyword("def"):
		s, err := p.def()
		return []pyStmt{s}, err
	case p.isKeyword("for"):
		s, err := p.forLoop()
		return []pyStmt{s}, err
	}
	var out []pyStmt
	for {
		s, err := p.simple()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		if !p.isOp(";") {
			break
		}
		p.next()
		if p.peek().kind == tkNewline {
			break
		}
	}
	if p.peek().kind != tkNewline {
		return nil, p.errorf("unexpected %s", p.describe())
	}
	p.next()
	return out, nil
}

func (p *pyParser) block() ([]pyStmt, error) {
	if err := p.expectOp(":"); err != nil {
		return nil, err
	}
	if p.peek().kind != tkNewline {
		// Simple statements on the same line.
		return p.statement()
	}
	p.next()
	if p.peek().kind != tkIndent {
		return nil, p.errorf("expected an indented block")
	}
	p.next()
	var body []pyStmt
	for p.peek().kind != tkDedent && p.peek().kind != tkEOF {
		stmts, err := p.statement()
		if err != nil {
			return nil, err
		}
		body = append(body, stmts...)
	}
	p.next()
	return body, nil
}

func (p *pyParser) def() (pyStmt, error) {
	line := p.next().line
	name := p.next()
	if name.kind != tkName || pyKeywords[name.text] {
		return nil, p.errorf("expected a function name")
	}
	if err := p.expectOp("("); err != nil {
		return nil, err
	}
	var params []string
	for !p.isOp(")") {
		t := p.next()
		if t.kind != tkName || pyKeywords[t.text] {
			return nil, p.errorf("only plain parameters are supported")
		}
		params = append(params, t.text)
		if p.isOp(",") {
			p.next()
		} else if !p.isOp(")") {
			return nil, p.errorf("only plain parameters are supported")
		}
	}
	p.next()
	if p.isOp("->") {
		return nil, p.errorf("annotations are not supported")
	}
	body, err := p.block()
	if err != nil {
		return nil, err
	}
	return &defStmt{stmtBase{line}, name.text, params, body}, nil
}

func (p *pyParser) forLoop() (pyStmt, error) {
	line := p.next().line
	target, err := p.targetList()
	if err != nil {
		return nil, err
	}
	if !p.isKeyword("in") {
		return nil, p.errorf("expected 'in'")
	}
	p.next()
	iter, err := p.exprList()
	if err != nil {
		return nil, err
	}
	body, err := p.block()
	if err != nil {
		return nil, err
	}
	if p.isKeyword("else") {
		return nil, p.errorf("for-else is not supported")
	}
	return &forStmt{stmtBase{line}, target, iter, body}, nil
}

// targetList reads assignment targets up to 'in' or '='.
func (p *pyParser) targetList() (pyTarget, error) {
	var elems []pyTarget
	trailing := false
	for {
		t, err := p.target()
		if err != nil {
			return pyTarget{}, err
		}
		elems = append(elems, t)
		trailing = false
		if !p.isOp(",") {
			break
		}
		p.next()
		trailing = true
		if p.isKeyword("in") || p.isOp("=") {
			break
		}
	}
	if len(elems) == 1 && !trailing {
		return elems[0], nil
	}
	return pyTarget{elems: elems}, nil
}

func (p *pyParser) target() (pyTarget, error) {
	if p.isOp("(") || p.isOp("[") {
		close := map[string]string{"(": ")", "[": "]"}[p.next().text]
		var elems []pyTarget
		for !p.isOp(close) {
			t, err := p.target()
			if err != nil {
				return pyTarget{}, err
			}
			elems = append(elems, t)
			if p.isOp(",") {
				p.next()
			} else if !p.isOp(close) {
				return pyTarget{}, p.errorf("expected ',' or %q in a target", close)
			}
		}
		p.next()
		return pyTarget{elems: elems}, nil
	}
	t := p.next()
	if t.kind != tkName || pyKeywords[t.text] {
		return pyTarget{}, p.errorf("only names can be assigned to")
	}
	return pyTarget{name: t.text}, nil
}

func (p *pyParser) simple() (pyStmt, error) {
	t := p.peek()
	line := t.line
	switch {
	case p.isKeyword("assert"):
		p.next()
		test, err := p.expr()
		if err != nil {
			return nil, err
		}
		s := &assertStmt{stmtBase: stmtBase{line}, test: test}
		if p.isOp(",") {
			p.next()
			if s.msg, err = p.expr(); err != nil {
				return nil, err
			}
		}
		return s, nil
	case p.isKeyword("pass"):
		p.next()
		return &passStmt{stmtBase{line}}, nil
	case p.isKeyword("import"), p.isKeyword("from"):
		return p.importStmt()
	case t.kind == tkName && pyKeywords[t.text] && t.text != "None" && t.text != "True" && t.text != "False" && t.text != "not" && t.text != "lambda":
		return nil, p.errorf("%q statements are not supported", t.text)
	}
	// An assignment (a = b = value) or an expression statement.
	mark := p.i
	var targets []pyTarget
	for {
		save := p.i
		tg, err := p.targetList()
		if err != nil || !p.isOp("=") {
			p.i = save
			break
		}
		p.next()
		targets = append(targets, tg)
	}
	if len(targets) == 0 {
		p.i = mark
	}
	x, err := p.exprList()
	if err != nil {
		return nil, err
	}
	if p.peek().kind == tkOp && strings.HasSuffix(p.peek().text, "=") && p.peek().text != "==" {
		return nil, p.errorf("augmented or annotated assignments are not supported")
	}
	if p.isOp(":") {
		return nil, p.errorf("annotations are not supported")
	}
	if len(targets) > 0 {
		return &assignStmt{stmtBase{line}, targets, x}, nil
	}
	return &exprStmt{stmtBase{line}, x}, nil
}

func (p *pyParser) dottedName() (string, error) {
	var parts []string
	for {
		t := p.next()
		if t.kind != tkName || pyKeywords[t.text] {
			return "", p.errorf("expected a module name")
		}
		parts = append(parts, t.text)
		if !p.isOp(".") {
			return strings.Join(parts, "."), nil
		}
		p.next()
	}
}

func (p *pyParser) importStmt() (pyStmt, error) {
	first := p.next()
	s := &importStmt{stmtBase: stmtBase{first.line}, start: first.pos}
	if first.text == "from" {
		if p.isOp(".") || p.isOp("...") {
			return nil, p.errorf("relative imports are not supported")
		}
		mod, err := p.dottedName()
		if err != nil {
			return nil, err
		}
		s.from = mod
		if !p.isKeyword("import") {
			return nil, p.errorf("expected 'import'")
		}
		p.next()
		if p.isOp("*") || p.isOp("(") {
			return nil, p.errorf("star and parenthesised imports are not supported")
		}
	}
	for {
		var n importName
		var err error
		if s.from != "" {
			t := p.next()
			if t.kind != tkName || pyKeywords[t.text] {
				return nil, p.errorf("expected a name to import")
			}
			n.name = t.text
		} else if n.name, err = p.dottedName(); err != nil {
			return nil, err
		}
		if p.isKeyword("as") {
			p.next()
			t := p.next()
			if t.kind != tkName || pyKeywords[t.text] {
				return nil, p.errorf("expected a name after 'as'")
			}
			n.as = t.text
		}
		s.names = append(s.names, n)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	s.end = p.prevEnd()
	return s, nil
}

// exprList reads an expression or a bare tuple (a, b).
func (p *pyParser) exprList() (pyExpr, error) {
	start := p.peek().pos
	x, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return x, nil
	}
	elems := []pyExpr{x}
	for p.isOp(",") {
		p.next()
		if p.peek().kind == tkNewline || p.isOp("=") || p.isOp(")") || p.isOp(":") || p.isOp(";") {
			break
		}
		y, err := p.expr()
		if err != nil {
			return nil, err
		}
		elems = append(elems, y)
	}
	return &displayExpr{exprBase{start, p.prevEnd()}, PyTuple, elems}, nil
}

// expr reads an expression without a bare tuple.
func (p *pyParser) expr() (pyExpr, error) {
	if p.isKeyword("lambda") {
		return nil, p.errorf("lambda is not supported")
	}
	x, err := p.orTest()
	if err != nil {
		return nil, err
	}
	if p.isKeyword("if") {
		return nil, p.errorf("conditional expressions are not supported")
	}
	if p.isOp(":=") {
		return nil, p.errorf("assignment expressions are not supported")
	}
	return x, nil
}

func (p *pyParser) orTest() (pyExpr, error)  { return p.boolOp("or", p.andTest) }
func (p *pyParser) andTest() (pyExpr, error) { return p.boolOp("and", p.notTest) }

func (p *pyParser) boolOp(op string, operand func() (pyExpr, error)) (pyExpr, error) {
	start := p.peek().pos
	x, err := operand()
	if err != nil {
		return nil, err
	}
	if !p.isKeyword(op) {
		return x, nil
	}
	xs := []pyExpr{x}
	for p.isKeyword(op) {
		p.next()
		y, err := operand()
		if err != nil {
			return nil, err
		}
		xs = append(xs, y)
	}
	return &boolExpr{exprBase{start, p.prevEnd()}, op, xs}, nil
}

func (p *pyParser) notTest() (pyExpr, error) {
	if p.isKeyword("not") {
		start := p.next().pos
		x, err := p.notTest()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{exprBase{start, p.prevEnd()}, "not", x}, nil
	}
	return p.comparison()
}

func (p *pyParser) compareOp() string {
	t := p.peek()
	switch {
	case t.kind == tkOp:
		switch t.text {
		case "==", "!=", "<", "<=", ">", ">=":
			return t.text
		}
	case t.kind == tkName && t.text == "in":
		return "in"
	case t.kind == tkName && t.text == "is":
		if n := p.toks[p.i+1]; n.kind == tkName && n.text == "not" {
			return "is not"
		}
		return "is"
	case t.kind == tkName && t.text == "not":
		if n := p.toks[p.i+1]; n.kind == tkName && n.text == "in" {
			return "not in"
		}
	}
	return ""
}

func (p *pyParser) comparison() (pyExpr, error) {
	start := p.peek().pos
	x, err := p.bitOr()
	if err != nil {
		return nil, err
	}
	op := p.compareOp()
	if op == "" {
		return x, nil
	}
	c := &compareExpr{x: x}
	for op != "" {
		p.next()
		if op == "is not" || op == "not in" {
			p.next()
		}
		y, err := p.bitOr()
		if err != nil {
			return nil, err
		}
		c.ops, c.ys = append(c.ops, op), append(c.ys, y)
		op = p.compareOp()
	}
	c.exprBase = exprBase{start, p.prevEnd()}
	return c, nil
}

// binaryLevels are the binary operators by precedence, loosest first.
var binaryLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}}

func (p *pyParser) bitOr() (pyExpr, error) { return p.binary(0) }

func (p *pyParser) binary(level int) (pyExpr, error) {
	if level == len(binaryLevels) {
		return p.unary()
	}
	start := p.peek().pos
	x, err := p.binary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		if t.kind != tkOp || !hasString(binaryLevels[level], t.text) {
			return x, nil
		}
		p.next()
		y, err := p.binary(level + 1)
		if err != nil {
			return nil, err
		}
		x = &binExpr{exprBase{start, p.prevEnd()}, t.text, x, y}
	}
}

func hasString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *pyParser) unary() (pyExpr, error) {
	if t := p.peek(); t.kind == tkOp && (t.text == "-" || t.text == "+" || t.text == "~") {
		p.next()
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &unaryExpr{exprBase{t.pos, p.prevEnd()}, t.text, x}, nil
	}
	return p.power()
}

func (p *pyParser) power() (pyExpr, error) {
	start := p.peek().pos
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.isOp("**") {
		p.next()
		y, err := p.unary() // right-associative, binds a following unary
		if err != nil {
			return nil, err
		}
		return &binExpr{exprBase{start, p.prevEnd()}, "**", x, y}, nil
	}
	return x, nil
}

func (p *pyParser) primary() (pyExpr, error) {
	start := p.peek().pos
	x, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("("):
			p.next()
			call := &callExpr{fn: x}
			for !p.isOp(")") {
				if p.isOp("*") || p.isOp("**") {
					return nil, p.errorf("star arguments are not supported")
				}
				if t := p.peek(); t.kind == tkName && !pyKeywords[t.text] && p.toks[p.i+1].kind == tkOp && p.toks[p.i+1].text == "=" {
					p.i += 2
					v, err := p.expr()
					if err != nil {
						return nil, err
					}
					call.kws = append(call.kws, keywordArg{t.text, v})
				} else {
					if len(call.kws) > 0 {
						return nil, p.errorf("positional argument follows keyword argument")
					}
					a, err := p.expr()
					if err != nil {
						return nil, err
					}
					if p.isKeyword("for") {
						// f(x for x in y): a generator as the only argument.
						g, err := p.comprehension(PyTuple, a, nil, a)
						if err != nil {
							return nil, err
						}
						a = g
					}
					call.args = append(call.args, a)
				}
				if p.isOp(",") {
					p.next()
				} else if !p.isOp(")") {
					return nil, p.errorf("expected ',' or ')' in a call")
				}
			}
			p.next()
			call.exprBase = exprBase{start, p.prevEnd()}
			x = call
		case p.isOp("["):
			p.next()
			if p.isOp(":") {
				return nil, p.errorf("slices are not supported")
			}
			idx, err := p.exprList()
			if err != nil {
				return nil, err
			}
			if p.isOp(":") {
				return nil, p.errorf("slices are not supported")
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			x = &subscriptExpr{exprBase{start, p.prevEnd()}, x, idx}
		case p.isOp("."):
			p.next()
			t := p.next()
			if t.kind != tkName || pyKeywords[t.text] {
				return nil, p.errorf("expected an attribute name")
			}
			x = &attrExpr{exprBase{start, p.prevEnd()}, x, t.text}
		default:
			return x, nil
		}
	}
}

func (p *pyParser) atom() (pyExpr, error) {
	t := p.peek()
	switch t.kind {
	case tkNumber:
		p.next()
		v, err := ParsePyLiteral(t.text)
		if err != nil {
			return nil, &pySyntaxError{t.line, err.Error()}
		}
		return &constExpr{exprBase: exprBase{t.pos, p.prevEnd()}, v: v}, nil
	case tkString:
		// Adjacent literals are one value.
		fstring := false
		for p.peek().kind == tkString {
			tt := p.next()
			if q := strings.IndexAny(tt.text, `"'`); strings.ContainsAny(tt.text[:q], "fF") {
				fstring = true
			}
		}
		end := p.prevEnd()
		if fstring {
			return &constExpr{exprBase: exprBase{t.pos, end}, fstring: true}, nil
		}
		v, err := ParsePyLiteral(p.src[t.pos:end])
		if err != nil {
			return nil, &pySyntaxError{t.line, err.Error()}
		}
		return &constExpr{exprBase: exprBase{t.pos, end}, v: v}, nil
	case tkName:
		p.next()
		switch t.text {
		case "None":
			return &constExpr{exprBase: exprBase{t.pos, p.prevEnd()}, v: PyValue{Kind: PyNone}}, nil
		case "True", "False":
			return &constExpr{exprBase: exprBase{t.pos, p.prevEnd()}, v: PyValue{Kind: PyBool, Bool: t.text == "True"}}, nil
		}
		if pyKeywords[t.text] {
			return nil, &pySyntaxError{t.line, fmt.Sprintf("unexpected %q", t.text)}
		}
		return &nameExpr{exprBase{t.pos, p.prevEnd()}, t.text}, nil
	case tkOp:
		switch t.text {
		case "(":
			p.next()
			if p.isOp(")") {
				p.next()
				return &displayExpr{exprBase{t.pos, p.prevEnd()}, PyTuple, nil}, nil
			}
			first, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isKeyword("for") {
				g, err := p.comprehension(PyTuple, first, nil, nil)
				if err != nil {
					return nil, err
				}
				if err := p.expectOp(")"); err != nil {
					return nil, err
				}
				g.exprBase = exprBase{t.pos, p.prevEnd()}
				return g, nil
			}
			if p.isOp(")") {
				p.next()
				return first, nil // parentheses around one expression
			}
			elems, err := p.displayRest(first, ")")
			if err != nil {
				return nil, err
			}
			return &displayExpr{exprBase{t.pos, p.prevEnd()}, PyTuple, elems}, nil
		case "[":
			p.next()
			if p.isOp("]") {
				p.next()
				return &displayExpr{exprBase{t.pos, p.prevEnd()}, PyList, nil}, nil
			}
			first, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isKeyword("for") {
				c, err := p.comprehension(PyList, first, nil, nil)
				if err != nil {
					return nil, err
				}
				if err := p.expectOp("]"); err != nil {
					return nil, err
				}
				c.exprBase = exprBase{t.pos, p.prevEnd()}
				return c, nil
			}
			elems, err := p.displayRest(first, "]")
			if err != nil {
				return nil, err
			}
			return &displayExpr{exprBase{t.pos, p.prevEnd()}, PyList, elems}, nil
		case "{":
			return p.braces()
		}
	}
	return nil, p.errorf("unexpected %s", p.describe())
}

// displayRest reads the items after the first of a display, up to and
// including close.
func (p *pyParser) displayRest(first pyExpr, close string) ([]pyExpr, error) {
	elems := []pyExpr{first}
	for p.isOp(",") {
		p.next()
		if p.isOp(close) {
			break
		}
		if p.isOp("*") {
			return nil, p.errorf("starred items are not supported")
		}
		x, err := p.expr()
		if err != nil {
			return nil, err
		}
		elems = append(elems, x)
	}
	if err := p.expectOp(close); err != nil {
		return nil, err
	}
	return elems, nil
}

func (p *pyParser) braces() (pyExpr, error) {
	start := p.next().pos
	if p.isOp("}") {
		p.next()
		return &dictExpr{exprBase: exprBase{start, p.prevEnd()}}, nil
	}
	if p.isOp("**") || p.isOp("*") {
		return nil, p.errorf("unpacking in displays is not supported")
	}
	first, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.isOp(":") {
		// A set.
		if p.isKeyword("for") {
			c, err := p.comprehension(PySet, first, nil, nil)
			if err != nil {
				return nil, err
			}
			if err := p.expectOp("}"); err != nil {
				return nil, err
			}
			c.exprBase = exprBase{start, p.prevEnd()}
			return c, nil
		}
		elems, err := p.displayRest(first, "}")
		if err != nil {
			return nil, err
		}
		return &displayExpr{exprBase{start, p.prevEnd()}, PySet, elems}, nil
	}
	p.next()
	val, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.isKeyword("for") {
		c, err := p.comprehension(PyDict, first, val, nil)
		if err != nil {
			return nil, err
		}
		if err := p.expectOp("}"); err != nil {
			return nil, err
		}
		c.exprBase = exprBase{start, p.prevEnd()}
		return c, nil
	}
	d := &dictExpr{keys: []pyExpr{first}, vals: []pyExpr{val}}
	for p.isOp(",") {
		p.next()
		if p.isOp("}") {
			break
		}
		if p.isOp("**") {
			return nil, p.errorf("unpacking in displays is not supported")
		}
		k, err := p.expr()
		if err != nil {
			return nil, err
		}
		if err := p.expectOp(":"); err != nil {
			return nil, err
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		d.keys, d.vals = append(d.keys, k), append(d.vals, v)
	}
	if err := p.expectOp("}"); err != nil {
		return nil, err
	}
	d.exprBase = exprBase{start, p.prevEnd()}
	return d, nil
}

// comprehension reads the for/if clauses after a comprehension's element.
// startAt, when set, is the expression whose start the comprehension
// shares (a generator as a call's only argument).
func (p *pyParser) comprehension(kind PyKind, elt, val pyExpr, startAt pyExpr) (*compExpr, error) {
	c := &compExpr{kind: kind, elt: elt, val: val}
	for p.isKeyword("for") {
		p.next()
		target, err := p.targetList()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("in") {
			return nil, p.errorf("expected 'in'")
		}
		p.next()
		iter, err := p.orTest()
		if err != nil {
			return nil, err
		}
		f := compFor{target: target, iter: iter}
		for p.isKeyword("if") {
			p.next()
			cond, err := p.orTest()
			if err != nil {
				return nil, err
			}
			f.ifs = append(f.ifs, cond)
		}
		c.fors = append(c.fors, f)
	}
	if startAt != nil {
		s, _ := startAt.span()
		c.exprBase = exprBase{s, p.prevEnd()}
	}
	return c, nil
}
