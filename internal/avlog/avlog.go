// Package avlog controls FFmpeg's own console logging for framepred's decode
// and encode packages. FFmpeg logs to stderr by default; framepred keeps it
// quiet unless a user asks for verbose output.
//
// go-astiav's SetLogCallback is deliberately not used: in v0.16.0 it formats
// into a 1 KiB C buffer and crashes on longer log lines.
package avlog

import (
	"sync"

	"github.com/asticode/go-astiav"
)

var (
	once    sync.Once
	mu      sync.Mutex
	verbose bool
)

// Init silences FFmpeg unless SetVerbose(true) was called first. decode and
// encode call it before touching FFmpeg; calling it again does nothing.
func Init() {
	once.Do(func() {
		mu.Lock()
		defer mu.Unlock()
		apply()
	})
}

// SetVerbose turns FFmpeg's console logging on (info level) or off.
func SetVerbose(on bool) {
	mu.Lock()
	defer mu.Unlock()
	verbose = on
	apply()
}

func apply() {
	if verbose {
		astiav.SetLogLevel(astiav.LogLevelInfo)
	} else {
		astiav.SetLogLevel(astiav.LogLevelQuiet)
	}
}
