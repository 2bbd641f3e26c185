// Package frame defines the frame tensor that flows between framepred's
// packages: decode produces frames, the model consumes and predicts them,
// encode writes them back out.
//
// A Frame holds one picture as float32 values in [0,1], channel-major (CHW):
// all of channel 0 row by row, then channel 1, and so on. C is 1 for gray and
// 3 for RGB. A Clip is a window of consecutive frames split into the context a
// model sees and the future it must predict; for synthetic data whose
// possible futures are known, a Clip also carries every branch.
package frame
