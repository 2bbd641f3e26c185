package encode

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"framepred/frame"
)

// writeVideo encodes frames into path and closes the writer.
func writeVideo(t testing.TB, path string, frames []frame.Frame, o Options) {
	t.Helper()
	w, err := Create(path, o)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	for _, f := range frames {
		if err := w.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTrip encodes known frames, checks the file with ffprobe and
// decodes it back.
func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		c, h, w  int
		n        int
		opts     Options
		wantFPS  int
		minPSNR  float64 // dB, every frame, against the input
		evenH, W int     // encoded size
	}{
		// The floor asked of the encoder is 35 dB. At the default CRF 18 these
		// scenes give 40-43 dB in colour through decode, 38-39 dB through
		// the ffmpeg CLI (chroma subsampling of saturated edges dominates;
		// the CLI's own encoder does no better, see TestMatchesFFmpegCLI)
		// and 47 dB in gray.
		{name: "rgb", c: 3, h: 48, w: 64, n: 20, wantFPS: DefaultFPS, minPSNR: 35, evenH: 48, W: 64},
		{name: "gray", c: 1, h: 48, w: 64, n: 12, opts: Options{FPS: 10, Preset: "veryfast"}, wantFPS: 10, minPSNR: 35, evenH: 48, W: 64},
		{name: "odd size padded", c: 3, h: 35, w: 47, n: 9, opts: Options{FPS: 30}, wantFPS: 30, minPSNR: 35, evenH: 36, W: 48},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.mp4")
			in := movingScene(newRNG(), tc.n, tc.c, tc.h, tc.w)
			writeVideo(t, path, in, tc.opts)

			if got := listDir(t, dir); !slices.Equal(got, []string{"out.mp4"}) {
				t.Errorf("folder holds %v, want only out.mp4 (no temporary file left)", got)
			}
			p := ffprobe(t, path)
			s := p.Streams[0]
			fps := fmt.Sprintf("%d/1", tc.wantFPS)
			if s.CodecName != "h264" || s.PixFmt != "yuv420p" || s.Width != tc.W || s.Height != tc.evenH {
				t.Errorf("stream is %s %s %dx%d, want h264 yuv420p %dx%d", s.CodecName, s.PixFmt, s.Width, s.Height, tc.W, tc.evenH)
			}
			if s.RFrameRate != fps || s.AvgFrameRate != fps {
				t.Errorf("frame rates r=%s avg=%s, want %s (constant)", s.RFrameRate, s.AvgFrameRate, fps)
			}
			if s.NbReadFrames != strconv.Itoa(tc.n) {
				t.Errorf("ffprobe counts %s frames, want %d", s.NbReadFrames, tc.n)
			}
			if s.ColorSpace != "smpte170m" || s.ColorRange != "tv" {
				t.Errorf("colour tags %s/%s, want smpte170m/tv", s.ColorSpace, s.ColorRange)
			}
			dur, err := strconv.ParseFloat(p.Format.Duration, 64)
			if want := float64(tc.n) / float64(tc.wantFPS); err != nil || math.Abs(dur-want) > 1e-3 {
				t.Errorf("duration %q, want %.3f s", p.Format.Duration, want)
			}
			if len(p.Frames) != tc.n {
				t.Fatalf("ffprobe lists %d frames, want %d", len(p.Frames), tc.n)
			}
			for i, fr := range p.Frames {
				pts, err := strconv.ParseFloat(fr.PtsTime, 64)
				if want := float64(i) / float64(tc.wantFPS); err != nil || math.Abs(pts-want) > 1e-3 {
					t.Errorf("frame %d shown at %q s, want %.4f", i, fr.PtsTime, want)
				}
			}
			boxes := topBoxes(t, path)
			if m, d := slices.Index(boxes, "moov"), slices.Index(boxes, "mdat"); m < 0 || d < 0 || m > d {
				t.Errorf("top-level boxes %v: want moov before mdat (+faststart)", boxes)
			}

			// Decoded by framepred's decode and, as a second opinion, by the ffmpeg CLI.
			for _, dec := range []struct {
				name string
				out  []frame.Frame
			}{
				{"decode", decodeFrames(t, path, tc.c, tc.evenH, tc.W)},
				{"ffmpeg CLI", decodeCLI(t, path, tc.c, tc.evenH, tc.W)},
			} {
				if len(dec.out) != tc.n {
					t.Fatalf("%s decoded %d frames, want %d", dec.name, len(dec.out), tc.n)
				}
				worst := math.Inf(1)
				for i := range dec.out {
					worst = min(worst, psnr(t, in[i], crop(dec.out[i], 0, 0, tc.h, tc.w)))
				}
				t.Logf("%s: worst frame PSNR %.1f dB", dec.name, worst)
				if worst < tc.minPSNR {
					t.Errorf("%s: worst frame PSNR %.1f dB, want >= %.0f", dec.name, worst, tc.minPSNR)
				}
			}
		})
	}
}

