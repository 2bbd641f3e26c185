// Package decode turns video files into frame tensors for framepred.
//
// A Reader decodes the best video stream of one file with FFmpeg (through
// go-astiav), scales every picture to the requested size and returns it as a
// frame.Frame: float32 values in [0,1], channel-major, 1 channel for gray or 3
// for RGB. Clips cuts the frames of one or many files into windows of context
// and future frames for training, optionally shuffled, while holding only a
// bounded number of frames in memory.
//
// # Sizes and aspect
//
// Options.Width and Options.Height give the output size; both 0 keep the
// source size, and one 0 follows the source's display aspect ratio. Stretch
// scales the whole picture to the output size; Crop first cuts the centre of
// the picture to the output's aspect ratio, then scales.
//
// # Values
//
// Gray frames hold the picture's luma (Y'), full range whatever the source:
// white is 1 and black is 0, also for TV-range (16-235) sources such as most
// H.264. RGB frames from Y'CbCr video are converted with the matrix the
// stream declares (BT.709 for most HD video; BT.601 when it declares none)
// and its range, in float32 from the scaled 4:4:4 picture, so they are not
// rounded to 8 bits. RGB sources keep their values.
//
// # Time
//
// Frame times count from the video stream's start. With Options.FPS > 0 the
// Reader returns frames at evenly spaced times Start, Start+1/FPS, ... and
// picks for each time the decoded frame whose timestamp is nearest, so a
// frame is repeated or dropped as needed; this also turns variable frame rate
// files into evenly spaced frames. With FPS 0 every decoded frame is returned.
//
// # Errors
//
// Errors name the file and the problem in plain words and wrap one of the
// sentinel errors (ErrNotRegular, ErrFormat, ErrNoVideo, ErrDamaged,
// ErrTooShort) or an fs error such as fs.ErrNotExist, for errors.Is. A
// damaged or truncated file is decoded as far as FFmpeg can: Next returns the
// good frames first and then an error wrapping ErrDamaged instead of io.EOF,
// so a cut-off file is never mistaken for a whole one.
//
// # Resources
//
// Every Reader owns FFmpeg objects and must be closed. FFmpeg's own console
// logging is off unless Options.Verbose asks for it.
package decode
