package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// commandNames lists the commands of the app, so that every command,
// phase 2's included, is checked by the tests below without listing it.
func commandNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, c := range newApp(newGlobals(&bytes.Buffer{}, &bytes.Buffer{})).Commands {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		t.Fatal("no commands")
	}
	return names
}

// TestHelp: every way to ask for help exits 0, prints on stdout only, and
// shows at least one example invocation of the command.
func TestHelp(t *testing.T) {
	type tc struct {
		args    []string
		example string
	}
	cases := []tc{
		{[]string{"--help"}, "framepred "},
		{[]string{"help"}, "framepred "},
		{[]string{"-h"}, "framepred "},
	}
	for _, name := range commandNames(t) {
		ex := "framepred " + name + " "
		cases = append(cases,
			tc{[]string{name, "--help"}, ex},
			tc{[]string{name, "-h"}, ex},
			tc{[]string{"help", name}, ex},
			tc{[]string{name, "some-file", "--help"}, ex}, // flags may follow arguments
		)
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := framepred(t, "", nil, c.args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
			}
			if ex := firstExample(r.stdout); !strings.HasPrefix(ex, c.example) {
				t.Errorf("help's first example is %q, want one starting %q:\n%s", ex, c.example, r.stdout)
			}
		})
	}
}

// firstExample returns the line after "Examples:" in a help text, trimmed.
func firstExample(help string) string {
	_, after, ok := strings.Cut(help, "Examples:\n")
	if !ok {
		return ""
	}
	line, _, _ := strings.Cut(after, "\n")
	return strings.TrimSpace(line)
}

// TestUsageErrors: mistakes in the command line exit 2 with one line on
// stderr that says what is wrong and points to --help, and write nothing.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	badKey := filepath.Join(dir, "bad-key.toml")
	badType := filepath.Join(dir, "bad-type.toml")
	for p, s := range map[string]string{badKey: "count = 3\ncolour = true\n", badType: "count = \"three\"\n"} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		env   []string
		args  []string
		words string
	}{
		{"no command", nil, nil, "no command given"},
		{"unknown command", nil, []string{"nope"}, `unknown command "nope"`},
		{"help for unknown command", nil, []string{"help", "nope"}, `unknown command "nope"`},
		{"unknown global flag", nil, []string{"--nope", "probe", "x.mp4"}, "unknown flag --nope"},
		{"unknown flag", nil, []string{"probe", "--nope", "x.mp4"}, "probe: unknown flag --nope"},
		{"unknown flag after args", nil, []string{"probe", "x.mp4", "--nope"}, "probe: unknown flag --nope"},
		{"unknown short flag", nil, []string{"synth", "-x"}, "synth: unknown flag -x"},
		{"probe without files", nil, []string{"probe"}, "no video files given"},
		{"bad bool", nil, []string{"probe", "--json=maybe", "x.mp4"}, `--json "maybe": want true or false`},
		{"synth without count", nil, []string{"synth", "--out", out}, "--out DIR and --count N are both needed"},
		{"synth without out", nil, []string{"synth", "--count", "3"}, "--out DIR and --count N are both needed"},
		{"count not a number", nil, []string{"synth", "--out", out, "--count", "abc"}, `--count "abc": want a whole number`},
		{"flag without value", nil, []string{"synth", "--out", out, "--count"}, "--count needs a value"},
		{"negative seed", nil, []string{"synth", "--out", out, "--count", "3", "--seed", "-1"}, "want a whole number, 0 or more"},
		{"zero count", nil, []string{"synth", "--out", out, "--count", "0"}, "--count 0: want at least 1"},
		{"odd size", nil, []string{"synth", "--out", out, "--count", "3", "--size", "33"}, "--size 33: want an even size"},
		{"one branch", nil, []string{"synth", "--out", out, "--count", "3", "--branches", "1"}, "branches 1 must be at least 2"},
		{"no track fits", nil, []string{"synth", "--out", out, "--count", "3", "--size", "8"}, "no track fits"},
		{"bad fps", nil, []string{"synth", "--out", out, "--count", "3", "--fps", "0"}, "--fps 0"},
		{"bad env value", []string{"FRAMEPRED_COUNT=abc"}, []string{"synth", "--out", out}, "FRAMEPRED_COUNT"},
		{"quiet and verbose", nil, []string{"-q", "probe", "-v", "x.mp4"}, "--quiet and --verbose cannot be used together"},
		{"unknown config key", nil, []string{"synth", "--out", out, "--config", badKey}, `config ` + badKey + `: "colour" is not a setting of synth`},
		{"config value of wrong type", nil, []string{"synth", "--out", out, "--config", badType}, `count = "three": want a whole number`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := framepred(t, "", tc.env, tc.args...)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d", r.code, exitUsage)
			}
			ls := lines(r.stderr)
			if len(ls) != 1 || !strings.HasPrefix(ls[0], "framepred: ") || !strings.Contains(ls[0], tc.words) || !strings.HasSuffix(ls[0], "(see --help)") {
				t.Errorf("stderr %q: want one line saying %q and pointing to --help", r.stderr, tc.words)
			}
		})
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a usage error made %s", out)
	}
}

// TestFlagConventions: every flag of every command can be set from the
// environment as FRAMEPRED_<FLAG>, and every command says what it does and
// shows examples. Checked on the app itself, so a new command cannot miss
// them.
func TestFlagConventions(t *testing.T) {
	app := newApp(newGlobals(&bytes.Buffer{}, &bytes.Buffer{}))
	check := func(where string, flags []cli.Flag) {
		for _, f := range flags {
			name := f.Names()[0]
			ev, ok := f.(interface{ GetEnvVars() []string })
			if !ok || len(ev.GetEnvVars()) != 1 || ev.GetEnvVars()[0] != env(name)[0] {
				t.Errorf("%s: flag --%s is not read from %s", where, name, env(name)[0])
			}
		}
	}
	check("framepred", app.Flags)
	for _, c := range app.Commands {
		check(c.Name, c.Flags)
		if c.Usage == "" || c.UsageText == "" || !strings.Contains(c.Description, "Examples:\n   framepred "+c.Name) {
			t.Errorf("%s: needs Usage, UsageText and a Description ending in examples", c.Name)
		}
		if c.Action == nil || c.OnUsageError == nil || c.Before == nil {
			t.Errorf("%s: not set up by command()", c.Name)
		}
	}
}

// TestEnvironment: a flag's environment variable sets it, and a flag on
// the command line wins over it.
func TestEnvironment(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "synth", "--out", dir, "--count", "1", "--sheet", "1")
	r := framepred(t, "", []string{"FRAMEPRED_JSON=true"}, "probe", filepath.Join(dir, "clip-0000.mp4"))
	if r.code != 0 || !strings.HasPrefix(r.stdout, "[") {
		t.Errorf("FRAMEPRED_JSON=true: exit %d, stdout %q; want JSON", r.code, r.stdout)
	}
	r = framepred(t, "", []string{"FRAMEPRED_JSON=true"}, "probe", "--json=false", filepath.Join(dir, "clip-0000.mp4"))
	if r.code != 0 || strings.HasPrefix(r.stdout, "[") {
		t.Errorf("--json=false over FRAMEPRED_JSON=true: exit %d, stdout %q; want text", r.code, r.stdout)
	}
}
