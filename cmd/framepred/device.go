package main

import (
	"log/slog"

	"github.com/urfave/cli/v2"

	"framepred/cuda"
	"framepred/device"
)

// deviceFlag is --device, for the commands that run a model.
func deviceFlag() cli.Flag {
	return &cli.StringFlag{
		Name: "device", Value: "auto", EnvVars: env("device"),
		Usage: "where to compute: " + device.Forms + "; auto takes the first GPU when there is one",
	}
}

// chooseDevice reads --device and checks it against the machine: a value
// that is no device is a usage error (exit 2); a GPU asked for by name
// that is not there is an error (exit 1) that says what is missing. auto
// never fails. The choice and its reason go to the log.
func chooseDevice(value string, p device.Prober, log *slog.Logger) (device.Choice, error) {
	spec, err := device.Parse(value)
	if err != nil {
		return device.Choice{}, usageError{err}
	}
	ch, err := device.Resolve(spec, p)
	if err != nil {
		return device.Choice{}, err
	}
	log.Info("device", "use", ch.String(), "why", ch.Reason)
	return ch, nil
}

// machineDevices finds this machine's GPUs (libraries from
// $FRAMEPRED_CUDA_LIBS, then the system's).
func machineDevices() device.Prober { return device.CUDAProber(cuda.DefaultConfig()) }

// inCategory puts a flag made elsewhere under a heading of a command's help.
func inCategory(f cli.Flag, category string) cli.Flag {
	if sf, ok := f.(*cli.StringFlag); ok {
		sf.Category = category
	}
	return f
}
