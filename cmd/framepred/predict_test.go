package main

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"framepred/decode"
	"framepred/frame"
	"framepred/metrics"
)

// decodeSized reads every frame of path at w×h as the commands do for a
// gray model trained on the built-in data (centre crop).
func decodeSized(t *testing.T, path string, w, h int) []frame.Frame {
	t.Helper()
	return decodeWith(t, path, decode.Options{Width: w, Height: h, Gray: true, Aspect: decode.Crop})
}

// pngSize decodes the PNG at path and returns its size.
func pngSize(t *testing.T, path string) image.Point {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img.Bounds().Size()
}

// TestPredict: the continuation of a video, from its end or from a given
// frame, and the rolling next-frame predictions, as MP4s of the
// checkpoint's frame size that decode back with the expected frames.
func TestPredict(t *testing.T) {
	dir := t.TempDir()
	ckpt := trainTiny(t, filepath.Join(dir, "run"), "10")
	video := h264(t, dir, "v.mp4") // 90 frames
	src := decodeSized(t, video, 16, 16)
	if len(src) != 90 {
		t.Fatalf("source: %d frames", len(src))
	}

	out := filepath.Join(dir, "next.mp4")
	r := mustRun(t, "predict", "--checkpoint", filepath.Join(dir, "run"), "-o", out, video)
	got := decodeAll(t, out, true)
	if len(got) != 2+8 || got[0].W != 16 || got[0].H != 16 {
		t.Fatalf("%d frames of %dx%d, want 10 (2 context + 8 predicted) of 16x16", len(got), got[0].W, got[0].H)
	}
	if !strings.Contains(r.stdout, "2 context frames (frames 88-89 of "+video+") and 8 predicted") {
		t.Errorf("stdout %q", r.stdout)
	}
	// The context frames are the video's last two.
	for i, j := range []int{88, 89} {
		if p := metrics.PSNR(got[i], src[j]); p < minPSNR {
			t.Errorf("output frame %d: PSNR %.1f dB against source frame %d, want ≥ %d", i, p, j, minPSNR)
		}
	}

	// From frame 50: the context is frames 48 and 49, the five predicted
	// frames are scored against frames 50-54.
	at := filepath.Join(dir, "at.mp4")
	r = mustRun(t, "predict", "--checkpoint", ckpt, "--at", "50", "--horizon", "5", "-o", at, video)
	got = decodeAll(t, at, true)
	if len(got) != 7 {
		t.Fatalf("--at: %d frames, want 7", len(got))
	}
	if p, q := metrics.PSNR(got[0], src[48]), metrics.PSNR(got[0], src[0]); p < minPSNR || q > p {
		t.Errorf("--at 50: first frame PSNR %.1f dB against frame 48, %.1f dB against frame 0", p, q)
	}
	if !regexp.MustCompile(`frames 48-49 of [^)]*\) and 5 predicted; PSNR in dB of the predicted frames against the real ones: ([0-9]+\.[0-9] ){4}[0-9]+\.[0-9] \(`).MatchString(r.stdout) {
		t.Errorf("--at: stdout %q: want the context frames and five PSNRs", r.stdout)
	}

	roll := filepath.Join(dir, "rolling.mp4")
	r = mustRun(t, "predict", "--checkpoint", ckpt, "--rolling", "--batch", "7", "-o", roll, video)
	if n := len(decodeAll(t, roll, true)); n != 90 {
		t.Errorf("--rolling: %d frames, want the video's 90", n)
	}
	if !strings.Contains(r.stdout, "90 frames, the first 2 real, then 88 predictions") {
		t.Errorf("--rolling: stdout %q", r.stdout)
	}

	// An existing output is kept without --force.
	r = framepred(t, "", nil, "predict", "--checkpoint", ckpt, "-o", out, video)
	if ls := lines(r.stderr); r.code != exitError || len(ls) != 1 || !strings.Contains(ls[0], out+" already exists (use --force") {
		t.Errorf("existing output: exit %d, stderr %q", r.code, r.stderr)
	}
	mustRun(t, "predict", "--checkpoint", ckpt, "-o", out, "--force", "--horizon", "3", video)
	if n := len(decodeAll(t, out, true)); n != 5 {
		t.Errorf("--force: %d frames, want 5", n)
	}
}

// TestPredictErrors: a video too short for the predictor, and usage
// mistakes, each one line; no output file is left.
func TestPredictErrors(t *testing.T) {
	dir := t.TempDir()
	ckpt := trainTiny(t, filepath.Join(dir, "run"), "5")
	one := h264(t, dir, "one.mp4", "-frames:v", "1")
	two := h264(t, dir, "two.mp4", "-frames:v", "2")
	video := h264(t, dir, "v.mp4")
	out := filepath.Join(dir, "out.mp4")
	tests := []struct {
		name  string
		args  []string
		code  int
		words string
	}{
		{"too short", []string{"--checkpoint", ckpt, "-o", out, one}, exitError, "it has 1 frame at these settings, the predictor needs 2 context frames"},
		{"too short to roll", []string{"--checkpoint", ckpt, "--rolling", "-o", out, two}, exitError, "it has 2 frames at these settings; --rolling needs more than the predictor's 2 context frames"},
		{"at past the end", []string{"--checkpoint", ckpt, "--at", "95", "-o", out, video}, exitError, "--at 95 is past its end: it has 90 frames"},
		{"at too early", []string{"--checkpoint", ckpt, "--at", "1", "-o", out, video}, exitUsage, "--at 1: the predictor needs 2 context frames before it"},
		{"missing checkpoint", []string{"--checkpoint", filepath.Join(dir, "nope"), "-o", out, video}, exitError, "nope: no such file or directory"},
		{"no checkpoint", []string{"-o", out, video}, exitUsage, "--checkpoint CKPT and -o OUT.mp4 are both needed"},
		{"two videos", []string{"--checkpoint", ckpt, "-o", out, video, video}, exitUsage, "give one video file (got 2 arguments)"},
		{"rolling with horizon", []string{"--checkpoint", ckpt, "--rolling", "--horizon", "3", "-o", out, video}, exitUsage, "--rolling predicts every frame"},
		{"size not a multiple", []string{"--checkpoint", ckpt, "--size", "15", "-o", out, video}, exitUsage, "frames of 15x15"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := framepred(t, "", nil, append([]string{"predict"}, tc.args...)...)
			ls := lines(r.stderr)
			if r.code != tc.code || len(ls) != 1 || !strings.Contains(ls[0], tc.words) {
				t.Errorf("exit %d, stderr %q; want %d and one line saying %q", r.code, r.stderr, tc.code, tc.words)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%s was written", out)
			}
		})
	}
	noTemp(t, dir)
}
