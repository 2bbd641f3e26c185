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
