package cuda

/*
#include <stdlib.h>
*/
import "C"

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// argLayout places kernel arguments in one block of memory: n pointers,
// then the values, each aligned to its own size. cuLaunchKernel takes an
// array of pointers to the argument values (kernelParams).
type argLayout struct {
	vals    []byte // the values, from the end of the pointer array on
	offsets []int  // where each value starts within vals
}

// layoutArgs encodes kernel arguments as the kernel's C parameters expect
// them: a Buffer as its device address (a pointer), float32 as float,
// float64 as double, int32/uint32 as int/unsigned int, int64/uint64 as
// long long/unsigned long long. Go's int is refused: its width says
// nothing about the C parameter it should match.
func layoutArgs(args []any) (argLayout, error) {
	var l argLayout
	put := func(size int, write func([]byte)) {
		for len(l.vals)%size != 0 {
			l.vals = append(l.vals, 0)
		}
		l.offsets = append(l.offsets, len(l.vals))
		b := make([]byte, size)
		write(b)
		l.vals = append(l.vals, b...)
	}
	le := binary.LittleEndian // every CUDA host is little-endian
	for i, a := range args {
		switch v := a.(type) {
		case Buffer:
			put(8, func(b []byte) { le.PutUint64(b, v.ptr) })
		case float32:
			put(4, func(b []byte) { le.PutUint32(b, math.Float32bits(v)) })
		case float64:
			put(8, func(b []byte) { le.PutUint64(b, math.Float64bits(v)) })
		case int32:
			put(4, func(b []byte) { le.PutUint32(b, uint32(v)) })
		case uint32:
			put(4, func(b []byte) { le.PutUint32(b, v) })
		case int64:
			put(8, func(b []byte) { le.PutUint64(b, uint64(v)) })
		case uint64:
			put(8, func(b []byte) { le.PutUint64(b, v) })
		case int, uint:
			return argLayout{}, fmt.Errorf("cuda: kernel argument %d is a Go %T: pass int32 or int64 to match the kernel's parameter", i, a)
		default:
			return argLayout{}, fmt.Errorf("cuda: kernel argument %d has type %T, which kernels cannot take (want Buffer, float32, float64, int32, uint32, int64 or uint64)", i, a)
		}
	}
	return l, nil
}

// packArgs writes the arguments into C memory as cuLaunchKernel wants them:
// an array of pointers, each pointing at its value further on in the same
// block. The block is C memory because cgo forbids handing C a Go array of
// pointers. The caller frees it with C.free once the launch call returns
// (the driver copies the values when the kernel is queued). For no
// arguments it returns nil.
func packArgs(args []any) (unsafe.Pointer, error) {
	l, err := layoutArgs(args)
	if err != nil || len(args) == 0 {
		return nil, err
	}
	head := 8 * len(args) // pointers are 8 bytes on every CUDA host; values start 8-aligned
	mem := C.malloc(C.size_t(head + len(l.vals)))
	block := unsafe.Slice((*byte)(mem), head+len(l.vals))
	copy(block[head:], l.vals)
	ptrs := unsafe.Slice((*unsafe.Pointer)(mem), len(args))
	for i, off := range l.offsets {
		ptrs[i] = unsafe.Add(mem, head+off)
	}
	return mem, nil
}

func freeArgs(p unsafe.Pointer) { C.free(p) }
