package cmd

import (
	"errors"
	"fmt"
)

// ExitCode is a documented process exit status.
type ExitCode int

// Exit codes of every scalebox command.
const (
	ExitOK ExitCode = 0
	// ExitError: the command could not do its job (bad input, missing
	// tool, unwritable report).
	ExitError ExitCode = 1
	// ExitUsage: the command line is wrong.
	ExitUsage ExitCode = 2
	// ExitSystemErrors: the run finished, but some results are system
	// errors (SE): the machinery failed for them, so the score is incomplete.
	ExitSystemErrors ExitCode = 3
	// ExitBelowThreshold: the score is below a threshold the user set, or a
	// verdict the user asked for was not met.
	ExitBelowThreshold ExitCode = 4
	// ExitInterrupted: stopped by a signal; the partial report was written.
	ExitInterrupted ExitCode = 130
)

// exitCodesHelp is appended to the root command's help.
const exitCodesHelp = `Exit codes:
  0    success
  1    error: the command could not do its job
  2    usage error
  3    finished, but some results are system errors (SE)
  4    below a threshold you set (or a check verdict other than AC)
  130  interrupted (Ctrl-C); what finished was written
`

// exitError attaches an exit code to an error. A nil err with a code means
// "exit with this code, nothing to print".
type exitError struct {
	code ExitCode
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

func withCode(code ExitCode, err error) error { return &exitError{code: code, err: err} }

func usageError(format string, args ...any) error {
	return withCode(ExitUsage, fmt.Errorf(format, args...))
}

// codeOf returns the exit code an error carries (ExitError when none).
func codeOf(err error) ExitCode {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return ExitError
}
