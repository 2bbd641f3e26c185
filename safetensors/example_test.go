package safetensors_test

import (
	"fmt"
	"os"
	"path/filepath"

	"framepred/safetensors"
)

func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ckpt.safetensors")

	err = safetensors.WriteFile(path, map[string]safetensors.Tensor{
		"features.0.weight": safetensors.FromFloat32([]int{2, 2}, []float32{1, 2, 3, 4}),
		"features.0.bias":   safetensors.FromFloat32([]int{2}, []float32{0.5, -0.5}),
	}, map[string]string{"step": "100"})
	if err != nil {
		panic(err)
	}

	// Read only the bias; the weight's bytes are skipped.
	f, err := safetensors.ReadFile(path, "features.0.bias")
	if err != nil {
		panic(err)
	}
	b, err := f.Tensor("features.0.bias")
	if err != nil {
		panic(err)
	}
	vals, err := b.Float32s()
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Names(), f.Metadata["step"])
	fmt.Println(b.DType, b.Shape, vals)
	// Output:
	// [features.0.bias features.0.weight] 100
	// F32 [2] [0.5 -0.5]
}
