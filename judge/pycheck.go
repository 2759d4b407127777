package judge

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strings"
)

// CheckProgram is an assert test (HumanEval's check(candidate), MBPP's
// assert list) taken apart into the calls of the function under test and
// the comparisons of their values, so that the comparisons run here, never
// in the process of the program being judged: its return values cross the
// sandbox as plain data (the PyValue wire format) and neither the expected
// values nor the test's code enter the sandbox.
//
// ParseCheck runs the test here once with the calls' values unknown: that
// gives the calls, in the order Python makes them, as Python expressions
// for the sandbox (`candidate(1, [2, 3])`, or `tuple(candidate(...))` when
// the test converts the value itself, so that an iterator or a subclass
// converts as in Python). Judge runs it again with the values the sandbox
// reported and returns the verdict of the first assert that fails.
//
// A test decomposes when every call of the function under test happens
// unconditionally (not in the right operand of and/or, a later operand of
// a chained comparison, or a comprehension), its arguments do not depend on
// another call's value, the values are only compared, converted and
// combined with the operations and builtins implemented here, and the rest
// of the test (literals, arithmetic, loops over ranges, local variables,
// imports of math) can be computed here exactly as CPython computes it.
// Anything else (random inputs, helpers of the prompt, attribute calls) is
// not decomposable: ParseCheck says why, and the test must run in Python.
//
// A CheckProgram is immutable after ParseCheck; Judge is safe for
// concurrent use.
type CheckProgram struct {
	entry  string
	source string
	stmts  []pyStmt
	check  *defStmt
	// moduleImports are the names the test's module-level imports bind;
	// setup is their source, which the sandbox runs after the program as
	// the reference runs the test module (the program may rely on them).
	moduleImports map[string]bool
	setup         string
	calls         []string
}

// CallResult is the sandbox's report of one call: its value, or the
// exception it raised, or that it ran out of time.
type CallResult struct {
	Value   PyValue
	Error   string
	Timeout bool
}

// CheckOutcome is the verdict of a decomposed test.
type CheckOutcome struct {
	Verdict Verdict
	// Message says which assert failed (its line in the test and source)
	// and with which values, or which call raised.
	Message string
	// Call is the index of the call whose missing result stopped the
	// judgement (Verdict is then empty: the caller decides from how the
	// process ended), or -1.
	Call int
}

// NotDecomposableError says why a test cannot be judged outside Python.
type NotDecomposableError struct{ Reason string }

func (e *NotDecomposableError) Error() string {
	return "the test does not decompose into calls and comparisons: " + e.Reason
}

// ParseCheck decomposes test, whose function under test is entryPoint: a
// module defining check(candidate) (called with the function, as
// HumanEval's harness does), or module-level asserts that call entryPoint
// by name (MBPP). The error is a *NotDecomposableError when the test is
// valid Python outside what decomposes.
func ParseCheck(test, entryPoint string) (*CheckProgram, error) {
	refuse := func(format string, args ...any) error {
		return &NotDecomposableError{fmt.Sprintf(format, args...)}
	}
	stmts, err := parseModule(test)
	if err != nil {
		return nil, refuse("%v", err)
	}
	c := &CheckProgram{entry: entryPoint, source: test, stmts: stmts, moduleImports: map[string]bool{}}
	var setup []string
	for _, s := range stmts {
		switch s := s.(type) {
		case *defStmt:
			if s.name != "check" || len(s.params) != 1 || c.check != nil {
				return nil, refuse("line %d: it defines a function %s of its own", s.line, s.name)
			}
			c.check = s
		case *importStmt:
			setup = append(setup, test[s.start:s.end])
			for _, n := range s.names {
				c.moduleImports[n.bound()] = true
			}
		}
	}
	c.setup = strings.Join(setup, "\n")
	in := c.interp(nil, false)
	if err := in.run(); err != nil && err != errEndOfTest {
		var r *refusal
		var pe *pyError
		switch {
		case errors.As(err, &r):
			return nil, refuse("line %d: %s", in.line, r.reason)
		case errors.As(err, &pe):
			return nil, refuse("line %d: %v", in.line, pe)
		}
		return nil, err
	}
	c.calls = in.calls
	return c, nil
}

// Calls returns the Python expressions the sandbox evaluates, in order, in
// the program's globals with `candidate` bound to the function under test,
// `_truth` to bool and `_ident` to a function that returns its argument
// when it is None, True or False and an opaque object otherwise.
func (c *CheckProgram) Calls() []string { return c.calls }

// Setup returns the test's module-level imports, which the reference runs
// in the program's globals after the program.
func (c *CheckProgram) Setup() string { return c.setup }

// Judge runs the test with the calls' results (in the order of Calls; a
// shorter list means the process ended before reporting the rest).
func (c *CheckProgram) Judge(results []CallResult) CheckOutcome {
	in := c.interp(results, true)
	err := in.run()
	var stop *checkStop
	switch {
	case err == nil:
		return CheckOutcome{Verdict: AC, Call: -1}
	case errors.As(err, &stop):
		return stop.outcome
	}
	return CheckOutcome{Verdict: SE, Message: fmt.Sprintf("line %d of the test: %v", in.line, err), Call: -1}
}

func (n importName) bound() string {
	if n.as != "" {
		return n.as
	}
	name, _, _ := strings.Cut(n.name, ".")
	return name
}

// refusal ends ParseCheck: the test does not decompose.
type refusal struct{ reason string }

func (r *refusal) Error() string { return r.reason }

func refusef(format string, args ...any) *refusal { return &refusal{fmt.Sprintf(format, args...)} }

// checkStop ends Judge with an outcome.
type checkStop struct{ outcome CheckOutcome }

func (s *checkStop) Error() string { return s.outcome.Message }

type vkind uint8

const (
	vPlain     vkind = iota
	vUnknown         // a value derived from a call (before Judge knows it)
	vCandidate       // the function under test
	vBuiltin         // a builtin implemented here ("abs", "math.isclose")
	vModule          // an imported module
	vRange           // a range object
	vIter            // a generator's items
)

