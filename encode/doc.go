// Package encode writes framepred's frames out for people to watch: H.264
// MP4 videos, comparison reels and PNG stills.
//
// # Videos
//
// A Writer takes frame.Frame values (gray or RGB, float32 CHW in [0,1]) and
// writes an H.264 (libx264, yuv420p, constant frame rate) MP4 whose index is
// at the front of the file (movflags +faststart), so a browser can start
// playing while it loads. Pixels are converted to limited-range BT.601
// Y'CbCr in Go (with an AVX2 kernel where the CPU has it, byte for byte
// the same as the portable loop) into one yuv420p buffer that is reused
// from frame to frame, and the stream is tagged so (matrix smpte170m,
// range tv, sRGB primaries and transfer), so players and FFmpeg decode the
// colours back as they went in. Frames with an odd width or height are padded to
// even by repeating the last column or row: libx264 cannot take odd sizes.
//
// # Durable output
//
// Every file this package writes (videos, PNGs) goes to a hidden temporary
// file in the target folder, is synced and closed, then takes its final name.
// A failed or aborted write removes the temporary file; a killed process may
// leave one behind (named ".<name>.*.tmp"), never a half file under the final
// name. An existing file is replaced only when Options.Force (or
// SheetOptions.Force) is set.
//
// # Reels
//
// A Reel is a grid of labelled panels that play in step, one row per sample:
// for example context, ground truth and the predictions of several models.
// Each panel is scaled up by nearest neighbour to PanelSize pixels, framed in
// a colour that tells context frames (blue), real future frames (green) and
// predicted frames (orange) apart, and shows the frame index and an optional
// per-frame caption such as a metric. WriteReel encodes it with a Writer;
// RenderFrame and WriteReelStill give single frames for stills. Labels are
// drawn with the Go fonts embedded in the binary, so no system font is
// needed.
package encode
