package main

import "github.com/urfave/cli/v2"

// newApp describes the command line. Each command lives in its own file:
// new<Name>Command builds it, run<Name> does its work.
func newApp(g *globals) *cli.App {
	return &cli.App{
		Name:  "framepred",
		Usage: "next-frame video prediction, and how losses average possible futures",
		UsageText: `framepred [--quiet | --verbose] COMMAND [flags] [args]

Examples:
   framepred demo --out out/demo                          # the whole experiment on the built-in data
   framepred probe clip.mp4                               # what framepred sees in a video
   framepred train --out runs/clip --size 64 clip.mp4     # train a predictor on it
   framepred reel -c runs/clip -o reel.mp4 clip.mp4       # its predictions beside the real frames
   framepred eval -c runs/clip --out report clip.mp4      # and their metrics
   framepred COMMAND --help                               # a command's flags and examples`,
		Description: `A next-frame predictor trained with mean squared error on a future that can
go two ways predicts the average of both: a blurred ghost. framepred makes
that visible and measurable on real video and on its built-in data set.

Every flag can also be set with an environment variable: FRAMEPRED_ and the
flag's name in capitals (--count: FRAMEPRED_COUNT). Results go to stdout,
logs and progress to stderr. Exit codes: 0 success, 1 error, 2 bad usage,
130 interrupted.`,
		Flags:                  globalFlags(),
		HideVersion:            true,
		UseShortOptionHandling: false,
		Writer:                 g.stdout,
		ErrWriter:              g.con,
		OnUsageError:           onUsageError,
		ExitErrHandler:         func(*cli.Context, error) {}, // execute decides the exit code
		Action:                 noCommand,
		Commands: []*cli.Command{
			command(g, newProbeCommand(g)),
			withConfig(command(g, newSynthCommand(g))),
			withConfig(command(g, newTrainCommand(g))),
			command(g, newPredictCommand(g)),
			command(g, newReelCommand(g)),
			command(g, newEvalCommand(g)),
			command(g, newDemoCommand(g)),
		},
	}
}

// command gives cmd what every command has: the global flags, usage
// errors with exit code 2, and the setup of logging before it runs.
func command(g *globals, cmd *cli.Command) *cli.Command {
	cmd.Flags = append(cmd.Flags, globalFlags()...)
	cmd.OnUsageError = onUsageError
	cmd.HideHelpCommand = true // "framepred probe help" probes a file named help
	before := cmd.Before
	cmd.Before = func(c *cli.Context) error {
		if err := g.setup(c); err != nil {
			return err
		}
		if before != nil {
			return before(c)
		}
		return nil
	}
	return cmd
}

// noCommand runs when no command was named, or an unknown one.
func noCommand(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("unknown command %q", c.Args().First())
	}
	cli.ShowAppHelp(c)
	return usagef("no command given")
}