// TestPaddingRepeatsEdge checks that the padding column and row of an odd
// frame copy its last column and row, so no dark seam shows.
func TestPaddingRepeatsEdge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd.mp4")
	f := frame.New(3, 15, 17)
	for i := range f.Pix {
		f.Pix[i] = 0.8 // light grey; black padding would be far off
	}
	writeVideo(t, path, []frame.Frame{f}, Options{Preset: "ultrafast"})
	out := decodeFrames(t, path, 3, 16, 18)[0]
	for _, e := range []struct {
		name       string
		y, x, h, w int
	}{{"column", 0, 17, 16, 1}, {"row", 15, 0, 1, 18}} {
		got := crop(out, e.y, e.x, e.h, e.w)
		want := frame.New(3, e.h, e.w)
		for i := range want.Pix {
			want.Pix[i] = 0.8
		}
		if p := psnr(t, want, got); p < 35 {
			t.Errorf("padding %s differs from the edge: PSNR %.1f dB, want >= 35", e.name, p)
		}
	}
}

// TestWriterErrors checks bad calls: each gives a clear error and never a
// file under the final name.
func TestWriterErrors(t *testing.T) {
	rgb := movingScene(newRNG(), 1, 3, 16, 16)[0]
	tests := []struct {
		name    string
		run     func(path string) error // returns the error the caller sees
		want    string                  // in the error message
		created bool                    // whether path should exist afterwards
	}{
		{"zero frames", func(p string) error {
			w, err := Create(p, Options{})
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			return w.Close()
		}, "no frames written", false},
		{"frame shape changes", func(p string) error {
			w, err := Create(p, Options{Preset: "ultrafast"})
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			defer w.Abort()
			if err := w.Write(rgb); err != nil {
				return fmt.Errorf("first write: %w", err)
			}
			return w.Write(frame.New(3, 16, 18))
		}, "frame 1 is 3x16x18 (CxHxW), but the video's first frame was 3x16x16", false},
		{"two channels", func(p string) error {
			w, err := Create(p, Options{})
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			defer w.Abort()
			return w.Write(frame.New(2, 8, 8))
		}, "has 2 channels, want 1 (gray) or 3 (RGB)", false},
		{"short Pix", func(p string) error {
			w, err := Create(p, Options{})
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			defer w.Abort()
			return w.Write(frame.Frame{C: 3, H: 8, W: 8, Pix: make([]float32, 10)})
		}, "3x8x8 frame has 10 values, want 192", false},
		{"write after close", func(p string) error {
			w, err := Create(p, Options{Preset: "ultrafast"})
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			if err := w.Write(rgb); err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
			return w.Write(rgb)
		}, "write after close: file already closed", true},
		{"bad CRF", func(p string) error { _, err := Create(p, Options{CRF: 60}); return err }, "CRF 60 is not in [1,51]", false},
		{"bad preset", func(p string) error { _, err := Create(p, Options{Preset: "quick"}); return err }, `unknown preset "quick"`, false},
		{"bad FPS", func(p string) error { _, err := Create(p, Options{FPS: -5}); return err }, "frame rate -5 is not in [1,1000]", false},
		{"abort", func(p string) error {
			w, err := Create(p, Options{Preset: "ultrafast"})
			if err != nil {
				return fmt.Errorf("create: %w", err)
			}
			if err := w.Write(rgb); err != nil {
				return err
			}
			if err := w.Abort(); err != nil {
				return err
			}
			return w.Close()
		}, "file already closed", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "v.mp4")
			err := tc.run(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "encode: ") {
				t.Errorf("error %q does not start with the package name", err)
			}
			_, serr := os.Stat(path)
			if exists := serr == nil; exists != tc.created {
				t.Errorf("%s exists: %v, want %v", path, exists, tc.created)
			}
			names := listDir(t, dir)
			if slices.ContainsFunc(names, func(n string) bool { return strings.HasSuffix(n, ".tmp") }) {
				t.Errorf("temporary file left behind: %v", names)
			}
		})
	}
}

// TestUnwritableFolder checks that Create fails at once, naming the path,
// when the output folder is missing or is a file.
func TestUnwritableFolder(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		filepath.Join(dir, "missing", "v.mp4"),
		filepath.Join(file, "v.mp4"),
	} {
		_, err := Create(path, Options{})
		if err == nil || !strings.Contains(err.Error(), "cannot write "+path) {
			t.Errorf("Create(%s) error %v, want one saying it cannot write there", path, err)
		}
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"plain-file"}) {
		t.Errorf("folder holds %v, want only plain-file", got)
	}
}