type value struct {
	kind  vkind
	v     PyValue
	name  string
	items []PyValue // vRange (expanded), vIter
	rng   [3]int64
}

func plainValue(v PyValue) value { return value{v: v} }

var unknownValue = value{kind: vUnknown}

type binding struct {
	val   value
	bound bool
	// passed: the object went to a call (the function may change it);
	// escaped: something else holds it too.
	passed, escaped bool
}

type checkInterp struct {
	prog    *CheckProgram
	judging bool
	results []CallResult
	next    int
	calls   []string
	steps   int
	line    int
	globals map[string]*binding
	// locals is check's frame and localNames the names it assigns (Python
	// decides locality per function); nil at module level.
	locals     map[string]*binding
	localNames map[string]bool
	// comps are the scopes of the comprehensions being evaluated.
	comps []map[string]*binding
	// aliased is set when a mutable variable is read where its object may
	// be kept (see lookup).
	aliased bool
}

// Bounds on the work ParseCheck and Judge do.
const (
	maxCheckSteps = 2_000_000
	maxCheckCalls = 100_000
)

func (c *CheckProgram) interp(results []CallResult, judging bool) *checkInterp {
	return &checkInterp{prog: c, judging: judging, results: results, globals: map[string]*binding{}}
}

type evalCtx struct {
	// conditional: the expression may not be evaluated in Python (a later
	// operand of and/or), so it must not call the function under test.
	conditional bool
	// argument: the expression is (part of) an argument of a call of the
	// function under test.
	argument bool
	// consume: the value is only iterated or read (an iterable, an
	// argument of len, sum ...), never kept.
	consume bool
}

func (in *checkInterp) run() error {
	if err := in.exec(in.prog.stmts); err != nil {
		return err
	}
	if d := in.prog.check; d != nil {
		// check(entry_point), as HumanEval's harness ends the program.
		in.line = d.line
		in.locals = map[string]*binding{d.params[0]: {val: value{kind: vCandidate}, bound: true}}
		in.localNames = map[string]bool{d.params[0]: true}
		assignedNames(d.body, in.localNames)
		if err := in.exec(d.body); err != nil {
			return err
		}
	}
	if in.judging && in.next != len(in.prog.calls) {
		return fmt.Errorf("the test made %d calls when judged, %d when decomposed", in.next, len(in.prog.calls))
	}
	return nil
}

// assignedNames adds the names a function body binds to names.
func assignedNames(body []pyStmt, names map[string]bool) {
	var target func(t pyTarget)
	target = func(t pyTarget) {
		if t.name != "" {
			names[t.name] = true
		}
		for _, e := range t.elems {
			target(e)
		}
	}
	for _, s := range body {
		switch s := s.(type) {
		case *assignStmt:
			for _, t := range s.targets {
				target(t)
			}
		case *forStmt:
			target(s.target)
			assignedNames(s.body, names)
		case *importStmt:
			for _, n := range s.names {
				names[n.bound()] = true
			}
		}
	}
}

func (in *checkInterp) exec(stmts []pyStmt) error {
	for _, s := range stmts {
		in.line = s.stmtLine()
		if err := in.step(); err != nil {
			return err
		}
		switch s := s.(type) {
		case *assertStmt:
			if err := in.assert(s); err != nil {
				return err
			}
		case *assignStmt:
			in.aliased = false
			v, err := in.eval(s.value, evalCtx{})
			if err != nil {
				return err
			}
			if v.kind == vUnknown {
				return refusef("it keeps a call's result in a variable")
			}
			for _, t := range s.targets {
				if err := in.assign(t, v, in.aliased); err != nil {
					return err
				}
			}
		case *forStmt:
			iter, err := in.eval(s.iter, evalCtx{consume: true})
			if err != nil {
				return err
			}
			items, err := in.items(iter)
			if err != nil {
				return err
			}
			for _, it := range items {
				if err := in.assign(s.target, plainValue(it), mutable(it)); err != nil {
					return err
				}
				if err := in.exec(s.body); err != nil {
					return err
				}
				in.line = s.line
			}
		case *exprStmt:
			if _, err := in.eval(s.x, evalCtx{consume: true}); err != nil {
				return err
			}
		case *passStmt:
		case *importStmt:
			for _, n := range s.names {
				v := value{kind: vModule, name: strings.Split(n.name, ".")[0]}
				if s.from != "" {
					v = moduleAttr(s.from, n.name)
				} else if n.as != "" {
					v.name = n.name
				}
				in.bind(n.bound(), v, false)
			}
		case *defStmt:
			// check, defined at module level: run after the module.
		default:
			return refusef("unsupported statement")
		}
	}
	return nil
}

func (in *checkInterp) step() error {
	in.steps++
	if in.steps > maxCheckSteps {
		return refusef("the test takes more than %d steps to run here", maxCheckSteps)
	}
	return nil
}

// fail ends Judge: an assert failed (WA) or the test raised (RE).
func (in *checkInterp) fail(v Verdict, format string, args ...any) error {
	return &checkStop{CheckOutcome{Verdict: v, Message: fmt.Sprintf("line %d of the test: ", in.line) + fmt.Sprintf(format, args...), Call: -1}}
}

// pyFailure turns an exception raised while judging into the outcome.
func (in *checkInterp) pyFailure(err error) error {
	var pe *pyError
	if !errors.As(err, &pe) || !in.judging {
		return err
	}
	if pe.unsupported {
		return &checkStop{CheckOutcome{Verdict: SE, Message: fmt.Sprintf("line %d of the test: scalebox cannot evaluate this outside Python: %s", in.line, pe.msg), Call: -1}}
	}
	return in.fail(RE, "the test raised %s", pe.Error())
}

func (in *checkInterp) assert(s *assertStmt) error {
	t, known, err := in.truth(s.test, evalCtx{})
	if err != nil {
		return in.pyFailure(err)
	}
	if !known || t {
		return nil
	}
	if !in.judging {
		// The assert fails whatever the program does: Python stops here.
		return errEndOfTest
	}
	return in.fail(WA, "%s", in.describeFailure(s.test))
}

