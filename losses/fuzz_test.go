package losses

import (
	"reflect"
	"testing"
)

// FuzzParseWeights feeds arbitrary text to ParseWeights, the parser of the
// loss flag. It must never panic, and what it accepts must round-trip
// through String and have a non-empty Label.
func FuzzParseWeights(f *testing.F) {
	for _, s := range []string{Reference, "mse=1,gdl=1,perceptual=0.01,adv=0.05", " L1 = .5 ", "mse=1,", "mse=1,mse=2", "adv=-1", "mse=0x1p-2", "gdl=1e400", "=", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWeights(s)
		if err != nil {
			return
		}
		again, err := ParseWeights(w.String())
		if err != nil || !reflect.DeepEqual(again, w) {
			t.Fatalf("%q parsed to %v, which writes as %q and reads back as %v, %v", s, w, w.String(), again, err)
		}
		if w.Label() == "" {
			t.Fatalf("%q: empty label", s)
		}
	})
}
