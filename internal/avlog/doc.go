// Package avlog controls FFmpeg's own console logging for framepred's decode
// and encode packages. FFmpeg logs to stderr by default; framepred keeps it
// quiet unless a user asks for verbose output.
//
// go-astiav's SetLogCallback is deliberately not used: in v0.16.0 it formats
// into a 1 KiB C buffer and crashes on longer log lines.
package avlog
