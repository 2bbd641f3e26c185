package decode

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"testing"
)

// Benchmarks decode whole files and report frames/s. BenchmarkFFmpegCLI
// times the ffmpeg command line scaling the same files to 64x64 rgb24, the
// reference for BenchmarkDecode/*/64x64-rgb (bench/decode/run.sh does the
// same comparison in interleaved runs on longer clips).

type benchSource struct {
	name string
	path func(testing.TB) string
}

var benchSources = []benchSource{
	{"360p", func(tb testing.TB) string {
		return fixture(tb, "bench360.mp4", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=30:d=5",
			"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")
	}},
	{"1080p", func(tb testing.TB) string {
		return fixture(tb, "bench1080.mp4", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30:d=2",
			"-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p")
	}},
}

func BenchmarkDecode(b *testing.B) {
	outputs := []struct {
		name string
		o    Options
	}{
		{"64x64-rgb", Options{Width: 64, Height: 64}},
		{"64x64-gray", Options{Width: 64, Height: 64, Gray: true}},
		{"64x64-rgb-crop", Options{Width: 64, Height: 64, Aspect: Crop}},
		{"256x256-rgb", Options{Width: 256, Height: 256}},
		{"source-rgb", Options{}},
	}
	for _, src := range benchSources {
		path := src.path(b)
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, out := range outputs {
			b.Run(src.name+"/"+out.name, func(b *testing.B) {
				b.SetBytes(st.Size())
				b.ReportAllocs()
				frames := 0
				for b.Loop() {
					frames += decodeCount(b, path, out.o)
				}
				b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
			})
		}
	}
}

func decodeCount(b *testing.B, path string, o Options) int {
	r, err := Open(path, o)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

func BenchmarkFFmpegCLI(b *testing.B) {
	for _, src := range benchSources {
		path := src.path(b)
		info, err := Probe(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(src.name+"/64x64-rgb", func(b *testing.B) {
			frames := 0
			for b.Loop() {
				cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path,
					"-vf", "scale=64:64", "-pix_fmt", "rgb24", "-f", "rawvideo", "-")
				if out, err := cmd.Output(); err != nil || len(out) != info.Frames*64*64*3 {
					b.Fatalf("ffmpeg: %v, %d bytes for %d frames", err, len(out), info.Frames)
				}
				frames += info.Frames
			}
			b.ReportMetric(float64(frames)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

func BenchmarkClips(b *testing.B) {
	path := benchSources[0].path(b)
	co := ClipOptions{Context: 4, Future: 4, Stride: 2, Shuffle: true, Seed: 1, Buffer: 64}
	b.ReportAllocs()
	clips := 0
	for b.Loop() {
		c, err := NewClips([]string{path}, Options{Width: 64, Height: 64}, co)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := c.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			clips++
		}
		c.Close()
	}
	b.ReportMetric(float64(clips)/b.Elapsed().Seconds(), "clips/s")
}
