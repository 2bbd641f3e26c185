package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"framepred/decode"
	"framepred/frame"
	"framepred/metrics"
	"framepred/synth"
)

// readManifest reads dir/manifest.json.
func readManifest(t *testing.T, dir string) synthManifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, synthManifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m synthManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("manifest: %v\n%s", err, b)
	}
	return m
}

// decodeAll reads every frame of path through decode, as training will.
func decodeAll(t *testing.T, path string, gray bool) []frame.Frame {
	t.Helper()
	return decodeWith(t, path, decode.Options{Gray: gray})
}

// decodeWith reads every frame of path with opts; an error before the end
// fails the test.
func decodeWith(t *testing.T, path string, opts decode.Options) []frame.Frame {
	t.Helper()
	r, err := decode.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var fs []frame.Frame
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return fs
		}
		if err != nil {
			t.Fatalf("after %d frames: %v", len(fs), err)
		}
		fs = append(fs, f)
	}
}

// minPSNR is the least PSNR a synth frame keeps through H.264 at synth's
// default CRF 18 and back through decode. Measured with Debian 12's
// libx264: 39-69 dB for 32x32 gray clips, 34.6-38.9 dB for 48x48 RGB ones
// (chroma at half resolution smears the colour of a small square). A
// square in the wrong place, as in another branch's frame, gives 11-19 dB
// at these sizes: two squares of side 4-6 differ, 2·side² of the pixels.
const minPSNR = 30

// checkClips decodes every clip in dir and compares it with the generator
// that made it: frame count and size, pixels by PSNR, and that every
// future frame is nearest to the branch the manifest names.
func checkClips(t *testing.T, dir string, m synthManifest) {
	t.Helper()
	gc := m.Generator
	cfg := synth.DefaultConfig()
	cfg.Seed, cfg.Width, cfg.Height, cfg.Channels = gc.Seed, gc.Width, gc.Height, gc.Channels
	cfg.Context, cfg.Future, cfg.Branches = gc.Context, gc.Future, gc.Branches
	gen, err := synth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range m.Clips {
		want := gen.Sample(int64(i))
		if c.Sample != int64(i) || c.Branch != gen.Track(int64(i)).Choice {
			t.Errorf("clip %d: manifest says sample %d branch %d, generator drew branch %d", i, c.Sample, c.Branch, gen.Track(int64(i)).Choice)
		}
		got := decodeAll(t, filepath.Join(dir, c.File), cfg.Channels == 1)
		wantFrames := synth.Frames(want)
		if len(got) != len(wantFrames) || len(got) != m.FramesPerClip {
			t.Fatalf("%s: %d frames, want %d", c.File, len(got), len(wantFrames))
		}
		for k, f := range got {
			if !f.SameShape(wantFrames[k]) {
				t.Fatalf("%s frame %d: %s, want %s", c.File, k, f.Shape(), wantFrames[k].Shape())
			}
			if p := metrics.PSNR(f, wantFrames[k]); p < minPSNR {
				t.Errorf("%s frame %d: PSNR %.1f dB against the generator, want ≥ %d", c.File, k, p, minPSNR)
			}
		}
		for k := range cfg.Future {
			branches := make([]frame.Frame, cfg.Branches)
			for j := range branches {
				branches[j] = want.Branches[j][k]
			}
			if j, _ := metrics.NearestBranch(got[cfg.Context+k], branches); j != c.Branch {
				t.Errorf("%s future frame %d: nearest to branch %d, manifest says %d", c.File, k, j, c.Branch)
			}
		}
	}
}