// errEndOfTest ends ParseCheck at an assert that always fails: the calls
// after it are never made.
var errEndOfTest = &checkStop{}

func (in *checkInterp) describeFailure(test pyExpr) string {
	start, end := test.span()
	src := strings.Join(strings.Fields(in.source(start, end)), " ")
	if r := []rune(src); len(r) > 160 {
		src = string(r[:160]) + "…"
	}
	return "assert " + src + " failed"
}

func (in *checkInterp) source(start, end int) string {
	return in.prog.src()[start:end]
}

// src is the test's source: the spans of its nodes index it.
func (c *CheckProgram) src() string { return c.source }

// truth evaluates e for its truth value; known is false for a value
// derived from a call before Judge.
func (in *checkInterp) truth(e pyExpr, cx evalCtx) (t, known bool, err error) {
	if chain, ok := in.sandboxChain(e); ok {
		v, err := in.sandboxCall(chain, "_truth", cx)
		if err != nil || v.kind == vUnknown {
			return false, false, err
		}
		return v.v.Kind == PyBool && v.v.Bool, true, nil
	}
	v, err := in.eval(e, cx)
	if err != nil || v.kind == vUnknown {
		return false, false, err
	}
	p, err := in.plain(v)
	if err != nil {
		return false, false, err
	}
	b, perr := pyTruth(p)
	if perr != nil {
		return false, false, perr
	}
	return b, true, nil
}

// plain returns a value as data, expanding ranges and generators.
func (in *checkInterp) plain(v value) (PyValue, error) {
	switch v.kind {
	case vPlain:
		return v.v, nil
	case vRange, vIter:
		return PyValue{}, refusef("a range or generator used as a value")
	case vCandidate:
		return PyValue{}, refusef("the function itself used as a value")
	case vBuiltin, vModule:
		return PyValue{}, refusef("%s used as a value", v.name)
	}
	return PyValue{}, refusef("a call's result used where its value must be known")
}

// items returns what iterating over v visits.
func (in *checkInterp) items(v value) ([]PyValue, error) {
	switch v.kind {
	case vRange, vIter:
		return v.items, nil
	case vUnknown:
		return nil, refusef("it iterates over a call's result")
	}
	p, err := in.plain(v)
	if err != nil {
		return nil, err
	}
	items, perr := iterate(p)
	if perr != nil {
		return nil, perr
	}
	return items, nil
}

func (in *checkInterp) assign(t pyTarget, v value, aliased bool) error {
	if t.name != "" {
		in.bind(t.name, v, aliased)
		return nil
	}
	items, err := in.items(v)
	if err != nil {
		return err
	}
	if len(items) != len(t.elems) {
		return raise("ValueError", "cannot unpack %d values into %d targets", len(items), len(t.elems))
	}
	for i, e := range t.elems {
		if err := in.assign(e, plainValue(items[i]), mutable(items[i])); err != nil {
			return err
		}
	}
	return nil
}

func (in *checkInterp) bind(name string, v value, escaped bool) {
	b := &binding{val: v, bound: true, escaped: escaped}
	switch {
	case len(in.comps) > 0:
		in.comps[len(in.comps)-1][name] = b
	case in.locals != nil:
		in.locals[name] = b
	default:
		in.globals[name] = b
	}
}

// lookupBinding finds the variable a name refers to (nil for a builtin or
// the function under test named by its entry point).
func (in *checkInterp) lookupBinding(name string) (*binding, error) {
	for i := len(in.comps) - 1; i >= 0; i-- {
		if b, ok := in.comps[i][name]; ok {
			return b, nil
		}
	}
	if in.localNames[name] {
		b, ok := in.locals[name]
		if !ok || !b.bound {
			return nil, raise("UnboundLocalError", "local variable '%s' referenced before assignment", name)
		}
		return b, nil
	}
	if b, ok := in.globals[name]; ok {
		return b, nil
	}
	return nil, nil
}

// lookup evaluates a name.
func (in *checkInterp) lookup(name string, cx evalCtx) (value, error) {
	b, err := in.lookupBinding(name)
	if err != nil {
		return value{}, err
	}
	if b != nil {
		if b.val.kind == vPlain && mutable(b.val.v) {
			if b.passed {
				return value{}, refusef("it reads %s after passing it to the function, which may have changed it", name)
			}
			if cx.argument {
				b.passed = true
			} else if !cx.consume {
				b.escaped = true
				in.aliased = true
			}
		}
		return b.val, nil
	}
	if name == in.prog.entry {
		return value{kind: vCandidate}, nil
	}
	if modeledBuiltins[name] {
		return value{kind: vBuiltin, name: name}, nil
	}
	if pyBuiltinNames[name] {
		return value{}, refusef("it uses %s", name)
	}
	return value{}, refusef("it uses %s, which the test does not define (a name of the prompt or the program)", name)
}

// modeledBuiltins are the builtins implemented here.
var modeledBuiltins = map[string]bool{
	"abs": true, "len": true, "str": true, "int": true, "float": true, "bool": true, "tuple": true,
	"list": true, "set": true, "frozenset": true, "sorted": true, "sum": true, "min": true, "max": true,
	"range": true, "print": true, "round": true, "all": true, "any": true,
}

// sandboxWrappers are the builtins a test may apply to a call's value that
// the sandbox applies there (on the object itself, as in Python).
var sandboxWrappers = map[string]bool{
	"tuple": true, "list": true, "set": true, "frozenset": true, "sorted": true, "len": true, "str": true,
	"int": true, "float": true, "bool": true, "abs": true, "sum": true, "min": true, "max": true,
	"round": true, "repr": true,
}

