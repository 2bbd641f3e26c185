package cuda

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

func TestLayoutArgs(t *testing.T) {
	buf := Buffer{ptr: 0x7f00_1234_5600, n: 10}
	l, err := layoutArgs([]any{int32(-2), buf, float32(1.5), float64(-0.25), uint32(7), int64(-3), uint64(1 << 40)})
	if err != nil {
		t.Fatal(err)
	}
	// int32 at 0, the 8-byte pointer aligned up to 8, float32 at 16,
	// float64 aligned up to 24, uint32 at 32, int64 at 40, uint64 at 48.
	if want := []int{0, 8, 16, 24, 32, 40, 48}; !slices.Equal(l.offsets, want) {
		t.Fatalf("offsets %v, want %v", l.offsets, want)
	}
	le := binary.LittleEndian
	v := l.vals
	checks := []struct {
		name      string
		got, want uint64
	}{
		{"int32", uint64(le.Uint32(v[0:])), uint64(uint32(0xFFFFFFFE))},
		{"Buffer", le.Uint64(v[8:]), 0x7f00_1234_5600},
		{"float32", uint64(le.Uint32(v[16:])), uint64(math.Float32bits(1.5))},
		{"float64", le.Uint64(v[24:]), math.Float64bits(-0.25)},
		{"uint32", uint64(le.Uint32(v[32:])), 7},
		{"int64", le.Uint64(v[40:]), uint64(0xFFFFFFFFFFFFFFFD)},
		{"uint64", le.Uint64(v[48:]), 1 << 40},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s encoded as %#x, want %#x", c.name, c.got, c.want)
		}
	}
	if len(v) != 56 {
		t.Errorf("%d bytes of values, want 56", len(v))
	}
}

func TestLayoutArgsRefusesAmbiguousTypes(t *testing.T) {
	for _, a := range []any{int(3), uint(3), "x", []float32{1}, &Buffer{}} {
		_, err := layoutArgs([]any{float32(0), a})
		if err == nil || !strings.Contains(err.Error(), "argument 1") {
			t.Errorf("layoutArgs(%T): err = %v, want one naming argument 1", a, err)
		}
	}
}

// TestPackArgs reads the C block back as cuLaunchKernel would: each of
// the leading pointers must point at its value.
func TestPackArgs(t *testing.T) {
	buf := Buffer{ptr: 0xdead_beef_0000, n: 4}
	p, err := packArgs([]any{buf, float32(2.5), int64(-9), int32(4)})
	if err != nil {
		t.Fatal(err)
	}
	defer freeArgs(p)
	ptrs := unsafe.Slice((*unsafe.Pointer)(p), 4)
	if got := *(*uint64)(ptrs[0]); got != buf.ptr {
		t.Errorf("arg 0 = %#x, want %#x", got, buf.ptr)
	}
	if got := *(*float32)(ptrs[1]); got != 2.5 {
		t.Errorf("arg 1 = %v, want 2.5", got)
	}
	if got := *(*int64)(ptrs[2]); got != -9 {
		t.Errorf("arg 2 = %v, want -9", got)
	}
	if got := *(*int32)(ptrs[3]); got != 4 {
		t.Errorf("arg 3 = %v, want 4", got)
	}
	for i, q := range ptrs {
		if off := uintptr(q) - uintptr(p); off < 4*8 || off%[]uintptr{8, 4, 8, 4}[i] != 0 {
			t.Errorf("arg %d at offset %d: inside the pointer array or misaligned", i, off)
		}
	}
	if p, err := packArgs(nil); p != nil || err != nil {
		t.Errorf("packArgs(nil) = %v, %v; want nil, nil", p, err)
	}
}
