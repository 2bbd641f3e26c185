package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"framepred/frame"
)

// benchSizes is the ladder the benchmarks run: a model's 64×64 frames up
// to 1080p luma.
var benchSizes = []struct{ w, h int }{{64, 64}, {256, 256}, {1920, 1080}}

// benchPair returns a gray frame of smooth noise and a noisier copy.
func benchPair(w, h int) (pred, truth frame.Frame) {
	rng := rand.New(rand.NewPCG(1, uint64(w*h)))
	pred, truth = frame.New(1, h, w), frame.New(1, h, w)
	for i := range truth.Pix {
		v := 0.5 + 0.3*float32(rng.NormFloat64())*0.5
		truth.Pix[i] = min(max(v, 0), 1)
		pred.Pix[i] = min(max(v+0.05*float32(rng.NormFloat64()), 0), 1)
	}
	return pred, truth
}

func BenchmarkSSIM(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(b *testing.B) {
			pred, truth := benchPair(sz.w, sz.h)
			b.SetBytes(int64(4 * 2 * sz.w * sz.h)) // two float32 planes
			b.ReportAllocs()
			for b.Loop() {
				SSIM(pred, truth)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

func BenchmarkSSIMFFmpeg(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(b *testing.B) {
			pred, truth := benchPair(sz.w, sz.h)
			deg, ref := Planes8(pred), Planes8(truth)
			b.SetBytes(int64(2 * sz.w * sz.h)) // two 8-bit planes
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SSIMFFmpeg(deg, ref); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
		})
	}
}

func BenchmarkPSNRFFmpeg(b *testing.B) {
	pred, truth := benchPair(1920, 1080)
	deg, ref := Planes8(pred), Planes8(truth)
	b.SetBytes(int64(2 * 1920 * 1080))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PSNRFFmpeg(deg, ref); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
}
