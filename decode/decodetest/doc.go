// Package decodetest makes the test videos and the bad inputs that the
// tests of framepred/decode and of the framepred command both read: the
// ffmpeg arguments of the shared clips, and files decode must refuse
// (a missing path, a named pipe, an empty file, random bytes, text named
// .mp4, the first half of a video).
//
// Making videos needs the ffmpeg command line; [NeedFFmpeg] fails a test
// that lacks it rather than skipping, which would hide the gap.
package decodetest