// pyBuiltinNames are Python's builtin names (3.8 to 3.13).
var pyBuiltinNames = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`abs aiter all anext any ascii bin bool breakpoint bytearray bytes
		callable chr classmethod compile complex delattr dict dir divmod enumerate eval exec filter float
		format frozenset getattr globals hasattr hash help hex id input int isinstance issubclass iter len
		list locals map max memoryview min next object oct open ord pow print property range repr reversed
		round set setattr slice sorted staticmethod str sum super tuple type vars zip __import__
		ArithmeticError AssertionError AttributeError BaseException BufferError BytesWarning
		DeprecationWarning EOFError Ellipsis EnvironmentError Exception FloatingPointError FutureWarning
		GeneratorExit IOError ImportError ImportWarning IndentationError IndexError KeyError
		KeyboardInterrupt LookupError MemoryError ModuleNotFoundError NameError NotImplemented
		NotImplementedError OSError OverflowError PendingDeprecationWarning RecursionError ReferenceError
		ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration StopIteration SyntaxError
		SyntaxWarning SystemError SystemExit TabError TimeoutError TypeError UnboundLocalError
		UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning
		UserWarning ValueError Warning ZeroDivisionError`) {
		m[n] = true
	}
	return m
}()

// moduleAttr is module.name for the modules implemented here.
func moduleAttr(module, name string) value {
	if module == "math" {
		switch name {
		case "pi":
			return plainValue(pyFloat(math.Pi))
		case "e":
			return plainValue(pyFloat(math.E))
		case "tau":
			return plainValue(pyFloat(2 * math.Pi))
		case "inf":
			return plainValue(pyFloat(math.Inf(1)))
		case "nan":
			return plainValue(pyFloat(math.NaN()))
		case "isclose", "fabs", "sqrt", "floor", "ceil", "isnan", "isinf", "isfinite":
			return value{kind: vBuiltin, name: "math." + name}
		}
	}
	return value{kind: vModule, name: module + "." + name}
}

func (in *checkInterp) eval(e pyExpr, cx evalCtx) (value, error) {
	if err := in.step(); err != nil {
		return value{}, err
	}
	switch e := e.(type) {
	case *constExpr:
		if e.fstring {
			return value{}, refusef("f-strings are evaluated only by Python")
		}
		return plainValue(e.v), nil
	case *nameExpr:
		return in.lookup(e.id, cx)
	case *attrExpr:
		x, err := in.eval(e.x, cx)
		if err != nil {
			return value{}, err
		}
		if x.kind != vModule {
			return value{}, refusef("it reads the attribute %s of a value", e.name)
		}
		v := moduleAttr(x.name, e.name)
		if v.kind == vModule {
			return value{}, refusef("it uses %s", v.name)
		}
		return v, nil
	case *callExpr:
		return in.call(e, cx)
	case *unaryExpr:
		if e.op == "not" {
			t, known, err := in.truth(e.x, cx)
			if err != nil || !known {
				return unknownValue, err
			}
			return plainValue(pyBool(!t)), nil
		}
		x, err := in.eval(e.x, cx)
		if err != nil || x.kind == vUnknown {
			return x, err
		}
		p, err := in.plain(x)
		if err != nil {
			return value{}, err
		}
		r, perr := pyUnary(e.op, p)
		if perr != nil {
			return value{}, perr
		}
		return plainValue(r), nil
	case *binExpr:
		return in.binary(e, cx)
	case *boolExpr:
		return in.boolOp(e, cx)
	case *compareExpr:
		return in.compare(e, cx)
	case *displayExpr:
		return in.display(e, cx)
	case *dictExpr:
		return in.dict(e, cx)
	case *subscriptExpr:
		return in.subscript(e, cx)
	case *compExpr:
		return in.comprehension(e, cx)
	}
	return value{}, refusef("unsupported expression")
}

func (in *checkInterp) binary(e *binExpr, cx evalCtx) (value, error) {
	sub := cx
	sub.consume = false
	x, err := in.eval(e.x, sub)
	if err != nil {
		return value{}, err
	}
	y, err := in.eval(e.y, sub)
	if err != nil {
		return value{}, err
	}
	if x.kind == vUnknown || y.kind == vUnknown {
		switch e.op {
		case "+", "-", "*", "/", "//", "%":
			return unknownValue, nil
		}
		return value{}, refusef("it applies %s to a call's result", e.op)
	}
	a, err := in.plain(x)
	if err != nil {
		return value{}, err
	}
	b, err := in.plain(y)
	if err != nil {
		return value{}, err
	}
	r, perr := pyBinary(e.op, a, b)
	if perr != nil {
		return value{}, perr
	}
	return plainValue(r), nil
}

func (in *checkInterp) boolOp(e *boolExpr, cx evalCtx) (value, error) {
	x, err := in.eval(e.xs[0], cx)
	if err != nil {
		return value{}, err
	}
	rest := cx
	rest.conditional = true
	for _, next := range e.xs[1:] {
		if x.kind == vUnknown {
			// Whether Python evaluates the rest depends on the value: it
			// must not matter (no calls, no errors).
			if _, err := in.eval(next, rest); err != nil {
				return value{}, err
			}
			continue
		}
		p, err := in.plain(x)
		if err != nil {
			return value{}, err
		}
		t, perr := pyTruth(p)
		if perr != nil {
			return value{}, perr
		}
		if t == (e.op == "or") {
			return x, nil
		}
		if x, err = in.eval(next, rest); err != nil {
			return value{}, err
		}
	}
	return x, nil
}

func (in *checkInterp) compare(e *compareExpr, cx evalCtx) (value, error) {
	sub := cx
	sub.consume = true
	left, err := in.compareOperand(e.x, e.ops[0], e.ys[0], sub)
	if err != nil {
		return value{}, err
	}
	unknown := false
	for i, op := range e.ops {
		if i > 0 {
			sub.conditional = true
		}
		other := e.x
		if i > 0 {
			other = e.ys[i-1]
		}
		right, err := in.compareOperand(e.ys[i], op, other, sub)
		if err != nil {
			return value{}, err
		}
		if left.kind == vUnknown || right.kind == vUnknown {
			unknown = true
			left = right
			continue
		}
		a, err := in.plain(left)
		if err != nil {
			return value{}, err
		}
		b, err := in.plain(right)
		if err != nil {
			return value{}, err
		}
		ok, perr := pyCompare(op, a, b)
		if perr != nil {
			return value{}, perr
		}
		if !ok && !unknown {
			return plainValue(pyBool(false)), nil
		}
		left = right
	}
	if unknown {
		return unknownValue, nil
	}
	return plainValue(pyBool(true)), nil
}

