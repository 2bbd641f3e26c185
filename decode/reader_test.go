package decode

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/asticode/go-astiav"

	"framepred/internal/avlog"
)

// avFile has an audio stream first and the video second, so the video
// stream must be found rather than assumed to be stream 0.
func avFile(t *testing.T) string {
	return fixture(t, "audio-first.mp4", "-f", "lavfi", "-i", countSrc(64, 48, 2), "-f", "lavfi", "-i", "sine=d=2",
		"-map", "1:a", "-map", "0:v", "-c:a", "aac", "-c:v", "libx264", "-crf", "5")
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		path string
		want Info
	}{
		// ffprobe: h264 yuv420p 64x48, 30 fps, 60 frames, 2 s.
		{"count", countMP4(t), Info{Format: "mov,mp4,m4a,3gp,3g2,mj2", Codec: "h264", PixFmt: "yuv420p",
			Width: 64, Height: 48, FPS: 30, Duration: 2 * time.Second, Frames: 60, Streams: 1, Stream: 0}},
		{"audio first", avFile(t), Info{Format: "mov,mp4,m4a,3gp,3g2,mj2", Codec: "h264", PixFmt: "yuv420p",
			Width: 64, Height: 48, FPS: 30, Duration: 2 * time.Second, Frames: 60, Streams: 2, Stream: 1}},
		// WebM stores no frame count: estimated from 3 s at 30 fps.
		{"webm", webm(t), Info{Format: "matroska,webm", Codec: "vp9", PixFmt: "yuv420p",
			Width: 160, Height: 90, FPS: 30, Duration: 3 * time.Second, Frames: 90, Streams: 1, Stream: 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Probe(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Path = tc.path
			if got != tc.want {
				t.Errorf("Probe\n got %+v\nwant %+v", got, tc.want)
			}
			r, err := Open(tc.path, Options{Gray: true})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Info() != got {
				t.Errorf("Reader.Info %+v differs from Probe %+v", r.Info(), got)
			}
		})
	}
}

// TestOtherStreamsSkipped decodes the video of files whose first stream is
// audio (the demuxer is told to discard it) or a still picture, and checks
// the C-side view of the format context that bestVideoStream relies on.
func TestOtherStreamsSkipped(t *testing.T) {
	path := avFile(t)
	if got := numbers(t, path, Options{}); len(got) != 60 || got[0] != 0 || got[59] != 59 {
		t.Fatalf("frame numbers %v, want 0..59", got)
	}
	r, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if c, g := cNbStreams(r.fc), r.fc.NbStreams(); c != g || c != 2 {
		t.Fatalf("stream count through the C pointer %d, through go-astiav %d, want 2", c, g)
	}

	// A still picture (cover art) as the first stream is not the video.
	cover := fixture(t, "cover.png", "-f", "lavfi", "-i", "color=c=red:s=96x96", "-frames:v", "1")
	withCover := fixture(t, "cover-first.mkv", "-i", cover, "-i", countMP4(t), "-map", "0", "-map", "1:v", "-c:v:0", "png", "-c:v:1", "copy")
	info, err := Probe(withCover)
	if err != nil {
		t.Fatal(err)
	}
	if info.Stream != 1 || info.Codec != "h264" || info.Streams != 2 {
		t.Fatalf("file with a cover picture first: Probe picked %+v, want stream 1 (h264)", info)
	}
	if got := numbers(t, withCover, Options{}); len(got) != 60 || got[0] != 0 || got[59] != 59 {
		t.Fatalf("file with a cover picture first: frame numbers %v, want 0..59", got)
	}
}

// TestThreads: Threads 0 lets FFmpeg pick one thread per core (frame
// threading for H.264), Threads 1 decodes on one thread. FFmpeg writes
// the count it chose back into the codec context.
func TestThreads(t *testing.T) {
	for _, tc := range []struct {
		threads int
		min     int
	}{{0, min(2, runtime.NumCPU())}, {1, 1}, {3, 3}} {
		r, err := Open(countMP4(t), Options{Threads: tc.threads})
		if err != nil {
			t.Fatal(err)
		}
		got := r.cc.ThreadCount()
		r.Close()
		if got < tc.min || (tc.threads > 0 && got != tc.threads) {
			t.Errorf("Threads %d: decoder uses %d threads", tc.threads, got)
		}
	}
}

// TestVerbose: FFmpeg's console logging is off by default and Verbose
// turns it on.
func TestVerbose(t *testing.T) {
	defer avlog.SetVerbose(false)
	if _, err := Probe(countMP4(t)); err != nil {
		t.Fatal(err)
	}
	if l := astiav.GetLogLevel(); l != astiav.LogLevelQuiet {
		t.Fatalf("log level %v after Probe, want quiet", l)
	}
	r, err := Open(countMP4(t), Options{Verbose: true})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if l := astiav.GetLogLevel(); l == astiav.LogLevelQuiet {
		t.Fatal("log level still quiet with Verbose")
	}
}

func TestReaderAfterEnd(t *testing.T) {
	r, err := Open(countMP4(t), Options{MaxFrames: 2})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := r.Next(); !errors.Is(err, io.EOF) {
			t.Fatalf("after the last frame: %v, want io.EOF", err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// A reader closed before its end answers with an error, not a crash.
	r, err = Open(countMP4(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("Next after Close: %v, want an error saying the reader is closed", err)
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Width: -1}, {Aspect: 7}, {FPS: -1}, {Start: -time.Second}, {MaxFrames: -1}, {Threads: -2},
	} {
		if r, err := Open(countMP4(t), o); err == nil {
			r.Close()
			t.Errorf("Open accepted %+v", o)
		}
	}
}
