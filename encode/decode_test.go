package encode

import (
	"testing"

	"framepred/frame"
)

// decodeFrames decodes a video written by the tests at its own size.
func decodeFrames(t testing.TB, path string, c, h, w int) []frame.Frame {
	t.Helper()
	return decodeCLI(t, path, c, h, w)
}
