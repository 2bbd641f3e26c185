package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"framepred/decode/decodetest"
)

// probeFixtures makes the good and bad inputs of the decode tests, in dir.
type probeFixtures struct {
	moovAtEnd, faststart, webm string // whole files: 90 frames, 160x90, 30 fps
}

func makeProbeFixtures(t *testing.T, dir string) probeFixtures {
	return probeFixtures{
		moovAtEnd: h264(t, dir, "moov-at-end.mp4"),
		faststart: h264(t, dir, "faststart.mp4", "-movflags", "+faststart"),
		webm:      ffmpeg(t, filepath.Join(dir, "testsrc.webm"), decodetest.WebMArgs()...),
	}
}

// badInput is a file decode refuses and the words of framepred's one-line
// error about it.
type badInput struct {
	name  string
	path  string
	words string
}

// badInputs makes in dir the inputs that probe and train both refuse, the
// cut-off files from fx among them; dir/no-videos is an empty folder.
func badInputs(t *testing.T, dir string, fx probeFixtures) []badInput {
	t.Helper()
	noVideos := filepath.Join(dir, "no-videos")
	if err := os.Mkdir(noVideos, 0o755); err != nil {
		t.Fatal(err)
	}
	return []badInput{
		{"nonexistent", decodetest.Missing(dir), "no such file or directory"},
		{"directory without videos", noVideos, "no video files in directory"},
		{"fifo", decodetest.FIFO(t, dir), "not a regular file (it is a named pipe)"},
		{"zero bytes", decodetest.Empty(t, dir), "the file is empty"},
		{"random bytes", decodetest.Random(t, dir, "random.bin"), "not a video file FFmpeg can read"},
		{"text named mp4", decodetest.Text(t, dir), "not a video file FFmpeg can read"},
		{"audio only", ffmpeg(t, filepath.Join(dir, "audio.m4a"), decodetest.AudioArgs()...), "no video stream (the file has 1 stream: audio aac)"},
		{"truncated, moov at end", decodetest.FirstHalf(t, dir, fx.moovAtEnd), "the MP4 index (moov box) is missing"},
		{"truncated faststart", decodetest.FirstHalf(t, dir, fx.faststart), "damaged or truncated file"},
		{"truncated webm", decodetest.FirstHalf(t, dir, fx.webm), "damaged or truncated file"},
	}
}

func writeBytes(t *testing.T, path string, b []byte) string {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestProbeBadInput: every input decode refuses gives exit 1 and one line
// on stderr that names the file and says what is wrong; nothing on stdout.
//
// A cut-off file whose headers are whole (faststart MP4, WebM) decodes up
// to the cut. decode then returns ErrDamaged instead of io.EOF, and probe,
// which decodes every frame, reports that as an error with the number of
// good frames: the same file would stop a training run at the same place.
func TestProbeBadInput(t *testing.T) {
	dir := t.TempDir()
	fx := makeProbeFixtures(t, dir)
	tests := badInputs(t, dir, fx)
	writeBytes(t, filepath.Join(dir, "no-videos", "notes.txt"), []byte("no video here\n"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := framepred(t, "", nil, "probe", tc.path)
			if r.code != exitError {
				t.Errorf("exit %d, want %d", r.code, exitError)
			}
			ls := lines(r.stderr)
			if len(ls) != 1 || !strings.HasPrefix(ls[0], "framepred: ") || !strings.Contains(ls[0], tc.path) || !strings.Contains(ls[0], tc.words) {
				t.Errorf("stderr %q: want one line naming %s and saying %q", r.stderr, tc.path, tc.words)
			}
			if r.stdout != "" {
				t.Errorf("stdout %q, want nothing", r.stdout)
			}
		})
	}

	// The decodable part of a cut-off file is counted in the message.
	t.Run("frames before the cut", func(t *testing.T) {
		for _, whole := range []string{fx.faststart, fx.webm} {
			cut := filepath.Join(dir, "trunc-"+filepath.Base(whole))
			r := framepred(t, "", nil, "probe", "--json", cut)
			var res []probeResult
			if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res) != 1 {
				t.Fatalf("%s: JSON %q: %v", cut, r.stdout, err)
			}
			// Half the bytes hold a bit under half the frames.
			if n := res[0].Frames; res[0].OK || n < 20 || n > 60 || !strings.Contains(res[0].Error, "(after ") {
				t.Errorf("%s: ok %v, %d frames, error %q; want failed after 20 to 60 frames", cut, res[0].OK, n, res[0].Error)
			}
			if r.code != exitError {
				t.Errorf("%s: exit %d, want %d", cut, r.code, exitError)
			}
		}
	})
}

