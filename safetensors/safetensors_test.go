package safetensors_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"framepred/safetensors"
)

// file assembles a safetensors file from a header and a buffer.
func file(hdr string, buf []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(hdr)))
	b = append(b, hdr...)
	return append(b, buf...)
}

func f32le(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func encode(t testing.TB, ts map[string]safetensors.Tensor, meta map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := safetensors.Write(&b, ts, meta); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func decode(t testing.TB, b []byte, names ...string) *safetensors.File {
	t.Helper()
	f, err := safetensors.Read(bytes.NewReader(b), int64(len(b)), names...)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestWriteMatchesReference: the reference implementation's serialization
// tests expect exactly these bytes (tensor "attn.0", F32 [1,2,3] holding
// 0..5, whose header needs no padding; "attn0" of shape [1,1,2,3], padded
// with 7 spaces; and no tensors, with and without metadata).
func TestWriteMatchesReference(t *testing.T) {
	data := f32le(0, 1, 2, 3, 4, 5)
	tests := []struct {
		name string
		ts   map[string]safetensors.Tensor
		meta map[string]string
		want []byte
	}{
		{"attn.0",
			map[string]safetensors.Tensor{"attn.0": safetensors.FromFloat32([]int{1, 2, 3}, []float32{0, 1, 2, 3, 4, 5})}, nil,
			file(`{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`, data)},
		{"attn0 padded",
			map[string]safetensors.Tensor{"attn0": {DType: "F32", Shape: []int{1, 1, 2, 3}, Data: data}}, nil,
			file(`{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `, data)},
		{"empty", nil, nil, file(`{}      `, nil)},
		{"empty with metadata", nil, map[string]string{"framework": "pt"},
			file(`{"__metadata__":{"framework":"pt"}}     `, nil)},
	}
	for _, tc := range tests {
		got := encode(t, tc.ts, tc.meta)
		if !bytes.Equal(got, tc.want) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
		decode(t, got) // and it reads back
	}
}

func mixedTensors() map[string]safetensors.Tensor {
	return map[string]safetensors.Tensor{
		"w.f32":    safetensors.FromFloat32([]int{2, 3}, []float32{1, -2, 3.5, 0, 1e-8, -7}),
		"scalar":   safetensors.FromFloat32(nil, []float32{42}),
		"empty":    safetensors.FromFloat32([]int{0, 4}, nil),
		"half":     {DType: safetensors.F16, Shape: []int{3}, Data: []byte{0x00, 0x3c, 0x00, 0xc0, 0x00, 0x00}},
		"ids":      {DType: safetensors.I64, Shape: []int{2}, Data: make([]byte, 16)},
		"flags":    {DType: safetensors.BOOL, Shape: []int{3}, Data: []byte{1, 0, 1}},
		"a<b&c>":   {DType: safetensors.U8, Shape: []int{1}, Data: []byte{7}},
		"unicodé":  {DType: safetensors.BF16, Shape: []int{1}, Data: []byte{0x80, 0x3f}},
		"packed4":  {DType: safetensors.F4, Shape: []int{2, 2}, Data: []byte{0x12, 0x34}},
		"f64.bias": {DType: safetensors.F64, Shape: []int{1}, Data: binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.25))},
	}
}

func TestRoundTrip(t *testing.T) {
	ts := mixedTensors()
	meta := map[string]string{"format": "pt", "step": "1200", "quote": `"x"\n`}
	b := encode(t, ts, meta)
	// Map iteration order must not matter: the same tensors, the same bytes.
	for range 5 {
		if !bytes.Equal(encode(t, ts, meta), b) {
			t.Fatal("Write is not deterministic")
		}
	}
	// Every tensor starts at a multiple of its element size.
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	f := decode(t, b)
	if !maps(f.Metadata, meta) {
		t.Errorf("metadata %v, want %v", f.Metadata, meta)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range ts {
			if !yield(k) {
				return
			}
		}
	})
	if !slices.Equal(f.Names(), names) {
		t.Errorf("names %v, want %v", f.Names(), names)
	}
	for name, want := range ts {
		got, err := f.Tensor(name)
		if err != nil {
			t.Fatal(err)
		}
		if got.DType != want.DType || !slices.Equal(got.Shape, want.Shape) || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
		in, _ := f.Info(name)
		if size := safetensors.DType(in.DType).Bits() / 8; size > 0 && in.Begin%int64(size) != 0 {
			t.Errorf("%s: %s data at buffer offset %d is not aligned", name, in.DType, in.Begin)
		}
	}
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// countingReader records how many bytes are read.
type countingReader struct {
	r io.ReaderAt
	n int64
}

func (c *countingReader) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n += int64(n)
	return n, err
}

