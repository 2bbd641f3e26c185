package evaluate_test

import (
	"context"
	"fmt"

	"framepred/evaluate"
	"framepred/frame"
	"framepred/synth"
)

// still forecasts that nothing moves: every step repeats the last context
// frame. A *model.Predictor is used the same way.
type still struct{}

func (still) RolloutBatch(contexts [][]frame.Frame, T int) ([][]frame.Frame, error) {
	out := make([][]frame.Frame, len(contexts))
	for i, c := range contexts {
		for range T {
			out[i] = append(out[i], c[len(c)-1].Clone())
		}
	}
	return out, nil
}

// ExampleRun evaluates a forecaster on the held-out two-futures clips and
// reads the branch point's figures. A square left where it was keeps its
// full brightness, but it is nearer the mean of the two futures than either
// future, so it does not count as committed.
func ExampleRun() {
	data, err := evaluate.Synth(synth.DefaultConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	models := []evaluate.Model{{Name: "still", Predictor: still{}, Info: evaluate.ModelInfo{Loss: "none"}}}
	r, err := evaluate.Run(context.Background(), models, data, evaluate.Options{Samples: 128})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := r.Models[0].Steps[0]
	fmt.Printf("%d clips, averaging index %.3f, committed %.0f%%, peak %.1f\n",
		s.N, s.AveragingIndex, 100*s.CommittedShare, s.Peak)
	fmt.Printf("MSE %.4f, PSNR %.2f dB mean per sample, %.2f dB of the mean MSE\n", s.MSE, s.PSNRMean, s.PSNROfMeanMSE)
	// Output:
	// 128 clips, averaging index 0.574, committed 0%, peak 1.0
	// MSE 0.0489, PSNR 13.27 dB mean per sample, 13.11 dB of the mean MSE
}
