// Command framepred trains next-frame video predictors and shows, on real
// video and on a built-in data set, how regression losses average possible
// futures into blur while adversarial and perceptual terms keep motion sharp.
//
// Run `framepred --help` or `framepred COMMAND --help` for the commands.
//
// # Conventions
//
// Every command explains itself with --help, examples included. Every flag
// can also come from an environment variable, FRAMEPRED_ and the flag's
// name in capitals (--count: FRAMEPRED_COUNT), and commands with many
// settings read them from a TOML file given with --config. Results go to
// stdout, as JSON with --json; logs, progress and errors go to stderr.
// Progress is a bar redrawn in place when stderr is a terminal and a plain
// line every 10 s otherwise; --quiet drops it and the info logs, --verbose
// adds debug logs and FFmpeg's own messages. Flags may come before or after
// a command's arguments.
//
// # Exit codes
//
//	0    success
//	1    an error: one line on stderr names the file and the problem
//	2    bad usage: unknown command or flag, bad flag value, missing argument
//	130  interrupted (Ctrl-C or SIGTERM); files finished so far are kept
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/urfave/cli/v2"

	"framepred/internal/avlog"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// run executes the command line and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	g := newGlobals(stdout, stderr)
	return g.execute(newApp(g), args)
}

// execute runs app on args: the one place where errors and panics become
// a message and an exit code (0 on success, 1 on an error, 2 on bad usage,
// 130 after an interrupt).
func (g *globals) execute(app *cli.App, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			g.con.clearBar()
			g.log.Debug("panic", "stack", string(debug.Stack()))
			fmt.Fprintf(g.con, "framepred: internal error: %s (please report it)\n", oneLine(fmt.Sprint(r)))
			code = exitError
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// Commands stop at the next safe point after the first signal; a
		// second one ends the process at once.
		<-ctx.Done()
		stop()
	}()
	err := app.RunContext(ctx, intersperse(app, args))
	g.con.clearBar()
	return report(g.con, err)
}

// globals is what every command shares: the output streams, the logger
// and the global flags.
type globals struct {
	stdout io.Writer
	con    *console // stderr
	log    *slog.Logger
	level  *slog.LevelVar

	quiet, verbose bool
}

func newGlobals(stdout, stderr io.Writer) *globals {
	con := newConsole(stderr)
	lv := new(slog.LevelVar)
	return &globals{stdout: stdout, con: con, log: newLogger(con, lv), level: lv}
}

// setup applies --quiet and --verbose, given before or after the command.
func (g *globals) setup(c *cli.Context) error {
	g.quiet, g.verbose = anyTrue(c, "quiet"), anyTrue(c, "verbose")
	switch {
	case g.quiet && g.verbose:
		return usagef("--quiet and --verbose cannot be used together")
	case g.verbose:
		g.level.Set(slog.LevelDebug)
		avlog.SetVerbose(true) // FFmpeg's own messages
	case g.quiet:
		g.level.Set(slog.LevelWarn)
	default:
		g.level.Set(slog.LevelInfo)
	}
	return nil
}

// anyTrue reports whether the bool flag name is set true in c or any
// context above it.
func anyTrue(c *cli.Context, name string) bool {
	for _, cc := range c.Lineage() {
		if cc.Bool(name) {
			return true
		}
	}
	return false
}

// progress returns a progress printer for a job of the running command.
func (g *globals) progress(what, unit string) *progress {
	return newProgress(g.con, g.quiet, what, unit)
}
