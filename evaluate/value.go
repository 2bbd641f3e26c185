package evaluate

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// Value is a metric. It is a float64 that JSON can carry whatever it holds:
// NaN (not measured) is written as null, ±Inf as the strings "+Inf" and
// "-Inf", anything else as a number in full precision.
type Value float64

// MarshalJSON implements json.Marshaler.
func (v Value) MarshalJSON() ([]byte, error) {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return []byte("null"), nil
	case math.IsInf(f, 1):
		return []byte(`"+Inf"`), nil
	case math.IsInf(f, -1):
		return []byte(`"-Inf"`), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler: it reads what MarshalJSON
// writes.
func (v *Value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch string(b) {
	case "null":
		*v = Value(math.NaN())
		return nil
	case `"+Inf"`, `"Inf"`:
		*v = Value(math.Inf(1))
		return nil
	case `"-Inf"`:
		*v = Value(math.Inf(-1))
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || len(b) == 0 || b[0] == '"' || math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Errorf("evaluate: metric %.40q is not a number, null, \"+Inf\" or \"-Inf\"", b)
	}
	*v = Value(f)
	return nil
}

// csv returns v for a CSV field: empty for NaN, +Inf or -Inf, else the
// number in full precision.
func (v Value) csv() string {
	f := float64(v)
	if math.IsNaN(f) {
		return ""
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
