package decode

import (
	"errors"
	"fmt"
	"io/fs"
)

// Sentinel errors; every error from this package that is about the input
// wraps one of these or an fs error (fs.ErrNotExist, fs.ErrPermission).
var (
	// ErrNotRegular: the path is a directory, FIFO, device or socket.
	// Opening a FIFO would block forever inside FFmpeg, so decode checks
	// the file type first.
	ErrNotRegular = errors.New("not a regular file")

	// ErrFormat: FFmpeg cannot read the file as a media file (empty,
	// random bytes, text, an unknown format).
	ErrFormat = errors.New("not a video file FFmpeg can read")

	// ErrNoVideo: the file is a media file without a decodable video
	// stream, such as an audio-only file.
	ErrNoVideo = errors.New("no video stream")

	// ErrDamaged: the file is truncated or corrupt. Reader.Next returns
	// it after the frames that could be decoded.
	ErrDamaged = errors.New("damaged or truncated file")

	// ErrTooShort: a file has fewer frames than one clip needs.
	ErrTooShort = errors.New("too few frames")
)

// pathError reports a failed os.Stat or os.Open in plain words: the file
// name once, then the system's reason, still matching fs.ErrNotExist etc.
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Path != "" {
			path = pe.Path // a file inside a directory being listed
		}
		return fmt.Errorf("decode: %s: %w", path, pe.Err)
	}
	return fmt.Errorf("decode: %s: %w", path, err)
}