// compareOperand evaluates an operand of a comparison; an operand of `is`
// that is a call is judged by its identity with None, True or False,
// which the sandbox reports (a numpy bool is not True).
func (in *checkInterp) compareOperand(x pyExpr, op string, other pyExpr, cx evalCtx) (value, error) {
	if op == "is" || op == "is not" {
		if chain, ok := in.sandboxChain(x); ok {
			if c, isConst := other.(*constExpr); !isConst || (c.v.Kind != PyNone && c.v.Kind != PyBool) {
				return value{}, refusef("it compares a call's result by identity with something other than None, True or False")
			}
			return in.sandboxCall(chain, "_ident", cx)
		}
		v, err := in.eval(x, cx)
		if err == nil && v.kind == vUnknown {
			return value{}, refusef("it compares a value derived from a call by identity")
		}
		return v, err
	}
	return in.eval(x, cx)
}

func (in *checkInterp) display(e *displayExpr, cx evalCtx) (value, error) {
	sub := cx
	sub.consume = false
	out := PyValue{Kind: e.kind}
	for _, el := range e.elems {
		v, err := in.eval(el, sub)
		if err != nil {
			return value{}, err
		}
		if v.kind == vUnknown {
			return value{}, refusef("it puts a call's result in a container")
		}
		p, err := in.plain(v)
		if err != nil {
			return value{}, err
		}
		out.Items = append(out.Items, p)
	}
	if e.kind == PySet {
		s, perr := toSet(out, PySet)
		if perr != nil {
			return value{}, perr
		}
		out = s
	}
	return plainValue(out), nil
}

func (in *checkInterp) dict(e *dictExpr, cx evalCtx) (value, error) {
	sub := cx
	sub.consume = false
	out := PyValue{Kind: PyDict}
	index := map[string]int{}
	for i := range e.keys {
		k, err := in.eval(e.keys[i], sub)
		if err != nil {
			return value{}, err
		}
		v, err := in.eval(e.vals[i], sub)
		if err != nil {
			return value{}, err
		}
		if k.kind == vUnknown || v.kind == vUnknown {
			return value{}, refusef("it puts a call's result in a container")
		}
		kp, err := in.plain(k)
		if err != nil {
			return value{}, err
		}
		vp, err := in.plain(v)
		if err != nil {
			return value{}, err
		}
		if !hashable(kp) {
			return value{}, raise("TypeError", "unhashable type: '%s'", typeName(kp))
		}
		h := hashKey(kp)
		if j, dup := index[h]; dup {
			out.Vals[j] = vp
			continue
		}
		index[h] = len(out.Keys)
		out.Keys, out.Vals = append(out.Keys, kp), append(out.Vals, vp)
	}
	return plainValue(out), nil
}

func (in *checkInterp) subscript(e *subscriptExpr, cx evalCtx) (value, error) {
	sub := cx
	sub.consume = true
	x, err := in.eval(e.x, sub)
	if err != nil {
		return value{}, err
	}
	idx, err := in.eval(e.index, sub)
	if err != nil {
		return value{}, err
	}
	if x.kind == vUnknown || idx.kind == vUnknown {
		return value{}, refusef("it indexes a call's result")
	}
	c, err := in.plain(x)
	if err != nil {
		return value{}, err
	}
	i, err := in.plain(idx)
	if err != nil {
		return value{}, err
	}
	switch c.Kind {
	case PyList, PyTuple, PyStr, PyBytes:
		if !i.isInt() {
			return value{}, raise("TypeError", "%s indices must be integers, not %s", typeName(c), typeName(i))
		}
		items, perr := iterate(c)
		if perr != nil {
			return value{}, perr
		}
		n := i.bigInt()
		if !n.IsInt64() || n.Int64() >= int64(len(items)) || n.Int64() < -int64(len(items)) {
			return value{}, raise("IndexError", "%s index out of range", typeName(c))
		}
		k := n.Int64()
		if k < 0 {
			k += int64(len(items))
		}
		return plainValue(items[k]), nil
	case PyDict:
		if !hashable(i) {
			return value{}, raise("TypeError", "unhashable type: '%s'", typeName(i))
		}
		h := hashKey(i)
		for j, k := range c.Keys {
			if hashKey(k) == h && PyEqual(k, i) {
				return plainValue(c.Vals[j]), nil
			}
		}
		return value{}, raise("KeyError", "%s", i.Repr(60))
	}
	return value{}, raise("TypeError", "'%s' object is not subscriptable", typeName(c))
}

