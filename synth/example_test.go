package synth_test

import (
	"fmt"

	"framepred/synth"
)

func Example() {
	cfg := synth.DefaultConfig()
	cfg.Seed = 42
	g, err := synth.New(cfg)
	if err != nil {
		panic(err)
	}
	clip := g.Sample(0) // sample 0 of the training split; g.HeldOut() for evaluation
	fmt.Println("context:", len(clip.Context), "frames of", clip.Context[0].Shape())
	fmt.Println("branches:", len(clip.Branches), "of", len(clip.Future), "frame")
	fmt.Println("video frames:", len(synth.Frames(clip)))
	m := synth.Mean(clip)[0] // what an MSE-trained predictor converges to
	peak := float32(0)
	for _, v := range m.Pix {
		peak = max(peak, v)
	}
	fmt.Println("peak of the branch mean:", peak)
	// Output:
	// context: 4 frames of 1x32x32
	// branches: 2 of 1 frame
	// video frames: 5
	// peak of the branch mean: 0.5
}
