package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"

	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

// Exit codes.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitInterrupt = 130
)

// usageError marks a mistake in the command line itself (an unknown flag
// or command, a bad flag value, a missing argument): exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// interruptedError is an interruption (exit code 130) with a message that
// says what was kept and how to go on, instead of the plain "interrupted".
type interruptedError struct {
	msg string
	err error // wraps context.Canceled
}

func (e interruptedError) Error() string { return e.msg }
func (e interruptedError) Unwrap() error { return e.err }

// interruptedf wraps err, an interruption, with a message for the user.
func interruptedf(err error, format string, a ...any) error {
	return interruptedError{msg: fmt.Sprintf(format, a...), err: err}
}

// usagef returns a usage error (exit code 2).
func usagef(format string, a ...any) error {
	return usageError{fmt.Errorf(format, a...)}
}

// onUsageError turns urfave/cli's flag parsing failures into usage
// errors, reworded from Go's flag package ("flag provided but not defined:
// -x") into the command's terms ("probe: unknown flag --x").
func onUsageError(c *cli.Context, err error, _ bool) error {
	prefix := ""
	var flags []cli.Flag
	if c.Command != nil {
		flags = c.Command.Flags
		if c.App == nil || c.Command.Name != c.App.Name {
			prefix = c.Command.Name + ": "
		}
	}
	msg := err.Error()
	if m := unknownFlag.FindStringSubmatch(msg); m != nil {
		return usagef("%sunknown flag %s", prefix, dashes(m[1]))
	}
	if m := missingValue.FindStringSubmatch(msg); m != nil {
		return usagef("%s%s needs a value", prefix, dashes(m[1]))
	}
	if m := badValue.FindStringSubmatch(msg); m != nil {
		want := "not a valid value"
		if f := flagNamed(flags, m[2]); f != nil {
			want = "want " + valueKind(f)
		}
		return usagef("%s%s %q: %s", prefix, dashes(m[2]), m[1], want)
	}
	return usageError{fmt.Errorf("%s%w", prefix, err)}
}

// Go's flag package errors, as urfave/cli passes them on.
var (
	unknownFlag  = regexp.MustCompile(`^flag provided but not defined: -+(\S+)`)
	missingValue = regexp.MustCompile(`^flag needs an argument: -+(\S+)`)
	badValue     = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:\s]+)`)
)

// dashes writes a flag name the way a user types it: -q, --out.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// valueKind names what a flag's value must look like.
func valueKind(f cli.Flag) string {
	switch f.(type) {
	case *cli.IntFlag, *cli.Int64Flag, *altsrc.IntFlag, *altsrc.Int64Flag:
		return "a whole number"
	case *cli.UintFlag, *cli.Uint64Flag, *altsrc.UintFlag, *altsrc.Uint64Flag:
		return "a whole number, 0 or more"
	case *cli.Float64Flag, *altsrc.Float64Flag:
		return "a number"
	case *cli.BoolFlag, *altsrc.BoolFlag:
		return "true or false"
	case *cli.DurationFlag, *altsrc.DurationFlag:
		return "a duration such as 90s or 1h30m"
	}
	return "a valid value"
}

// report prints err as one line on stderr and maps it to an exit code.
// execute calls it once, for whatever the command returned.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return exitOK
	}
	var (
		ue usageError
		ec cli.ExitCoder
	)
	switch {
	case errors.Is(err, context.Canceled):
		var ie interruptedError
		if errors.As(err, &ie) {
			fmt.Fprintf(stderr, "framepred: %s\n", oneLine(ie.msg))
		} else {
			fmt.Fprintln(stderr, "framepred: interrupted")
		}
		return exitInterrupt
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "framepred: %s (see --help)\n", oneLine(err.Error()))
		return exitUsage
	case errors.As(err, &ec) && ec.ExitCode() == 3:
		// urfave/cli's "No help topic for 'x'", from "framepred help x".
		msg := err.Error()
		if m := noHelpTopic.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("unknown command %q", m[1])
		}
		fmt.Fprintf(stderr, "framepred: %s (see --help)\n", oneLine(msg))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "framepred: %s\n", oneLine(err.Error()))
		return exitError
	}
}

var noHelpTopic = regexp.MustCompile(`^No help topic for '(.*)'`)

// cause drops the operation and path from a *fs.PathError, for messages
// that name the path themselves.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
