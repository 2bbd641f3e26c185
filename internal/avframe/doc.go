// Package avframe writes into FFmpeg frames where go-astiav v0.16.0 cannot:
// it gives the planes of a yuv420p AVFrame as Go slices that alias its
// buffers, and makes those buffers writable (av_frame_make_writable) before
// they are reused. It holds framepred's only unsafe access to AVFrame
// memory, kept apart so that packages with Go assembly (encode) can use it:
// a Go package cannot have both cgo and assembly files.
package avframe
