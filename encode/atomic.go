package encode

import (
	"errors"
	"fmt"

	"framepred/internal/atomicfile"
)

// fileError prefixes an error from writing a file (package atomicfile)
// with the package's name and, when a file is in the way, says how to
// replace it. It returns nil for nil.
func fileError(err error) error {
	var ee *atomicfile.ExistsError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee):
		return fmt.Errorf("encode: %w (set Force to replace it)", err)
	}
	return fmt.Errorf("encode: %w", err)
}
