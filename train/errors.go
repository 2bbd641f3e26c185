package train

import (
	"errors"
	"fmt"
	"math"
)

// ErrExists is wrapped by New when the checkpoint folder already holds a
// run: resume it, or choose another folder.
var ErrExists = errors.New("the folder already holds checkpoints")

// NonFiniteError stops a run whose loss or weights became NaN or infinite.
// The bad state is not saved; LastGood is the newest checkpoint on disk,
// written before the failure.
type NonFiniteError struct {
	Step     int64   // the step that went bad
	What     string  // "term adv", "total", "discriminator loss", "predictor weight enc1.conv1.weight", "validation loss"
	Value    float64 // NaN, +Inf or -Inf
	LastGood string  // path of the last good checkpoint; "" if none was written
}

func (e *NonFiniteError) Error() string {
	last := "no checkpoint was written before it"
	if e.LastGood != "" {
		last = "last good checkpoint " + e.LastGood
	}
	return fmt.Sprintf("train: step %d: %s is %s; stopped, %s", e.Step, e.What, formatValue(e.Value), last)
}

func formatValue(x float64) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "+Inf"
	case math.IsInf(x, -1):
		return "-Inf"
	}
	return fmt.Sprint(x)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
