package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"framepred/internal/avlog"
)

// TestPanic: a panic in a command is one line and exit 1, not a stack
// trace (the stack is logged with --verbose).
func TestPanic(t *testing.T) {
	t.Cleanup(func() { avlog.SetVerbose(false) }) // --verbose turned FFmpeg's messages on
	for _, verbose := range []bool{false, true} {
		var stdout, stderr bytes.Buffer
		g := newGlobals(&stdout, &stderr)
		app := newApp(g)
		app.Commands = []*cli.Command{command(g, &cli.Command{
			Name:   "boom",
			Action: func(*cli.Context) error { panic("index out of range\n[3]") },
		})}
		args := []string{"framepred", "boom"}
		if verbose {
			args = append(args, "--verbose")
		}
		code := g.execute(app, args)
		ls := lines(stderr.String())
		last := ls[len(ls)-1]
		if code != exitError || last != "framepred: internal error: index out of range [3] (please report it)" {
			t.Errorf("verbose %v: exit %d, stderr %q", verbose, code, stderr.String())
		}
		if hasStack := strings.Contains(stderr.String(), "goroutine") || strings.Contains(stderr.String(), "stack="); hasStack != verbose || (!verbose && len(ls) != 1) {
			t.Errorf("verbose %v: stderr %q; want the stack only with --verbose", verbose, stderr.String())
		}
	}
}
