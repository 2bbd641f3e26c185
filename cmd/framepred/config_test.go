package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v2"
)

// trainLike is a command with the kinds of flags phase 2's train has.
type trainLike struct {
	Steps  int
	Seed   uint64
	LR     float64
	Loss   string
	Every  time.Duration
	Files  []string
	Resume bool
}

// runWithConfig runs "framepred fake args..." in-process, the fake
// command having --config, and returns what its flags held, the exit code
// and stderr.
func runWithConfig(t *testing.T, args ...string) (trainLike, int, string) {
	t.Helper()
	var got trainLike
	var stdout, stderr bytes.Buffer
	g := newGlobals(&stdout, &stderr)
	cmd := &cli.Command{
		Name: "fake",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "steps", EnvVars: env("steps"), Value: 100},
			&cli.Uint64Flag{Name: "seed", EnvVars: env("seed")},
			&cli.Float64Flag{Name: "lr", EnvVars: env("lr"), Value: 1e-3},
			&cli.StringFlag{Name: "loss", EnvVars: env("loss"), Value: "mse"},
			&cli.DurationFlag{Name: "every", EnvVars: env("every"), Value: time.Minute},
			&cli.StringSliceFlag{Name: "file", EnvVars: env("file")},
			&cli.BoolFlag{Name: "resume", EnvVars: env("resume")},
		},
		Action: func(c *cli.Context) error {
			got = trainLike{c.Int("steps"), c.Uint64("seed"), c.Float64("lr"), c.String("loss"),
				c.Duration("every"), c.StringSlice("file"), c.Bool("resume")}
			return nil
		},
	}
	app := newApp(g)
	app.Commands = []*cli.Command{withConfig(command(g, cmd))}
	code := g.execute(app, append([]string{"framepred", "fake"}, args...))
	return got, code, stderr.String()
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "run.toml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestConfigTypes: every flag type a command uses can come from the file;
// a whole number is taken for a float.
func TestConfigTypes(t *testing.T) {
	p := writeConfig(t, `
steps = 5000
seed = 42
lr = 1            # a float flag written as a whole number
loss = "mse+0.01*adv"
every = "30s"
file = ["a.mp4", "b.mp4"]
resume = true
`)
	got, code, stderr := runWithConfig(t, "--config", p)
	want := trainLike{5000, 42, 1, "mse+0.01*adv", 30 * time.Second, []string{"a.mp4", "b.mp4"}, true}
	if code != 0 || got.Steps != want.Steps || got.Seed != want.Seed || got.LR != want.LR || got.Loss != want.Loss ||
		got.Every != want.Every || strings.Join(got.Files, ",") != "a.mp4,b.mp4" || !got.Resume {
		t.Errorf("exit %d (%s): got %+v, want %+v", code, stderr, got, want)
	}
}

// TestConfigPrecedence: command line over environment over file over
// default.
func TestConfigPrecedence(t *testing.T) {
	p := writeConfig(t, "steps = 5000\nlr = 0.01\nloss = \"l1\"\n")
	t.Setenv("FRAMEPRED_LR", "0.5")
	t.Setenv("FRAMEPRED_LOSS", "gdl")
	got, code, stderr := runWithConfig(t, "--config", p, "--loss", "mse")
	if code != 0 || got.Steps != 5000 || got.LR != 0.5 || got.Loss != "mse" || got.Every != time.Minute {
		t.Errorf("exit %d (%s): got %+v; want steps 5000 (file), lr 0.5 (env), loss mse (flag), every 1m (default)", code, stderr, got)
	}
	t.Setenv("FRAMEPRED_CONFIG", p) // the file itself from the environment
	if got, code, _ := runWithConfig(t); code != 0 || got.Steps != 5000 {
		t.Errorf("FRAMEPRED_CONFIG: exit %d, steps %d, want 5000", code, got.Steps)
	}
}

// TestConfigErrors: a bad file is one line naming it; its contents are
// usage errors (exit 2), a file that cannot be read is an error (exit 1).
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, text string
		code       int
		words      string
	}{
		{"unknown key", "stepz = 3\n", exitUsage, `"stepz" is not a setting of fake (settings: every, file, loss, lr, quiet, resume, seed, steps, verbose)`},
		{"config in config", "config = \"x.toml\"\n", exitUsage, `"config" is not a setting`},
		{"help in config", "help = true\n", exitUsage, `"help" is not a setting`},
		{"table", "[steps]\nn = 3\n", exitUsage, "steps = map[n:3]: want a whole number"},
		{"string for int", "steps = \"many\"\n", exitUsage, `steps = "many": want a whole number`},
		{"float for int", "steps = 1.5\n", exitUsage, "steps = 1.5: want a whole number"},
		{"negative uint", "seed = -1\n", exitUsage, "seed = -1: want a whole number ≥ 0"},
		{"int for string", "loss = 3\n", exitUsage, "loss = 3: want a string in quotes"},
		{"bad duration", "every = \"soon\"\n", exitUsage, `every = "soon": want a duration`},
		{"duration as number", "every = 30\n", exitUsage, `every = 30: want a duration`},
		{"list of numbers", "file = [1, 2]\n", exitUsage, "want a list of strings"},
		{"syntax", "steps = 3\nlr = = 2\n", exitUsage, "line 2:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeConfig(t, tc.text)
			_, code, stderr := runWithConfig(t, "--config", p)
			ls := lines(stderr)
			if code != tc.code || len(ls) != 1 || !strings.Contains(ls[0], "config "+p+": ") || !strings.Contains(ls[0], tc.words) {
				t.Errorf("exit %d, stderr %q; want %d and one line naming %s and saying %q", code, stderr, tc.code, p, tc.words)
			}
		})
	}
	_, code, stderr := runWithConfig(t, "--config", filepath.Join(t.TempDir(), "none.toml"))
	if code != exitError || !strings.Contains(stderr, "none.toml: no such file or directory") {
		t.Errorf("missing file: exit %d, stderr %q", code, stderr)
	}
}
