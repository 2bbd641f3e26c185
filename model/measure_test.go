package model

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"framepred/frame"
	"framepred/metrics"
	"framepred/ops"
	"framepred/synth"
)

// TestMeasureResidual measures whether the predictor learns faster
// predicting the next frame directly or as a residual over the last context
// frame: the default config either way, the default two-futures data, the
// same batches (32 clips, 300 steps), MSE, Adam lr 1e-3, three weight
// seeds, held-out MSE every 25 steps on 256 held-out clips, against the
// drawn future and against the branch mean (the MSE optimum). It takes
// minutes, so it runs only with FRAMEPRED_MEASURE=residual; its numbers are
// in doc.go.
func TestMeasureResidual(t *testing.T) {
	if os.Getenv("FRAMEPRED_MEASURE") != "residual" {
		t.Skip("a measurement, not a check: set FRAMEPRED_MEASURE=residual to run it (minutes)")
	}
	const steps, batch, every, heldOut = 300, 32, 25, 256
	gen, err := synth.New(synth.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	eval := gen.HeldOut().Batch(0, heldOut)
	type curve struct {
		mode        string
		seed        int64
		drawn, mean []float64
	}
	var curves []curve
	for _, seed := range []int64{1, 2, 3} {
		for _, residual := range []bool{false, true} {
			cfg := DefaultConfig()
			cfg.Residual = residual
			p := mustPredictor(t, cfg, seed)
			x, y, err := Batch(gen.Batch(0, batch))
			if err != nil {
				t.Fatal(err)
			}
			f := newFit(t, p, x, y, ops.MeanSquaredDiff, 1e-3)
			c := curve{mode: map[bool]string{false: "direct", true: "residual"}[residual], seed: seed}
			for step := 0; ; step++ {
				if step%every == 0 {
					d, m := heldOutMSE(t, p, eval)
					c.drawn, c.mean = append(c.drawn, d), append(c.mean, m)
				}
				if step == steps {
					break
				}
				x, y, err := Batch(gen.Batch(int64(step*batch), batch))
				if err != nil {
					t.Fatal(err)
				}
				copy(f.x.Float32s(), x.Float32s())
				copy(f.y.Float32s(), y.Float32s())
				f.step(t)
			}
			p.Close()
			curves = append(curves, c)
			t.Logf("%s seed %d: drawn %s", c.mode, seed, fmtRow(c.drawn))
			t.Logf("%s seed %d: mean  %s", c.mode, seed, fmtRow(c.mean))
		}
	}
	for _, mode := range []string{"direct", "residual"} {
		var drawn, mean []float64
		n := 0.0
		for _, c := range curves {
			if c.mode != mode {
				continue
			}
			n++
			for i := range c.drawn {
				if len(drawn) <= i {
					drawn, mean = append(drawn, 0), append(mean, 0)
				}
				drawn[i] += c.drawn[i]
				mean[i] += c.mean[i]
			}
		}
		for i := range drawn {
			drawn[i] /= n
			mean[i] /= n
		}
		t.Logf("%-8s seed mean, steps 0,%d,…,%d: drawn %s", mode, every, steps, fmtRow(drawn))
		t.Logf("%-8s seed mean, steps 0,%d,…,%d: mean  %s", mode, every, steps, fmtRow(mean))
	}
}

// heldOutMSE returns the mean MSE of the clamped predictions against the
// drawn future and against the mean of the branches.
func heldOutMSE(t *testing.T, p *Predictor, clips []frame.Clip) (drawn, mean float64) {
	t.Helper()
	for lo := 0; lo < len(clips); lo += 32 {
		part := clips[lo:min(lo+32, len(clips))]
		pred, err := p.Predict(contexts(part))
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range part {
			drawn += metrics.MSE(pred[i], c.Future[0])
			mean += metrics.MSE(pred[i], synth.Mean(c)[0])
		}
	}
	n := float64(len(clips))
	return drawn / n, mean / n
}

func fmtRow(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.4f", x)
	}
	return strings.Join(s, " ")
}