// TestNoOverwrite checks that an existing file is kept unless Force is set,
// including one that appears while the video is being written.
func TestNoOverwrite(t *testing.T) {
	rgb := movingScene(newRNG(), 1, 3, 16, 16)[0]
	dir := t.TempDir()
	path := filepath.Join(dir, "v.mp4")
	old := []byte("precious")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(path, Options{}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over an existing file: error %v, want fs.ErrExist", err)
	}

	// A file that appears during the write is not replaced either.
	late := filepath.Join(dir, "late.mp4")
	w, err := Create(late, Options{Preset: "ultrafast"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rgb); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(late, old, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Close onto a file made meanwhile: error %v, want fs.ErrExist", err)
	}
	for _, p := range []string{path, late} {
		if b, _ := os.ReadFile(p); string(b) != string(old) {
			t.Errorf("%s was changed to %d bytes", p, len(b))
		}
	}

	writeVideo(t, path, []frame.Frame{rgb}, Options{Force: true, Preset: "ultrafast"})
	if boxes := topBoxes(t, path); slices.Index(boxes, "moov") < 0 {
		t.Errorf("with Force, %s holds boxes %v, want the new MP4", path, boxes)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"late.mp4", "v.mp4"}) {
		t.Errorf("folder holds %v, want late.mp4 and v.mp4 only", got)
	}
}

// TestMatchesFFmpegCLI encodes the same frames with our Writer and with the
// ffmpeg CLI (rgb24 in, its own swscale to yuv420p, libx264 with the same
// preset and CRF) and checks that ours lose no more: a wrong colour matrix,
// range or chroma placement would cost several dB.
func TestMatchesFFmpegCLI(t *testing.T) {
	const n, h, w = 10, 48, 64
	in := movingScene(newRNG(), n, 3, h, w)
	dir := t.TempDir()
	ours, ref := filepath.Join(dir, "ours.mp4"), filepath.Join(dir, "ffmpeg.mp4")
	writeVideo(t, ours, in, Options{Preset: "veryfast"})
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-f", "rawvideo", "-pix_fmt", "rgb24",
		"-s", fmt.Sprintf("%dx%d", w, h), "-r", "25", "-i", "-",
		"-c:v", "libx264", "-preset", "veryfast", "-crf", strconv.Itoa(DefaultCRF), "-pix_fmt", "yuv420p", ref)
	cmd.Stdin = bytes.NewReader(rgb24(in))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	mean := func(path string) float64 {
		out := decodeFrames(t, path, 3, h, w)
		if len(out) != n {
			t.Fatalf("%s: decoded %d frames, want %d", path, len(out), n)
		}
		var s float64
		for i := range out {
			s += psnr(t, in[i], out[i])
		}
		return s / n
	}
	got, want := mean(ours), mean(ref)
	t.Logf("mean PSNR: ours %.2f dB, ffmpeg CLI %.2f dB", got, want)
	if got < want-0.5 {
		t.Errorf("our mean PSNR %.2f dB is more than 0.5 dB below the ffmpeg CLI's %.2f dB", got, want)
	}
}

// rgb24 packs RGB frames as 8-bit interleaved rows, as the ffmpeg CLI's
// rawvideo rgb24 input expects.
func rgb24(frames []frame.Frame) []byte {
	var b []byte
	for _, f := range frames {
		for p := 0; p < f.H*f.W; p++ {
			for c := 0; c < 3; c++ {
				b = append(b, uint8(clamp01(f.Pix[c*f.H*f.W+p])*255+0.5))
			}
		}
	}
	return b
}

// TestAwkwardNames writes videos whose names FFmpeg could take for a URL
// ("x:y.mp4" looks like protocol "x"), relative to the working folder.
func TestAwkwardNames(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	rgb := movingScene(newRNG(), 1, 3, 16, 16)
	if err := os.Mkdir("a:b", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x:y.mp4", "file:z.mp4", "with space.mp4", "ünïcode.mp4", "a:b/c.mp4"} {
		writeVideo(t, name, rgb, Options{Preset: "ultrafast"})
		if boxes := topBoxes(t, filepath.Join(dir, name)); slices.Index(boxes, "moov") < 0 {
			t.Errorf("%s holds boxes %v, want an MP4", name, boxes)
		}
	}
	if got := listDir(t, dir); len(got) != 5 {
		t.Errorf("folder holds %v, want the 4 videos and a:b only", got)
	}
}