func TestReadOnlyNamed(t *testing.T) {
	big := make([]float32, 1<<18) // 1 MiB
	ts := map[string]safetensors.Tensor{
		"features.0.weight": safetensors.FromFloat32([]int{2, 2}, []float32{1, 2, 3, 4}),
		"features.2.weight": safetensors.FromFloat32([]int{len(big)}, big),
		"classifier.weight": safetensors.FromFloat32([]int{len(big)}, big),
	}
	b := encode(t, ts, nil)
	cr := &countingReader{r: bytes.NewReader(b)}
	f, err := safetensors.Read(cr, int64(len(b)), "features.0.weight")
	if err != nil {
		t.Fatal(err)
	}
	hdr := int64(binary.LittleEndian.Uint64(b))
	if want := 8 + hdr + 16; cr.n != want {
		t.Errorf("read %d bytes of a %d-byte file, want %d (length, header, one tensor)", cr.n, len(b), want)
	}
	w, err := f.Tensor("features.0.weight")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := w.Float32s(); !slices.Equal(v, []float32{1, 2, 3, 4}) {
		t.Errorf("values %v", v)
	}
	if _, err := f.Tensor("features.2.weight"); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Errorf("unloaded tensor: err = %v", err)
	}
	if in, ok := f.Info("classifier.weight"); !ok || in.Shape[0] != len(big) || in.DType != safetensors.F32 {
		t.Errorf("Info = %+v, %v", in, ok)
	}
	_, err = safetensors.Read(bytes.NewReader(b), int64(len(b)), "features.0.weight", "features.99.weight")
	if !errors.Is(err, safetensors.ErrNotFound) || !strings.Contains(err.Error(), `"features.99.weight"`) {
		t.Errorf("missing tensor: err = %v", err)
	}
}

