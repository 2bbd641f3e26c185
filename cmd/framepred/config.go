package main

import (
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/urfave/cli/v2"
	"github.com/urfave/cli/v2/altsrc"
)

// A config file is a TOML file of flag values, one per long flag name:
//
//	# two-futures.toml
//	count = 2000
//	size = 32
//	rgb = false
//
// A value given on the command line wins over the environment
// (FRAMEPRED_<FLAG>), which wins over the file, which wins over the
// default. A key that names no flag of the command, or a value of the
// wrong type, is a usage error that names the file, so a typo is never
// silently ignored. The file is read with urfave/cli's altsrc, which sets
// each flag through its own parser.

// configFlagName is the flag that names the config file.
const configFlagName = "config"

// withConfig gives cmd a --config FILE flag whose TOML file supplies
// values for the command's other flags. Call it after the command's flags
// are complete (setup's global flags included) and before the app runs.
func withConfig(cmd *cli.Command) *cli.Command {
	for i, f := range cmd.Flags {
		cmd.Flags[i] = sourced(f)
	}
	cmd.Flags = append(cmd.Flags, &cli.PathFlag{
		Name: configFlagName, EnvVars: env(configFlagName), TakesFile: true, Usage: "read flag values from this TOML `FILE` (keys are the long flag names)",
	})
	before := cmd.Before
	cmd.Before = func(c *cli.Context) error {
		if err := applyConfig(c, cmd.Flags); err != nil {
			return err
		}
		if before != nil {
			return before(c)
		}
		return nil
	}
	return cmd
}

// sourced wraps a flag so that altsrc can set it from the file. Flag
// types without an altsrc wrapper are returned as they are: the file
// cannot set them.
func sourced(f cli.Flag) cli.Flag {
	switch x := f.(type) {
	case *cli.BoolFlag:
		return altsrc.NewBoolFlag(x)
	case *cli.IntFlag:
		return altsrc.NewIntFlag(x)
	case *cli.Int64Flag:
		return altsrc.NewInt64Flag(x)
	case *cli.UintFlag:
		return altsrc.NewUintFlag(x)
	case *cli.Uint64Flag:
		return altsrc.NewUint64Flag(x)
	case *cli.Float64Flag:
		return altsrc.NewFloat64Flag(x)
	case *cli.StringFlag:
		return altsrc.NewStringFlag(x)
	case *cli.PathFlag:
		return altsrc.NewPathFlag(x)
	case *cli.DurationFlag:
		return altsrc.NewDurationFlag(x)
	case *cli.StringSliceFlag:
		return altsrc.NewStringSliceFlag(x)
	}
	return f
}

// applyConfig reads the file named by --config, if given, and sets the
// flags the command line and environment left alone.
func applyConfig(c *cli.Context, flags []cli.Flag) error {
	if !c.IsSet(configFlagName) {
		return nil
	}
	path := c.Path(configFlagName)
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, cause(err))
	}
	var raw map[string]any
	if err := toml.Unmarshal(data, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return usageError{fmt.Errorf("config %s: line %d: %s", path, pe.Position.Line, pe.Message)}
		}
		return usageError{fmt.Errorf("config %s: %w", path, err)}
	}
	values := map[any]any{}
	for key, v := range raw {
		f := flagNamed(flags, key)
		if _, ok := f.(altsrc.FlagInputSourceExtension); !ok { // --config and --help are not wrapped
			return usagef("config %s: %q is not a setting of %s (settings: %s)", path, key, c.Command.Name, settingNames(flags))
		}
		nv, err := configValue(f, v)
		if err != nil {
			return usagef("config %s: %s = %v: %v", path, key, tomlValue(v), err)
		}
		values[key] = nv
	}
	if err := altsrc.ApplyInputSourceValues(c, altsrc.NewMapInputSource(path, values), flags); err != nil {
		return usageError{fmt.Errorf("config %s: %w", path, err)}
	}
	return nil
}

// configValue checks a TOML value against the flag's type and converts it
// to the Go type altsrc expects (TOML integers are int64, altsrc wants int;
// a float setting may be written as an integer).
func configValue(f cli.Flag, v any) (any, error) {
	switch f.(type) {
	case *altsrc.BoolFlag:
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return nil, errors.New("want true or false")
	case *altsrc.IntFlag, *altsrc.Int64Flag, *altsrc.UintFlag, *altsrc.Uint64Flag:
		n, ok := v.(int64)
		if !ok {
			return nil, errors.New("want a whole number")
		}
		switch f.(type) {
		case *altsrc.UintFlag, *altsrc.Uint64Flag:
			if n < 0 {
				return nil, errors.New("want a whole number ≥ 0")
			}
		}
		if n > math.MaxInt || n < math.MinInt {
			return nil, errors.New("out of range")
		}
		return int(n), nil
	case *altsrc.Float64Flag:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int64:
			return float64(x), nil
		}
		return nil, errors.New("want a number")
	case *altsrc.DurationFlag:
		if s, ok := v.(string); ok {
			if _, err := time.ParseDuration(s); err == nil {
				return s, nil
			}
		}
		return nil, errors.New(`want a duration in quotes, such as "90s" or "1h30m"`)
	case *altsrc.StringFlag, *altsrc.PathFlag:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, errors.New(`want a string in quotes`)
	case *altsrc.StringSliceFlag:
		if xs, ok := v.([]any); ok {
			for _, x := range xs {
				if _, ok := x.(string); !ok {
					return nil, errors.New(`want a list of strings, ["a", "b"]`)
				}
			}
			return xs, nil
		}
		return nil, errors.New(`want a list of strings, ["a", "b"]`)
	}
	return nil, errors.New("this setting cannot come from a file")
}

// tomlValue shows a value as it was written, for messages.
func tomlValue(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}

// settingNames lists the keys a config file may use.
func settingNames(flags []cli.Flag) string {
	var names []string
	for _, f := range flags {
		if _, ok := f.(altsrc.FlagInputSourceExtension); ok {
			names = append(names, f.Names()[0])
		}
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
