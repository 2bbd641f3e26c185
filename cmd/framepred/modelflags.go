package main

import "github.com/urfave/cli/v2"

// modelSetFlags are the first flags of the commands that compare
// checkpoints side by side (eval, reel), which loadModels and --synth's
// held-out data serve: --checkpoint, whose usage says what the command
// does with each model (verb), --label and --synth.
func modelSetFlags(verb string, synth *bool) []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "checkpoint", Aliases: []string{"c"}, EnvVars: env("checkpoint"), TakesFile: true,
			Usage: "a model to " + verb + ": a checkpoint `CKPT` or a run's folder (repeat for more)"},
		&cli.StringSliceFlag{Name: "label", EnvVars: env("label"),
			Usage: "`NAME` of the checkpoint in the same place (repeat; default: its loss)"},
		&cli.BoolFlag{Name: "synth", EnvVars: env("synth"), Destination: synth,
			Usage: "use held-out clips of the built-in two-futures data set"},
	}
}

// modelSetSizeFlag is their --size, which modelSet.size reads.
func modelSetSizeFlag() cli.Flag {
	return &cli.IntFlag{Name: "size", EnvVars: env("size"), DefaultText: "the first checkpoint's training size",
		Usage: "frames of `PX`×PX"}
}
