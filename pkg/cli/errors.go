package cli

import (
	"errors"
	"fmt"

	"github.com/usagerep/usagerep/pkg/output"
)

// Exit statuses (spec 00-architecture.md).
const (
	ExitOK       = 0
	ExitInternal = 1
	ExitUsage    = 2
	ExitInput    = 3
	ExitOutput   = 4
)

// exitError carries the exit status an error should end the program with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

func inputError(err error) error  { return &exitError{code: ExitInput, err: err} }
func outputError(err error) error { return &exitError{code: ExitOutput, err: err} }

// ExitCode decides the exit status of err, in one place.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	if errors.Is(err, output.ErrWrite) {
		return ExitOutput
	}
	return ExitInternal
}