func TestFloat32s(t *testing.T) {
	inf := float32(math.Inf(1))
	tests := []struct {
		name string
		t    safetensors.Tensor
		want []float32
	}{
		// IEEE 754 binary16: 0x3c00 = 1, 0xc000 = -2, 0x7bff = 65504 (largest),
		// 0x0001 = 2⁻²⁴ (smallest subnormal), 0x0400 = 2⁻¹⁴ (smallest normal),
		// 0x3555 = 0.333251953125, 0x7c00 = +Inf, 0x8000 = -0.
		{"F16", safetensors.Tensor{DType: "F16", Shape: []int{8}, Data: u16le(0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555, 0x7c00, 0x8000)},
			[]float32{1, -2, 65504, 1.0 / (1 << 24), 1.0 / (1 << 14), 0.333251953125, inf, float32(math.Copysign(0, -1))}},
		// bfloat16 is the top half of a float32: 0x3f80 = 1, 0x4049 = 3.140625, 0xc2f7 = -123.5.
		{"BF16", safetensors.Tensor{DType: "BF16", Shape: []int{3}, Data: u16le(0x3f80, 0x4049, 0xc2f7)},
			[]float32{1, 3.140625, -123.5}},
		{"F64", safetensors.Tensor{DType: "F64", Shape: []int{2}, Data: binary.LittleEndian.AppendUint64(
			binary.LittleEndian.AppendUint64(nil, math.Float64bits(0.1)), math.Float64bits(-1e300))},
			[]float32{float32(0.1), float32(math.Inf(-1))}},
		{"F32", safetensors.FromFloat32([]int{1, 2}, []float32{0.5, -3}), []float32{0.5, -3}},
	}
	for _, tc := range tests {
		got, err := tc.t.Float32s()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.EqualFunc(got, tc.want, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	nan, _ := safetensors.Tensor{DType: "F16", Shape: []int{1}, Data: u16le(0x7e00)}.Float32s()
	if !math.IsNaN(float64(nan[0])) {
		t.Errorf("F16 0x7e00 = %v, want NaN", nan[0])
	}
	if _, err := (safetensors.Tensor{DType: "I32", Shape: []int{1}, Data: make([]byte, 4)}).Float32s(); err == nil {
		t.Error("I32 converted to float32 without error")
	}
	if _, err := (safetensors.Tensor{DType: "F32", Shape: []int{2}, Data: make([]byte, 4)}).Float32s(); err == nil {
		t.Error("F32 tensor with short data converted without error")
	}
}

func u16le(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

// brokenFiles are invalid files and a phrase their error must contain.
func brokenFiles() []struct {
	name string
	data []byte
	want string
} {
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	eight := make([]byte, 8)
	big := binary.LittleEndian.AppendUint64(nil, 200_000_000)
	huge := binary.LittleEndian.AppendUint64(nil, math.MaxUint64)
	return []struct {
		name string
		data []byte
		want string
	}{
		{"empty file", nil, "truncated"},
		{"short length", []byte{1, 2, 3}, "truncated"},
		{"header past end", file(ok, eight)[:40], "runs past the end"},
		{"header over limit", append(big, "{}"...), "over the 100000000-byte limit"},
		{"header length max", append(huge, "{}"...), "over the"},
		{"zero header", file("", nil), "start with '{'"},
		{"not an object", file(`[1,2]`, nil), "start with '{'"},
		{"leading space", file(` {}`, nil), "start with '{'"},
		{"bad utf8", file("{\"\xff\":1}", nil), "UTF-8"},
		{"malformed JSON", file(`{"a":{"dtype":"F32",}}`, nil), "header JSON"},
		{"unclosed", file(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`, nil), "header JSON"},
		{"trailing garbage", file(`{}x`, nil), "after"},
		{"second object", file(`{} {}`, nil), "after the JSON object"},
		{"duplicate tensor", file(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2}), "duplicate tensor"},
		{"duplicate metadata", file(`{"__metadata__":{},"__metadata__":{}}`, nil), "duplicate key"},
		{"metadata not strings", file(`{"__metadata__":{"step":3}}`, nil), "strings to strings"},
		{"entry not object", file(`{"a":[1]}`, nil), "must be an object"},
		{"entry null", file(`{"a":null}`, nil), "must be an object"},
		{"missing dtype", file(`{"a":{"shape":[2],"data_offsets":[0,8]}}`, eight), `missing "dtype"`},
		{"dtype wrong case key", file(`{"a":{"DTYPE":"F32","shape":[2],"data_offsets":[0,8]}}`, eight), `missing "dtype"`},
		{"null shape", file(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,8]}}`, eight), `"shape" is null`},
		{"negative dim", file(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, eight), `bad "shape"`},
		{"float dim", file(`{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}`, eight), `bad "shape"`},
		{"three offsets", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}`, eight), "want 2"},
		{"unknown dtype", file(`{"a":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}}`, eight), `unknown dtype "F128"`},
		{"lower-case dtype", file(`{"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}`, eight), "unknown dtype"},
		{"size mismatch", file(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, eight), "needs 12 bytes"},
		{"overflow", file(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, eight), "overflows"},
		{"half bytes", file(`{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}`, eight[:2]), "not whole bytes"},
		{"gap at start", file(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "gap of 4 bytes"},
		{"gap between", file(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[4,6]}}`, eight[:6]), "gap"},
		{"overlap", file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, eight), "overlap"},
		{"end before begin", file(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, eight), "end before"},
		{"past buffer", file(ok, eight[:4]), "run past"},
		{"offset beyond int64", file(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[18446744073709551615,18446744073709551615]}}`, nil), "out of range"},
		{"trailing bytes", file(ok, make([]byte, 12)), "4 bytes not covered"},
		{"bytes without tensors", file(`{}`, eight), "8 bytes not covered"},
	}
}

func TestBrokenFiles(t *testing.T) {
	for _, tc := range brokenFiles() {
		_, err := safetensors.Read(bytes.NewReader(tc.data), int64(len(tc.data)))
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !errors.Is(err, safetensors.ErrFormat) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want ErrFormat mentioning %q", tc.name, err, tc.want)
		}
	}
}

func TestReadFileErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vgg19.safetensors")
	b := encode(t, map[string]safetensors.Tensor{"x": safetensors.FromFloat32([]int{4}, []float32{1, 2, 3, 4})}, nil)
	if err := os.WriteFile(path, b[:len(b)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := safetensors.ReadFile(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "run past") {
		t.Errorf("truncated file: err = %v, want the path and the problem", err)
	}
	_, err = safetensors.ReadFile(filepath.Join(dir, "missing.safetensors"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
	_, err = safetensors.ReadFile(dir)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("folder: err = %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ckpt.safetensors")
	ts := mixedTensors()
	if err := safetensors.WriteFile(path, ts, map[string]string{"step": "1"}); err != nil {
		t.Fatal(err)
	}
	// Replacing it leaves the new content and no temporary file.
	ts2 := map[string]safetensors.Tensor{"w": safetensors.FromFloat32([]int{1}, []float32{9})}
	if err := safetensors.WriteFile(path, ts2, map[string]string{"step": "2"}); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["step"] != "2" || !slices.Equal(f.Names(), []string{"w"}) {
		t.Errorf("after rewrite: metadata %v, names %v", f.Metadata, f.Names())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, encode(t, ts2, map[string]string{"step": "2"})) {
		t.Error("WriteFile and Write give different bytes")
	}
	hdrOnly, err := safetensors.ReadHeader(path)
	if err != nil || !slices.Equal(hdrOnly.Names(), []string{"w"}) {
		t.Errorf("ReadHeader: %v, %v", hdrOnly, err)
	} else if _, err := hdrOnly.Tensor("w"); err == nil {
		t.Error("ReadHeader loaded a tensor")
	}

	// Invalid tensors: an error, the old file untouched, nothing left over.
	bad := []map[string]safetensors.Tensor{
		{"w": {DType: "F32", Shape: []int{3}, Data: make([]byte, 8)}},
		{"w": {DType: "Q4", Shape: []int{1}, Data: make([]byte, 1)}},
		{"__metadata__": safetensors.FromFloat32(nil, []float32{1})},
		{"bad\xffname": safetensors.FromFloat32(nil, []float32{1})},
	}
	for _, ts := range bad {
		if err := safetensors.WriteFile(path, ts, nil); err == nil {
			t.Errorf("WriteFile(%v) gave no error", ts)
		}
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, got) {
		t.Error("a failed WriteFile changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after writes, want only the file", len(entries))
	}
	if err := safetensors.WriteFile(filepath.Join(dir, "no", "such", "x.safetensors"), ts2, nil); err == nil {
		t.Error("WriteFile into a missing folder gave no error")
	}
}

func TestFromFloat32Panics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("FromFloat32 with a mismatched shape did not panic")
		}
	}()
	safetensors.FromFloat32([]int{2, 2}, []float32{1, 2, 3})
}

func BenchmarkReadWrite(b *testing.B) {
	const n = 4 << 20 // 16 MiB of F32
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(i)
	}
	ts := map[string]safetensors.Tensor{"w": safetensors.FromFloat32([]int{n}, vals)}
	path := filepath.Join(b.TempDir(), "bench.safetensors")
	b.Run("WriteFile", func(b *testing.B) {
		b.SetBytes(4 * n)
		b.ReportAllocs()
		for b.Loop() {
			if err := safetensors.WriteFile(path, ts, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadFile+Float32s", func(b *testing.B) {
		b.SetBytes(4 * n)
		b.ReportAllocs()
		for b.Loop() {
			f, err := safetensors.ReadFile(path)
			if err != nil {
				b.Fatal(err)
			}
			w, _ := f.Tensor("w")
			if _, err := w.Float32s(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
