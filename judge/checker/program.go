package checker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// DefaultLimits bound one run of a checker program: generous, since a
// checker may simulate the answer, but finite.
var DefaultLimits = runner.Limits{
	CPUTime:       10 * time.Second,
	WallTime:      30 * time.Second,
	MemoryBytes:   1 << 30,
	OutputBytes:   1 << 20,
	FileSizeBytes: 16 << 20,
	Processes:     64,
	TmpfsBytes:    64 << 20,
}

// Env builds and runs checker programs. Its fields are set once; it is
// then safe for concurrent use.
type Env struct {
	Sandbox  runner.Sandbox
	Builder  *runner.Builder
	Resolver *runner.Resolver
	// Limits bound each checker run; zero means DefaultLimits.
	Limits runner.Limits
	// Retries is how many more times a checker run is tried after the
	// sandbox failed to run it.
	Retries int
}

// CompileError is returned by New for a checker program that does not
// build; Message holds the compiler's output.
type CompileError struct {
	Name    string
	Message string
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("checker %s does not compile: %s", e.Name, strings.TrimSpace(e.Message))
}

// New prepares the checker spec describes: a built-in comparator, or a
// program built (once per content, by the Builder's cache) in the sandbox.
// A program that does not compile is a *CompileError; other errors mean
// the spec is invalid or the machinery failed.
func (e *Env) New(ctx context.Context, spec *Spec) (Checker, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if spec.Protocol == Builtin {
		c, err := spec.comparator()
		if err != nil {
			return nil, err
		}
		return FromComparator(c), nil
	}
	if e.Sandbox == nil || e.Builder == nil || e.Resolver == nil {
		return nil, errors.New("checker: a program checker needs a sandbox, a builder and a resolver")
	}
	tc, err := e.Resolver.Toolchain(spec.Language)
	if err != nil {
		return nil, fmt.Errorf("checker %s: %w", spec.Name(), err)
	}
	files := map[string][]byte{tc.Lang.Source: []byte(spec.Source)}
	for n, c := range spec.Files {
		if n == tc.Lang.Source || reservedName(n) {
			return nil, fmt.Errorf("checker %s: support file %q clashes with a file the checker needs", spec.Name(), n)
		}
		files[n] = []byte(c)
	}
	br, err := e.Builder.Build(ctx, tc, files)
	if err != nil {
		return nil, fmt.Errorf("checker %s: build: %w", spec.Name(), err)
	}
	if br.Program == nil {
		return nil, &CompileError{Name: spec.Name(), Message: br.Message}
	}
	lim := e.Limits
	if lim == (runner.Limits{}) {
		lim = DefaultLimits
	}
	return &program{env: e, spec: spec, prog: br.Program, limits: lim, name: spec.Name()}, nil
}

// Names of the files a checker run sees in its work directory.
const (
	inputFile    = "input.txt"
	outputFile   = "output.txt"
	answerFile   = "answer.txt"
	feedbackDir  = "feedback"
	sbStdinFile  = "stdin.txt"
	sbStdoutFile = "stdout.txt"
	sbAnswerFile = "answer.txt"
)

func reservedName(n string) bool {
	switch n {
	case inputFile, outputFile, answerFile, feedbackDir, sbStdinFile, sbStdoutFile:
		return true
	}
	return false
}

// program is a built checker program.
type program struct {
	env    *Env
	spec   *Spec
	prog   *runner.Program
	limits runner.Limits
	name   string
}

func (p *program) Name() string { return p.name }

// Check implements Checker: it writes the three texts to a private host
// directory, binds them read-only into a fresh sandbox with the checker,
// and interprets the run under the protocol.
func (p *program) Check(ctx context.Context, input, answer, output []byte) Result {
	dir, err := os.MkdirTemp("", runner.TempPrefix("check"))
	if err != nil {
		return seResult("checker data: %v", err)
	}
	defer os.RemoveAll(dir)
	// The sandbox user must reach the files, not list the directory.
	if err := os.Chmod(dir, 0o711); err != nil {
		return seResult("checker data: %v", err)
	}
	write := func(name string, data []byte) (runner.Mount, error) {
		host := filepath.Join(dir, name)
		if err := os.WriteFile(host, data, 0o644); err != nil {
			return runner.Mount{}, err
		}
		return runner.Mount{Source: host, Target: runner.WorkDir + "/" + name}, nil
	}
	var files []struct {
		name string
		data []byte
	}
	add := func(name string, data []byte) {
		files = append(files, struct {
			name string
			data []byte
		}{name, data})
	}
	wd := runner.WorkDir + "/"
	argv := append([]string{}, p.prog.Argv...)
	spec := &runner.Spec{Env: p.prog.Env, Dir: runner.WorkDir, Limits: p.limits, StderrKeepBytes: 16 << 10}
	switch p.spec.Protocol {
	case Testlib:
		add(inputFile, input)
		add(outputFile, output)
		add(answerFile, answer)
		argv = append(argv, wd+inputFile, wd+outputFile, wd+answerFile)
		argv = append(argv, p.spec.Args...)
	case Kattis:
		add(inputFile, input)
		add(answerFile, answer)
		// The feedback directory must exist and be writable: a shell makes
		// it in the private work directory, runs the validator, and passes
		// on its judge message.
		inner := append(argv, wd+inputFile, wd+answerFile, wd+feedbackDir+"/")
		inner = append(inner, p.spec.Args...)
		argv = append([]string{"/bin/sh", "-c", kattisWrapper, "validator"}, inner...)
		spec.Stdin = output
	case ScaleBox:
		add(sbStdinFile, input)
		add(sbStdoutFile, answer)
		add(sbAnswerFile, output)
	default:
		return seResult("checker %s: protocol %q runs no program", p.name, p.spec.Protocol)
	}
	spec.Args = argv
	spec.Mounts = append([]runner.Mount{}, p.prog.Mounts...)
	for _, f := range files {
		m, err := write(f.name, f.data)
		if err != nil {
			return seResult("checker data: %v", err)
		}
		spec.Mounts = append(spec.Mounts, m)
	}
	var r *runner.Result
	for attempt := 0; ; attempt++ {
		r, err = p.env.Sandbox.Run(ctx, spec)
		if err == nil || ctx.Err() != nil || attempt >= p.env.Retries {
			break
		}
	}
	if err != nil {
		return seResult("checker %s: sandbox: %v", p.name, err)
	}
	res := Interpret(p.spec.Protocol, r)
	if res.Verdict == judge.SE {
		res.Message = fmt.Sprintf("checker %s failed: %s", p.name, res.Message)
	}
	return res
}