func (in *checkInterp) comprehension(e *compExpr, cx evalCtx) (value, error) {
	inner := cx
	inner.conditional, inner.consume = true, false
	var out []PyValue
	var keys, vals []PyValue
	scope := map[string]*binding{}
	var loop func(level int) error
	loop = func(level int) error {
		if level == len(e.fors) {
			if e.kind == PyDict {
				k, err := in.eval(e.elt, inner)
				if err != nil {
					return err
				}
				v, err := in.eval(e.val, inner)
				if err != nil {
					return err
				}
				kp, err := in.plain(k)
				if err != nil {
					return err
				}
				vp, err := in.plain(v)
				if err != nil {
					return err
				}
				keys, vals = append(keys, kp), append(vals, vp)
				return nil
			}
			v, err := in.eval(e.elt, inner)
			if err != nil {
				return err
			}
			p, err := in.plain(v)
			if err != nil {
				return err
			}
			out = append(out, p)
			return nil
		}
		f := e.fors[level]
		iterCx := inner
		iterCx.consume = true
		if level == 0 {
			// The first iterable is evaluated in the enclosing scope.
			iterCx = cx
			iterCx.consume = true
			in.comps = in.comps[:len(in.comps)-1]
		}
		iter, err := in.eval(f.iter, iterCx)
		if level == 0 {
			in.comps = append(in.comps, scope)
		}
		if err != nil {
			return err
		}
		items, err := in.items(iter)
		if err != nil {
			return err
		}
	next:
		for _, it := range items {
			if err := in.step(); err != nil {
				return err
			}
			if err := in.assign(f.target, plainValue(it), mutable(it)); err != nil {
				return err
			}
			for _, cond := range f.ifs {
				t, known, err := in.truth(cond, inner)
				if err != nil {
					return err
				}
				if !known {
					return refusef("a comprehension's condition depends on a call's result")
				}
				if !t {
					continue next
				}
			}
			if err := loop(level + 1); err != nil {
				return err
			}
		}
		return nil
	}
	in.comps = append(in.comps, scope)
	err := loop(0)
	in.comps = in.comps[:len(in.comps)-1]
	if err != nil {
		return value{}, err
	}
	switch e.kind {
	case PyList:
		return plainValue(PyValue{Kind: PyList, Items: out}), nil
	case PySet:
		s, perr := toSet(PyValue{Kind: PyList, Items: out}, PySet)
		if perr != nil {
			return value{}, perr
		}
		return plainValue(s), nil
	case PyDict:
		d := PyValue{Kind: PyDict}
		index := map[string]int{}
		for i, k := range keys {
			if !hashable(k) {
				return value{}, raise("TypeError", "unhashable type: '%s'", typeName(k))
			}
			h := hashKey(k)
			if j, dup := index[h]; dup {
				d.Vals[j] = vals[i]
				continue
			}
			index[h] = len(d.Keys)
			d.Keys, d.Vals = append(d.Keys, k), append(d.Vals, vals[i])
		}
		return plainValue(d), nil
	}
	return value{kind: vIter, items: out}, nil
}

// sandboxChain recognises a call of the function under test, maybe inside
// builtins that convert its value (tuple(candidate(x))): the expression
// the sandbox evaluates. It returns the calls, outermost first.
func (in *checkInterp) sandboxChain(e pyExpr) ([]*callExpr, bool) {
	var chain []*callExpr
	for {
		c, ok := e.(*callExpr)
		if !ok {
			return nil, false
		}
		name, ok := c.fn.(*nameExpr)
		if !ok {
			return nil, false
		}
		chain = append(chain, c)
		if in.isCandidate(name.id) {
			return chain, true
		}
		if !sandboxWrappers[name.id] || !in.isBuiltin(name.id) || len(c.args) != 1 || len(c.kws) != 0 {
			return nil, false
		}
		e = c.args[0]
	}
}

// isCandidate reports whether a name refers to the function under test.
func (in *checkInterp) isCandidate(name string) bool {
	b, err := in.lookupBinding(name)
	if err != nil {
		return false
	}
	if b != nil {
		return b.val.kind == vCandidate
	}
	return name == in.prog.entry
}

// isBuiltin reports whether a name refers to Python's builtin of that name.
func (in *checkInterp) isBuiltin(name string) bool {
	b, err := in.lookupBinding(name)
	return err == nil && b == nil && name != in.prog.entry && pyBuiltinNames[name]
}

