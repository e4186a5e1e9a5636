package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the program's standard streams; tests replace them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// StderrTTY says whether a person is watching stderr (progress bars).
	StderrTTY bool
	// StdoutTTY says whether stdout is a terminal (relative times, tables
	// for people); NoColor that NO_COLOR asks for no colour.
	StdoutTTY bool
	NoColor   bool
}

// SystemIO returns the process's streams.
func SystemIO() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		NoColor:   os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
	}
}