// TestProbe: probe reports what decode sees in whole files, as text and as
// JSON, from files, directories and flags placed after the files.
func TestProbe(t *testing.T) {
	dir := t.TempDir()
	fx := makeProbeFixtures(t, dir)

	r := mustRun(t, "probe", fx.faststart)
	for _, want := range []string{fx.faststart + "\n", "mov,mp4", "1 stream, video is stream 0", "h264, yuv420p, 160x90, 30 fps", "90 frames (decoded), 3s"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("stderr %q, want nothing (stderr is no terminal, and probing is quick)", r.stderr)
	}

	r = mustRun(t, "probe", dir, "--json") // the directory holds the three fixtures
	var res []probeResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("JSON %q: %v", r.stdout, err)
	}
	want := map[string]string{fx.faststart: "h264", fx.moovAtEnd: "h264", fx.webm: "vp9"}
	if len(res) != len(want) {
		t.Fatalf("%d results, want %d: %+v", len(res), len(want), res)
	}
	for _, p := range res {
		if p.ProbeInfo == nil || !p.OK || p.Error != "" {
			t.Fatalf("%s: %+v, want success", p.Path, p)
		}
		if p.Codec != want[p.Path] || p.Width != 160 || p.Height != 90 || p.FPS != 30 || p.Frames != 90 ||
			p.FramesFrom != framesDecoded || math.Abs(p.Duration-3) > 0.05 || p.Streams != 1 || p.PixFmt != "yuv420p" {
			t.Errorf("%s: %+v; want %s 160x90, 30 fps, 90 decoded frames, 3 s, 1 stream", p.Path, *p.ProbeInfo, want[p.Path])
		}
	}

	// --headers takes the container's count and cannot see the cut in a
	// file whose headers are whole: documented, and checked here so that
	// a change in decode that lets it see the cut is noticed.
	cut := decodetest.FirstHalf(t, dir, fx.faststart)
	r = mustRun(t, "probe", "--headers", "--json", fx.moovAtEnd, cut)
	res = nil
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res) != 2 {
		t.Fatalf("JSON %q: %v", r.stdout, err)
	}
	for _, p := range res {
		if !p.OK || p.FramesFrom != framesContainer || p.Frames != 90 {
			t.Errorf("--headers %s: %+v; want ok with the headers' 90 frames", p.Path, p)
		}
	}
}

// TestProbeSomeFail: with several files, every file is reported: the good
// ones on stdout, each bad one as a line on stderr, then a count; exit 1.
func TestProbeSomeFail(t *testing.T) {
	dir := t.TempDir()
	good := h264(t, dir, "good.mp4")
	missing := filepath.Join(dir, "missing.mp4")
	empty := decodetest.Empty(t, dir)
	r := framepred(t, "", nil, "probe", missing, good, empty)
	if r.code != exitError {
		t.Errorf("exit %d, want %d", r.code, exitError)
	}
	if !strings.HasPrefix(r.stdout, good+"\n") || strings.Contains(r.stdout, missing) || strings.Contains(r.stdout, empty) {
		t.Errorf("stdout %q: want the good file only", r.stdout)
	}
	ls := lines(r.stderr)
	if len(ls) != 3 || !strings.Contains(ls[0], missing) || !strings.Contains(ls[1], empty) || ls[2] != "framepred: probe: 2 of 3 files failed" {
		t.Errorf("stderr %q: want a line for each bad file, then the count", r.stderr)
	}

	// In JSON, failed files are in the array with their error.
	r = framepred(t, "", nil, "probe", "--json", missing, good)
	var res []probeResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || len(res) != 2 {
		t.Fatalf("JSON %q: %v", r.stdout, err)
	}
	if res[0].Path != missing || res[0].OK || !strings.Contains(res[0].Error, "no such file") || res[0].ProbeInfo != nil {
		t.Errorf("missing file: %+v", res[0])
	}
	if res[1].Path != good || !res[1].OK || res[1].Frames != 90 {
		t.Errorf("good file: %+v", res[1])
	}
	if r.code != exitError {
		t.Errorf("JSON: exit %d, want %d", r.code, exitError)
	}
}