// sandboxCall is a call of the function under test (chain, from
// sandboxChain), maybe with a harness wrapper (_truth, _ident): ParseCheck
// records the expression, Judge takes its result.
func (in *checkInterp) sandboxCall(chain []*callExpr, wrap string, cx evalCtx) (value, error) {
	if cx.conditional {
		return value{}, refusef("it calls the function only under a condition (a later operand of and/or or of a chained comparison, or in a comprehension)")
	}
	if cx.argument {
		return value{}, refusef("an argument of a call is another call's result")
	}
	inner := chain[len(chain)-1]
	args, err := in.arguments(inner)
	if err != nil {
		return value{}, err
	}
	text := "candidate(" + args + ")"
	for i := len(chain) - 2; i >= 0; i-- {
		text = chain[i].fn.(*nameExpr).id + "(" + text + ")"
	}
	if wrap != "" {
		text = wrap + "(" + text + ")"
	}
	if !in.judging {
		if len(in.calls) >= maxCheckCalls {
			return value{}, refusef("the test makes more than %d calls", maxCheckCalls)
		}
		in.calls = append(in.calls, text)
		return unknownValue, nil
	}
	k := in.next
	if k >= len(in.prog.calls) || in.prog.calls[k] != text {
		return value{}, fmt.Errorf("call %d is %q when judged, not what was decomposed", k, text)
	}
	if k >= len(in.results) {
		return value{}, &checkStop{CheckOutcome{Message: fmt.Sprintf("line %d of the test: %s", in.line, shorten(text, 120)), Call: k}}
	}
	in.next++
	r := in.results[k]
	switch {
	case r.Timeout:
		return value{}, &checkStop{CheckOutcome{Verdict: TLE, Message: fmt.Sprintf("line %d of the test: %s: time limit exceeded", in.line, shorten(text, 120)), Call: -1}}
	case r.Error != "":
		return value{}, in.fail(RE, "%s raised %s", shorten(text, 120), r.Error)
	}
	return plainValue(r.Value), nil
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// arguments writes the arguments of a call of the function under test as
// Python source: an argument made of literals and builtins as the test
// wrote it (Python evaluates it, aliasing included), one that reads the
// test's variables as its value computed here.
func (in *checkInterp) arguments(c *callExpr) (string, error) {
	var parts []string
	one := func(e pyExpr) (string, error) {
		if in.sandboxSafe(e) {
			start, end := e.span()
			return "(" + in.source(start, end) + ")", nil
		}
		if n, ok := e.(*nameExpr); ok {
			if b, _ := in.lookupBinding(n.id); b != nil && b.val.kind == vPlain && mutable(b.val.v) && (b.passed || b.escaped) {
				return "", refusef("it passes %s to the function while something else holds it too", n.id)
			}
		}
		v, err := in.eval(e, evalCtx{argument: true})
		if err != nil {
			return "", err
		}
		switch v.kind {
		case vRange:
			return fmt.Sprintf("range(%d, %d, %d)", v.rng[0], v.rng[1], v.rng[2]), nil
		case vUnknown:
			return "", refusef("an argument of a call is another call's result")
		}
		p, err := in.plain(v)
		if err != nil {
			return "", err
		}
		return renderPy(p)
	}
	for _, a := range c.args {
		s, err := one(a)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	for _, kw := range c.kws {
		s, err := one(kw.value)
		if err != nil {
			return "", err
		}
		parts = append(parts, kw.name+"="+s)
	}
	return strings.Join(parts, ", "), nil
}

// sandboxSafe reports whether Python can evaluate e in the program's
// globals as the test would: literals, operators and calls of builtins (or
// of names the test's module-level imports bind), without the test's own
// variables, f-strings, comprehensions or the function under test.
func (in *checkInterp) sandboxSafe(e pyExpr) bool {
	switch e := e.(type) {
	case *constExpr:
		return !e.fstring
	case *nameExpr:
		if in.prog.moduleImports[e.id] {
			b, _ := in.lookupBinding(e.id)
			return b == in.globals[e.id]
		}
		return in.isBuiltin(e.id)
	case *attrExpr:
		return in.sandboxSafe(e.x)
	case *callExpr:
		if !in.sandboxSafe(e.fn) {
			return false
		}
		for _, a := range e.args {
			if !in.sandboxSafe(a) {
				return false
			}
		}
		for _, kw := range e.kws {
			if !in.sandboxSafe(kw.value) {
				return false
			}
		}
		return true
	case *unaryExpr:
		return in.sandboxSafe(e.x)
	case *binExpr:
		return in.sandboxSafe(e.x) && in.sandboxSafe(e.y)
	case *boolExpr:
		for _, x := range e.xs {
			if !in.sandboxSafe(x) {
				return false
			}
		}
		return true
	case *compareExpr:
		if !in.sandboxSafe(e.x) {
			return false
		}
		for _, y := range e.ys {
			if !in.sandboxSafe(y) {
				return false
			}
		}
		return true
	case *displayExpr:
		for _, x := range e.elems {
			if !in.sandboxSafe(x) {
				return false
			}
		}
		return true
	case *dictExpr:
		for i := range e.keys {
			if !in.sandboxSafe(e.keys[i]) || !in.sandboxSafe(e.vals[i]) {
				return false
			}
		}
		return true
	case *subscriptExpr:
		return in.sandboxSafe(e.x) && in.sandboxSafe(e.index)
	}
	return false
}

func (in *checkInterp) call(e *callExpr, cx evalCtx) (value, error) {
	if chain, ok := in.sandboxChain(e); ok {
		return in.sandboxCall(chain, "", cx)
	}
	f, err := in.eval(e.fn, evalCtx{conditional: cx.conditional})
	if err != nil {
		return value{}, err
	}
	if f.kind != vBuiltin {
		return value{}, refusef("it calls something other than the function and the builtins implemented here")
	}
	argCx := cx
	argCx.consume = true
	var args []value
	unknown := false
	for _, a := range e.args {
		v, err := in.eval(a, argCx)
		if err != nil {
			return value{}, err
		}
		unknown = unknown || v.kind == vUnknown
		args = append(args, v)
	}
	kws := map[string]value{}
	for _, kw := range e.kws {
		v, err := in.eval(kw.value, argCx)
		if err != nil {
			return value{}, err
		}
		unknown = unknown || v.kind == vUnknown
		kws[kw.name] = v
	}
	if unknown {
		switch f.name {
		case "abs", "len", "math.isclose", "math.fabs", "print", "bool", "int", "float":
			if len(e.args) == 0 {
				break
			}
			if f.name == "print" {
				return plainValue(PyValue{Kind: PyNone}), nil
			}
			return unknownValue, nil
		}
		return value{}, refusef("it applies %s to a value derived from a call", f.name)
	}
	r, err := in.callBuiltin(f.name, args, kws)
	if err != nil {
		return value{}, err
	}
	return r, nil
}

func (in *checkInterp) callBuiltin(name string, args []value, kws map[string]value) (value, error) {
	argc := func(min, max int) error {
		if len(args) < min || len(args) > max {
			return raise("TypeError", "%s() takes from %d to %d arguments (%d given)", name, min, max, len(args))
		}
		return nil
	}
	noKw := func() error {
		for k := range kws {
			return raise("TypeError", "%s() got an unexpected keyword argument '%s'", name, k)
		}
		return nil
	}
	plainArgs := func() ([]PyValue, error) {
		out := make([]PyValue, len(args))
		for i, a := range args {
			if a.kind == vRange || a.kind == vIter {
				out[i] = PyValue{Kind: PyList, Items: a.items}
				continue
			}
			p, err := in.plain(a)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	if name == "print" {
		return plainValue(PyValue{Kind: PyNone}), nil
	}
	if name == "math.isclose" {
		if len(args) != 2 {
			return value{}, raise("TypeError", "isclose() takes exactly 2 positional arguments (%d given)", len(args))
		}
		tol := map[string]float64{"rel_tol": 1e-9, "abs_tol": 0}
		for k, v := range kws {
			if _, ok := tol[k]; !ok {
				return value{}, raise("TypeError", "isclose() got an unexpected keyword argument '%s'", k)
			}
			p, err := in.plain(v)
			if err != nil {
				return value{}, err
			}
			if !p.isReal() {
				return value{}, raise("TypeError", "must be real number, not %s", typeName(p))
			}
			f, perr := p.asFloat()
			if perr != nil {
				return value{}, perr
			}
			tol[k] = f
		}
		ps, err := plainArgs()
		if err != nil {
			return value{}, err
		}
		r, perr := mathIsClose(ps[0], ps[1], tol["rel_tol"], tol["abs_tol"])
		if perr != nil {
			return value{}, perr
		}
		return plainValue(r), nil
	}
	if err := noKw(); err != nil && name != "sum" {
		return value{}, err
	}
	if name == "range" {
		if err := argc(1, 3); err != nil {
			return value{}, err
		}
		ps, err := plainArgs()
		if err != nil {
			return value{}, err
		}
		var n [3]int64
		n[2] = 1
		for i, p := range ps {
			if !p.isInt() {
				return value{}, raise("TypeError", "'%s' object cannot be interpreted as an integer", typeName(p))
			}
			if !p.bigInt().IsInt64() {
				return value{}, unsupported("a range beyond 64-bit integers")
			}
			n[i] = p.bigInt().Int64()
		}
		if len(ps) == 1 {
			n[0], n[1] = 0, n[0]
		}
		if n[2] == 0 {
			return value{}, raise("ValueError", "range() arg 3 must not be zero")
		}
		v := value{kind: vRange, rng: n}
		for x := n[0]; (n[2] > 0 && x < n[1]) || (n[2] < 0 && x > n[1]); x += n[2] {
			if len(v.items) >= maxSeqLen {
				return value{}, unsupported("a range of more than %d items", maxSeqLen)
			}
			v.items = append(v.items, pyInt(x))
		}
		return v, nil
	}
	ps, err := plainArgs()
	if err != nil {
		return value{}, err
	}
	one := func() (PyValue, error) {
		if err := argc(1, 1); err != nil {
			return PyValue{}, err
		}
		return ps[0], nil
	}
	var r PyValue
	var perr *pyError
	switch name {
	case "abs", "len", "str", "int", "float", "bool", "tuple", "list", "set", "frozenset", "sorted", "math.fabs", "math.sqrt", "math.floor", "math.ceil", "math.isnan", "math.isinf", "math.isfinite", "round", "all", "any":
		x, err := one()
		if err != nil {
			return value{}, err
		}
		switch name {
		case "abs":
			r, perr = builtinAbs(x)
		case "len":
			r, perr = builtinLen(x)
		case "str":
			r, perr = builtinStr(x)
		case "int":
			r, perr = builtinInt(x)
		case "float":
			r, perr = builtinFloat(x)
		case "bool":
			var t bool
			t, perr = pyTruth(x)
			r = pyBool(t)
		case "tuple":
			r, perr = toSequence(x, PyTuple)
		case "list":
			r, perr = toSequence(x, PyList)
		case "set":
			r, perr = toSet(x, PySet)
		case "frozenset":
			r, perr = toSet(x, PyFrozenSet)
		case "sorted":
			r, perr = builtinSorted(x)
		case "round":
			r, perr = builtinRound(x)
		case "all", "any":
			r, perr = allAny(name, x)
		default:
			r, perr = mathFunc(name, x)
		}
	case "sum":
		if len(args) < 1 || len(args) > 2 {
			return value{}, raise("TypeError", "sum() takes at most 2 arguments (%d given)", len(args))
		}
		start := pyInt(0)
		if len(ps) == 2 {
			start = ps[1]
		}
		if v, ok := kws["start"]; ok {
			if start, err = in.plain(v); err != nil {
				return value{}, err
			}
		}
		items, e := allItems(ps[0])
		if e != nil {
			return value{}, e
		}
		r, perr = builtinSum(items, start)
	case "min", "max":
		items := ps
		if len(ps) == 1 {
			var e *pyError
			if items, e = allItems(ps[0]); e != nil {
				return value{}, e
			}
		}
		if len(ps) == 0 {
			return value{}, raise("TypeError", "%s expected at least 1 argument, got 0", name)
		}
		r, perr = builtinMinMax(name, items)
	default:
		return value{}, refusef("it calls %s", name)
	}
	if perr != nil {
		return value{}, perr
	}
	return plainValue(r), nil
}

func builtinRound(x PyValue) (PyValue, *pyError) {
	switch {
	case x.isInt():
		return pyBig(new(big.Int).Set(x.bigInt())), nil
	case x.Kind == PyFloat:
		if math.IsNaN(x.Float) {
			return PyValue{}, raise("ValueError", "cannot convert float NaN to integer")
		}
		if math.IsInf(x.Float, 0) {
			return PyValue{}, raise("OverflowError", "cannot convert float infinity to integer")
		}
		n, _ := new(big.Float).SetFloat64(math.RoundToEven(x.Float)).Int(nil)
		return pyBig(n), nil
	}
	return PyValue{}, raise("TypeError", "type %s doesn't define __round__ method", typeName(x))
}

func allAny(name string, x PyValue) (PyValue, *pyError) {
	items, err := allItems(x)
	if err != nil {
		return PyValue{}, err
	}
	for _, it := range items {
		t, err := pyTruth(it)
		if err != nil {
			return PyValue{}, err
		}
		if name == "all" && !t {
			return pyBool(false), nil
		}
		if name == "any" && t {
			return pyBool(true), nil
		}
	}
	return pyBool(name == "all"), nil
}

func mathFunc(name string, x PyValue) (PyValue, *pyError) {
	if !x.isReal() {
		return PyValue{}, raise("TypeError", "must be real number, not %s", typeName(x))
	}
	if (name == "math.floor" || name == "math.ceil") && x.isInt() {
		return pyBig(new(big.Int).Set(x.bigInt())), nil
	}
	f, err := x.asFloat()
	if err != nil {
		return PyValue{}, err
	}
	switch name {
	case "math.fabs":
		return pyFloat(math.Abs(f)), nil
	case "math.sqrt":
		if f < 0 {
			return PyValue{}, raise("ValueError", "math domain error")
		}
		return pyFloat(math.Sqrt(f)), nil
	case "math.isnan":
		return pyBool(math.IsNaN(f)), nil
	case "math.isinf":
		return pyBool(math.IsInf(f, 0)), nil
	case "math.isfinite":
		return pyBool(!math.IsNaN(f) && !math.IsInf(f, 0)), nil
	}
	if math.IsNaN(f) {
		return PyValue{}, raise("ValueError", "cannot convert float NaN to integer")
	}
	if math.IsInf(f, 0) {
		return PyValue{}, raise("OverflowError", "cannot convert float infinity to integer")
	}
	g := math.Floor(f)
	if name == "math.ceil" {
		g = math.Ceil(f)
	}
	n, _ := new(big.Float).SetFloat64(g).Int(nil)
	return pyBig(n), nil
}