// kattisWrapper runs a Kattis validator ("$@") with a fresh feedback
// directory and copies its judge message to stderr.
const kattisWrapper = `mkdir -p ` + feedbackDir + ` || exit 125
"$@"
rc=$?
if [ -s ` + feedbackDir + `/judgemessage.txt ]; then head -c 4096 ` + feedbackDir + `/judgemessage.txt >&2; fi
exit $rc`

func seResult(format string, args ...any) Result {
	return Result{Verdict: judge.SE, Message: fmt.Sprintf(format, args...)}
}

// Exit codes of the protocols.
const (
	testlibOK         = 0
	testlibWA         = 1
	testlibPE         = 2
	testlibFail       = 3
	testlibDirt       = 4
	testlibPoints     = 7
	testlibUnexpEOF   = 8
	kattisAccept      = 42
	kattisReject      = 43
	scaleboxAccept    = 0
	scaleboxReject    = 1
	maxCheckerMessage = 512
)

// Interpret turns a checker run into a verdict under protocol p. A run
// that did not exit on its own (a signal, a limit) or exited with a code
// the protocol does not define is SE; so is testlib's checker failure
// (exit 3). Testlib's presentation error, "dirt" and unexpected end of
// file are WA; partial points (exit 7) are WA with Points set.
func Interpret(p Protocol, r *runner.Result) Result {
	msg := checkerMessage(r)
	switch r.Status {
	case runner.StatusExited:
	case runner.StatusTimeLimit, runner.StatusWallLimit:
		return Result{Verdict: judge.SE, Message: "time limit exceeded" + note(r.Note)}
	case runner.StatusMemoryLimit:
		return Result{Verdict: judge.SE, Message: "memory limit exceeded" + note(r.Note)}
	case runner.StatusOutputLimit:
		return Result{Verdict: judge.SE, Message: "output limit exceeded" + note(r.Note)}
	case runner.StatusSignaled:
		return Result{Verdict: judge.SE, Message: fmt.Sprintf("killed by signal %d%s", int(r.Signal), colon(msg))}
	default:
		return Result{Verdict: judge.SE, Message: "run status " + r.Status.String()}
	}
	code := r.ExitCode
	switch p {
	case Testlib:
		switch code {
		case testlibOK:
			return Result{Verdict: judge.AC, Message: msg}
		case testlibWA:
			return Result{Verdict: judge.WA, Message: msg}
		case testlibPE, testlibDirt, testlibUnexpEOF:
			return Result{Verdict: judge.WA, Message: "presentation error" + colon(msg)}
		case testlibFail:
			return Result{Verdict: judge.SE, Message: "the checker reported its own failure" + colon(msg)}
		case testlibPoints:
			res := Result{Verdict: judge.WA, Message: "partial points" + colon(msg)}
			if v, ok := parsePoints(msg); ok {
				res.Points = &v
			}
			return res
		}
	case Kattis:
		switch code {
		case kattisAccept:
			return Result{Verdict: judge.AC, Message: msg}
		case kattisReject:
			return Result{Verdict: judge.WA, Message: msg}
		}
	case ScaleBox:
		switch code {
		case scaleboxAccept:
			return Result{Verdict: judge.AC, Message: msg}
		case scaleboxReject:
			return Result{Verdict: judge.WA, Message: msg}
		}
	}
	return Result{Verdict: judge.SE, Message: fmt.Sprintf("exit code %d, which the %s protocol does not define%s", code, p, colon(msg))}
}

func note(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

func colon(s string) string {
	if s == "" {
		return ""
	}
	return ": " + s
}

// checkerMessage is the end of what the checker wrote (stderr, else
// stdout), on one line, as valid UTF-8.
func checkerMessage(r *runner.Result) string {
	b := r.Stderr
	if len(strings.TrimSpace(string(b))) == 0 {
		b = r.Stdout
	}
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "\uFFFD")), " ")
	if len(s) > maxCheckerMessage {
		s = "…" + strings.ToValidUTF8(s[len(s)-maxCheckerMessage:], "")
	}
	return s
}

var pointsRE = regexp.MustCompile(`(?i)^\s*(?:points\s+)?([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)`)

// parsePoints reads the score of a testlib partial verdict ("points 0.5
// message" or "0.5 message").
func parsePoints(msg string) (float64, bool) {
	m := pointsRE.FindStringSubmatch(msg)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseFloat(m[1], 64)
	return v, err == nil
}
