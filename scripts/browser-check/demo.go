package main

import (
	"fmt"

	"framepred/encode"
	"framepred/frame"
)

// demoReel is a made-up two-futures sample: a square moves right, then
// turns up or down. The truth turns up; an MSE-trained model would show
// the mean of both turns (two faint ghosts); a sharper model commits to
// one. Two rows: RGB, then gray with captions.
func demoReel() encode.Reel {
	const ctx, side = 6, 32
	row := func(c int, captions bool) []encode.Panel {
		var context, truth, mean, sharp []frame.Frame
		var ctxKinds, truthKinds, predKinds []encode.Kind
		var caps []string
		for t := range reelFrames {
			x, dy := 2+2*min(t, ctx-1), 0
			if t >= ctx {
				dy = 2 * (t - ctx + 1)
			}
			up := square(c, side, x, 12-dy, 1)
			down := square(c, side, x, 12+dy, 1)
			kind, pred := encode.Context, encode.Context
			if t >= ctx {
				kind, pred = encode.Real, encode.Predicted
			}
			if t < ctx {
				context = append(context, up)
				ctxKinds = append(ctxKinds, encode.Context)
			}
			truth = append(truth, up)
			truthKinds = append(truthKinds, kind)
			m := square(c, side, x, 12-dy, 0.5)
			addSquare(m, x, 12+dy, 0.5)
			mean = append(mean, m)
			sharp = append(sharp, down)
			predKinds = append(predKinds, pred)
			caps = append(caps, fmt.Sprintf("frame %d of %d", t, reelFrames))
		}
		if !captions {
			caps = nil
		}
		return []encode.Panel{
			{Label: "context", Frames: context, Kinds: ctxKinds},
			{Label: "ground truth", Frames: truth, Kinds: truthKinds, Captions: caps},
			{Label: "MSE", Frames: mean, Kinds: predKinds, Captions: caps},
			{Label: "MSE + perceptual + adversarial", Frames: sharp, Kinds: predKinds, Captions: caps},
		}
	}
	return encode.Reel{
		Title: "framepred browser check: two futures",
		Rows:  [][]encode.Panel{row(3, false), row(1, true)},
	}
}

// square draws a 6x6 square of brightness v at (x, y) on a dark blue
// background (gray frames: dark gray).
func square(c, side, x, y int, v float32) frame.Frame {
	f := frame.New(c, side, side)
	for i := range f.Plane(c - 1) {
		f.Plane(c - 1)[i] = 0.25
	}
	addSquare(f, x, y, v)
	return f
}

// addSquare adds a yellow (gray: white) square of brightness v.
func addSquare(f frame.Frame, x, y int, v float32) {
	for yy := max(y, 0); yy < min(y+6, f.H); yy++ {
		for xx := max(x, 0); xx < min(x+6, f.W); xx++ {
			for ch := 0; ch < f.C; ch++ {
				amount := v
				if f.C == 3 && ch == 2 {
					amount = 0 // yellow: red and green only
				}
				f.Set(ch, yy, xx, min(1, f.At(ch, yy, xx)+amount))
			}
		}
	}
}
