package main

import (
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// envPrefix starts the environment variable of every flag: --count is
// also read from FRAMEPRED_COUNT, --no-sheet from FRAMEPRED_NO_SHEET.
const envPrefix = "FRAMEPRED_"

// env returns the environment variable list for the flag called name.
func env(name string) []string {
	return []string{envPrefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))}
}

// globalFlags are --quiet and --verbose. They are accepted both before the
// command (framepred --verbose probe x.mp4) and after it (framepred probe
// --verbose x.mp4); urfave/cli/v2 has no inherited flags, so every command
// carries its own copy and setup reads them all.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{
			Name: "quiet", Aliases: []string{"q"}, EnvVars: env("quiet"), Category: "Global",
			Usage: "print only results, warnings and errors: no progress, no info logs",
		},
		&cli.BoolFlag{
			Name: "verbose", Aliases: []string{"v"}, EnvVars: env("verbose"), Category: "Global",
			Usage: "print debug logs, with times, and FFmpeg's own messages",
		},
	}
}

// valueFlag reports whether a flag takes a value (--out DIR) or stands
// alone (--json).
func valueFlag(f cli.Flag) bool {
	if v, ok := f.(interface{ TakesValue() bool }); ok {
		return v.TakesValue()
	}
	return false
}

// flagNamed finds the flag that has name (without dashes) among its names.
func flagNamed(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// intersperse lets flags follow the arguments, as in "framepred probe
// a.mp4 --json": Go's flag parsing, which urfave/cli/v2 uses, stops at the
// first argument that is not a flag and would take "--json" for a file. It
// moves a command's flags (with their values) before its other arguments;
// "--" still ends the flags, and everything after it stays an argument.
func intersperse(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	i := 1
	// Global flags before the command.
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" || !isFlag(a) {
			break
		}
		out = append(out, a)
		if takesNext(app.Flags, a) && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	if i >= len(args) || args[i] == "--" {
		return append(out, args[i:]...)
	}
	cmd := app.Command(args[i])
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return append(out, args[i:]...)
	}
	out = append(out, args[i])
	var flags, rest []string
	dashdash := false
	for i++; i < len(args); i++ {
		a := args[i]
		switch {
		case dashdash:
			rest = append(rest, a)
		case a == "--":
			dashdash = true
		case isFlag(a):
			flags = append(flags, a)
			if takesNext(cmd.Flags, a) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		default:
			rest = append(rest, a)
		}
	}
	out = append(out, flags...)
	if slices.ContainsFunc(flags, isHelp) {
		// urfave/cli/v2 would take the first argument for a help topic.
		return out
	}
	if len(rest) > 0 {
		out = append(out, "--")
		out = append(out, rest...)
	}
	return out
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// isFlag tells a flag ("-q", "--out", "--out=x") from an argument; a lone
// "-" is an argument.
func isFlag(a string) bool { return len(a) > 1 && a[0] == '-' }

// takesNext reports whether flag argument a ("--out", not "--out=x") is
// followed by its value.
func takesNext(flags []cli.Flag, a string) bool {
	name := strings.TrimLeft(a, "-")
	if strings.Contains(name, "=") {
		return false
	}
	f := flagNamed(flags, name)
	return f != nil && valueFlag(f)
}
