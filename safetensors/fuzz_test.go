package safetensors_test

import (
	"bytes"
	"slices"
	"testing"

	"framepred/safetensors"
)

// FuzzParse feeds arbitrary bytes to Read. It must never panic, and every
// file it accepts must survive a write and a second read unchanged. Read
// allocates at most the input's size (every length is checked against it
// first), so no input can make it allocate much.
func FuzzParse(f *testing.F) {
	for _, ts := range []map[string]safetensors.Tensor{
		nil,
		mixedTensors(),
		{"w": safetensors.FromFloat32([]int{2, 2}, []float32{1, 2, 3, 4})},
	} {
		f.Add(encode(f, ts, map[string]string{"format": "pt"}))
		f.Add(encode(f, ts, nil))
	}
	for _, tc := range brokenFiles() {
		f.Add(tc.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := safetensors.Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		ts := map[string]safetensors.Tensor{}
		for _, name := range got.Names() {
			tn, err := got.Tensor(name)
			if err != nil {
				t.Fatal(err)
			}
			ts[name] = tn
		}
		var b bytes.Buffer
		if err := safetensors.Write(&b, ts, got.Metadata); err != nil {
			t.Fatalf("an accepted file does not write back: %v", err)
		}
		again, err := safetensors.Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatalf("a rewritten file does not read back: %v", err)
		}
		if !slices.Equal(again.Names(), got.Names()) || len(again.Metadata) != len(got.Metadata) {
			t.Fatalf("names %v / %v, metadata %v / %v", again.Names(), got.Names(), again.Metadata, got.Metadata)
		}
		for k, v := range got.Metadata {
			if again.Metadata[k] != v {
				t.Fatalf("metadata %q: %q became %q", k, v, again.Metadata[k])
			}
		}
		for name, want := range ts {
			tn, _ := again.Tensor(name)
			if tn.DType != want.DType || !slices.Equal(tn.Shape, want.Shape) || !bytes.Equal(tn.Data, want.Data) {
				t.Fatalf("tensor %q changed: %+v became %+v", name, want, tn)
			}
		}
	})
}
