//go:build !amd64 || purego

package encode

// rgbBlocksFast has no fast path on this build: rgbBlocks does every block.
func rgbBlocksFast(rows *blockRows, full int) int { return 0 }
