// Package synth generates framepred's built-in data set: short clips of a
// moving shape whose future can go more than one way, so that a predictor
// trained with a regression loss visibly averages the possible futures.
//
// # The default data set
//
// [DefaultConfig] is the two-futures experiment: 32×32 gray frames, black
// background, one white square of side 4–6 px moving with an integer velocity
// v of speed 1 ≤ |v| ≤ 3 px/frame (28 velocities) for 4 context frames. At the
// first future frame the square keeps moving (one more step of v) and also
// jumps 5 px sideways, along n = (-vy, vx)/|v| or along -n with probability
// 1/2 each; the jump is rounded to whole pixels (half to even). With x to the
// right and y down, n points to the right of the heading on screen. The whole
// track, every branch included, stays inside the frame, and the branches'
// squares are at least 2 px apart (Chebyshev distance of their corners ≥
// side+2). Every clip carries all its branches (frame.Clip.Branches) and the
// drawn one (frame.Clip.Future), so the MSE-optimal prediction, the pixel
// mean of the branches ([Mean]), is known exactly.
//
// # Sampling
//
// Side, velocity and start position are drawn uniformly and a track that
// leaves the frame is rejected, as the reference experiment does; synth
// computes the accepted distribution in closed form when the [Generator] is
// made, so drawing a sample takes a fixed number of random numbers and never
// loops. The drawn branch is uniform over the branches.
//
// # Determinism
//
// Everything derives from Config.Seed. Sample i is a pure function of the
// configuration, the split and i: its random numbers come from a generator
// keyed by (seed, split, i), so a training run can record the next index and
// resume exactly, and samples can be made in any order or in parallel. The
// held-out split ([Generator.HeldOut]) uses a different key stream, so no
// held-out index reproduces a training index's random draws. The scene space
// is small, though: the default data set has 29,528 distinct tracks, so a
// training run of a few thousand steps sees most contexts, and a held-out
// clip usually equals some training clip, as in the reference experiment.
// The held-out split measures averaging, not generalisation to new scenes.
//
// # Options
//
// Config changes the frame size, gray or RGB (a seeded shape colour on a dark
// seeded background), the number of context and future frames (after the
// jump every branch keeps moving with the same velocity), the number of
// branches (N jump directions evenly spread around the circle, starting at
// n), the shape (square or disc), the jump length, and the side and speed
// ranges.
package synth
