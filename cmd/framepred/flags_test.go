package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestIntersperse: flags after a command's arguments move before them,
// with their values; "--" still ends the flags.
func TestIntersperse(t *testing.T) {
	app := newApp(newGlobals(&bytes.Buffer{}, &bytes.Buffer{}))
	tests := []struct{ in, want string }{
		{"framepred", "framepred"},
		{"framepred probe a.mp4", "framepred probe -- a.mp4"},
		{"framepred probe a.mp4 --json b.mp4", "framepred probe --json -- a.mp4 b.mp4"},
		{"framepred -q probe a.mp4 --headers", "framepred -q probe --headers -- a.mp4"},
		{"framepred synth --out d --count 3", "framepred synth --out d --count 3"},
		{"framepred synth x --out d y --count=3", "framepred synth --out d --count=3 -- x y"},
		// A flag's value is never taken for an argument, even one that
		// looks like a flag or a command.
		{"framepred synth --out --json --count 3", "framepred synth --out --json --count 3"},
		{"framepred synth --out probe", "framepred synth --out probe"},
		{"framepred probe -- --json -", "framepred probe -- --json -"},
		{"framepred probe a.mp4 -- --json", "framepred probe -- a.mp4 --json"},
		{"framepred probe - --json", "framepred probe --json -- -"},
		// Help wins over arguments.
		{"framepred probe a.mp4 --help", "framepred probe --help"},
		// Unknown flags move too, and then fail as unknown flags.
		{"framepred probe a.mp4 --nope", "framepred probe --nope -- a.mp4"},
		// Unknown commands and "help" are left alone.
		{"framepred nope a --json", "framepred nope a --json"},
		{"framepred help probe", "framepred help probe"},
	}
	for _, tc := range tests {
		got := strings.Join(intersperse(app, strings.Fields(tc.in)), " ")
		if got != tc.want {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// TestEnvName: flag names map to FRAMEPRED_ variables.
func TestEnvName(t *testing.T) {
	for name, want := range map[string]string{"count": "FRAMEPRED_COUNT", "no-sheet": "FRAMEPRED_NO_SHEET", "lr": "FRAMEPRED_LR"} {
		if got := env(name); len(got) != 1 || got[0] != want {
			t.Errorf("env(%q) = %v, want [%s]", name, got, want)
		}
	}
}
