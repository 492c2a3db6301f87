package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Exit codes. They are part of the interface: scripts branch on them.
const (
	exitOK       = 0 // ran, nothing found
	exitFindings = 1 // ran, at least one finding
	exitUsage    = 2 // bad command line
	exitInput    = 3 // no input could be read at all
	exitPartial  = 4 // ran, but some input could not be read (and no findings)
	exitFailure  = 5 // could not write the results, or an internal error
	exitCanceled = 130
)

// Errors that choose an exit code. Everything else is exitFailure.
var (
	errUsage    = errors.New("usage")
	errNoInput  = errors.New("no readable input")
	errFindings = errors.New("findings")
	errPartial  = errors.New("some input could not be read")
)

// usageError marks an error as the user's command line being wrong.
func usageError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, a...))
}

// exitCode maps an error from a verb to the process exit code. It is the
// only place that decides exit codes.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFindings):
		return exitFindings
	case errors.Is(err, errPartial):
		return exitPartial
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(stderr, "clicktrail: interrupted")
		return exitCanceled
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "clicktrail:", err)
		fmt.Fprintln(stderr, "run 'clicktrail help' for usage")
		return exitUsage
	case errors.Is(err, errNoInput):
		fmt.Fprintln(stderr, "clicktrail:", err)
		return exitInput
	}
	fmt.Fprintln(stderr, "clicktrail:", err)
	return exitFailure
}
