package encode

import (
	"fmt"
	"path/filepath"
	"testing"
)

var benchSizes = []struct {
	name string
	h, w int
}{{"64x64", 64, 64}, {"256x256", 256, 256}, {"1280x720", 720, 1280}}

// BenchmarkWriter encodes a clip of 25 RGB frames per op with the default
// options (preset medium, CRF 18) into a fresh file: Create, Write, Close
// (flush, trailer, +faststart rewrite, sync, rename).
func BenchmarkWriter(b *testing.B) {
	const clip = 25
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			frames := movingScene(newRNG(), 5, 3, sz.h, sz.w)
			dir := b.TempDir()
			b.SetBytes(int64(clip * 3 * sz.h * sz.w)) // 8-bit RGB equivalent
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				path := filepath.Join(dir, fmt.Sprintf("b%d.mp4", n))
				w, err := Create(path, Options{})
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < clip; i++ {
					if err := w.Write(frames[i%len(frames)]); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				n++
			}
			b.ReportMetric(float64(n*clip)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

// BenchmarkToYUV420 is the Go colour conversion alone.
func BenchmarkToYUV420(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			f := movingScene(newRNG(), 1, 3, sz.h, sz.w)[0]
			p := newPlanes(evenSize(sz.w, sz.h))
			b.SetBytes(int64(3 * sz.h * sz.w))
			b.ReportAllocs()
			for b.Loop() {
				toYUV420(f, p)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

// BenchmarkReelRender draws frames of a 2x4 reel of 256 px panels (no
// encoding), to set against BenchmarkWriter's encoding cost.
func BenchmarkReelRender(b *testing.B) {
	rd, err := newRenderer(testReel(5))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(3 * rd.l.w * rd.l.h))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		frameFromRGBA(rd.render(i % rd.n))
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}