// noTemp fails if dir holds temporary files.
func noTemp(t *testing.T, dir string) {
	t.Helper()
	tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp"))
	if len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestSynth: synth writes MP4s that decode back into the generator's
// clips, a manifest naming each clip's branch, and a contact sheet.
func TestSynth(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data") // made by synth
	r := mustRun(t, "synth", "--out", dir, "--count", "4", "--seed", "3", "--sheet", "2", "--json")
	disk, err := os.ReadFile(filepath.Join(dir, synthManifestName))
	if err != nil {
		t.Fatal(err)
	}
	if r.stdout != string(disk) {
		t.Errorf("--json printed something else than manifest.json:\n%s", r.stdout)
	}
	m := readManifest(t, dir)
	if g := m.Generator; g.Seed != 3 || g.Width != 32 || g.Height != 32 || g.Channels != 1 || g.Branches != 2 || len(m.Clips) != 4 || m.FramesPerClip != 5 {
		t.Fatalf("manifest %+v: want seed 3, 32x32 gray, 2 branches, 4 clips of 5 frames", m)
	}
	checkClips(t, dir, m)

	f, err := os.Open(filepath.Join(dir, synthSheetName))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet, err := png.Decode(f)
	if err != nil {
		t.Fatalf("sheet: %v", err)
	}
	// 2 clips of 5 frames: 5 tiles a row, 2 rows.
	if b := sheet.Bounds(); b.Dx() < 5*96 || b.Dy() < 2*96 || b.Dx() < 2*b.Dy() {
		t.Errorf("sheet is %v, want 5 columns and 2 rows of 96 px tiles", b)
	}
	noTemp(t, dir)

	// Same seed, same clips: a second folder holds the same manifest.
	dir2 := filepath.Join(t.TempDir(), "again")
	mustRun(t, "synth", "-q", "-o", dir2, "-n", "4", "--seed", "3")
	m2 := readManifest(t, dir2)
	m.Sheet = ""
	if a, b := must(json.Marshal(m)), must(json.Marshal(m2)); !bytes.Equal(a, b) {
		t.Errorf("same seed, different manifests:\n%s\n%s", a, b)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSynthRGB: colour clips with more branches and future frames.
func TestSynthRGB(t *testing.T) {
	dir := t.TempDir()
	r := mustRun(t, "synth", "--out", dir, "--count", "3", "--rgb", "--size", "48", "--branches", "4", "--future", "3", "--context", "3")
	if !strings.Contains(r.stdout, "wrote 3 clips of 6 frames (48x48 RGB, 5 fps)") {
		t.Errorf("summary %q", r.stdout)
	}
	m := readManifest(t, dir)
	if g := m.Generator; g.Channels != 3 || g.Branches != 4 || g.Future != 3 || g.Context != 3 || g.Width != 48 {
		t.Fatalf("generator %+v", g)
	}
	for _, c := range m.Clips {
		if len(c.Kicks) != 4 || c.Branch < 0 || c.Branch > 3 {
			t.Errorf("clip %+v: want 4 jumps and a branch in 0-3", c)
		}
	}
	checkClips(t, dir, m)
}

// TestSynthNoOverwrite: without --force synth refuses, before writing
// anything, if one of its files exists; with --force it replaces them.
func TestSynthNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "synth", "--out", dir, "--count", "2", "--seed", "1")
	before := readManifest(t, dir)
	// Only one clip of a larger set is in the way.
	r := framepred(t, "", nil, "synth", "--out", dir, "--count", "5", "--seed", "2")
	ls := lines(r.stderr)
	if r.code != exitError || len(ls) != 1 || !strings.Contains(ls[0], filepath.Join(dir, synthManifestName)+" already exists (use --force to replace it)") {
		t.Errorf("exit %d, stderr %q; want 1 and one line naming the file in the way", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "clip-0004.mp4")); err == nil {
		t.Error("synth wrote clips before refusing")
	}
	if after := readManifest(t, dir); after.Generator.Seed != 1 {
		t.Error("the manifest changed")
	}
	mustRun(t, "synth", "--out", dir, "--count", "3", "--seed", "2", "--force")
	if m := readManifest(t, dir); m.Generator.Seed != 2 || len(m.Clips) != 3 || before.Generator.Seed != 1 {
		t.Errorf("--force: manifest %+v, want seed 2 and 3 clips", m.Generator)
	}
	noTemp(t, dir)
}

// TestSynthConfig: settings come from a TOML file, the environment beats
// the file and the command line beats both.
func TestSynthConfig(t *testing.T) {
	dir := t.TempDir()
	conf := writeBytes(t, filepath.Join(dir, "data.toml"), []byte("# two futures, small\ncount = 3\nsize = 16\nseed = 9\nbranches = 2\nrgb = true\n"))
	out := filepath.Join(dir, "out")
	r := framepred(t, "", []string{"FRAMEPRED_SIZE=24"}, "synth", "--config", conf, "--out", out, "--count", "2")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	m := readManifest(t, out)
	if g := m.Generator; len(m.Clips) != 2 || g.Width != 24 || g.Seed != 9 || g.Channels != 3 {
		t.Errorf("got %d clips, %+v; want 2 clips (flag), size 24 (environment), seed 9 and RGB (file)", len(m.Clips), g)
	}

	r = framepred(t, "", nil, "synth", "--config", filepath.Join(dir, "missing.toml"), "--out", out)
	if ls := lines(r.stderr); r.code != exitError || len(ls) != 1 || !strings.Contains(ls[0], "missing.toml: no such file") {
		t.Errorf("missing config: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestSynthInterrupt: Ctrl-C stops synth between clips with exit code
// 130; the clips written so far are whole, no temporary file is left, and
// there is no manifest, which marks a complete folder.
func TestSynthInterrupt(t *testing.T) {
	dir := t.TempDir()
	third := filepath.Join(dir, "clip-00002.mp4")
	stderr := interrupt(t, func() bool { _, err := os.Stat(third); return err == nil }, third,
		"synth", "--out", dir, "--count", "100000")
	ls := lines(stderr)
	if len(ls) == 0 || ls[len(ls)-1] != "framepred: interrupted" {
		t.Errorf("stderr %q: want it to end with framepred: interrupted", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, synthManifestName)); err == nil {
		t.Error("an interrupted run wrote the manifest")
	}
	noTemp(t, dir)
	clips, _ := filepath.Glob(filepath.Join(dir, "clip-*.mp4"))
	if len(clips) < 3 {
		t.Fatalf("%d clips, want at least 3", len(clips))
	}
	for _, c := range clips {
		if n := len(decodeAll(t, c, true)); n != 5 {
			t.Errorf("%s: %d frames, want 5", c, n)
		}
	}
}
