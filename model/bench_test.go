package model

import (
	"testing"

	"framepred/ops"
	"framepred/synth"
)

// BenchmarkPredictorStep times one training step of the default predictor
// (forward, MSE, backward, Adam) on a batch of 32 two-futures clips, 32×32.
func BenchmarkPredictorStep(b *testing.B) {
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	x, y, err := Batch(gen.Batch(0, 32))
	if err != nil {
		b.Fatal(err)
	}
	p := mustPredictor(b, DefaultConfig(), 1)
	f := newFit(b, p, x, y, ops.MeanSquaredDiff, 1e-3)
	f.step(b) // buffers and pools
	b.SetBytes(int64(4 * (x.DataSize() + y.DataSize())))
	b.ReportAllocs()
	for b.Loop() {
		f.step(b)
	}
	b.ReportMetric(float64(b.N*32)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkPredict times Predict on a batch of 32 default clips: frames in,
// clamped frames out.
func BenchmarkPredict(b *testing.B) {
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	ctx := contexts(gen.Batch(0, 32))
	p := mustPredictor(b, DefaultConfig(), 1)
	if _, err := p.Predict(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Predict(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*32)/b.Elapsed().Seconds(), "images/s")
}
