package torchref

import (
	"fmt"
	"math"

	"framepred/safetensors"
)

// VGG returns torchref.py's tiny VGG weights under torchvision's names, F32:
// for k, i := range convs, features.i has widths[k] outputs, weight
// Hseq(out·in·9, 100+i, √(6/(in·9)), 0) and bias Hseq(out, 200+i, 0.1, 0),
// and the first convolution has 3 inputs. convs must not be longer than
// widths.
func VGG(convs, widths []int) map[string]safetensors.Tensor {
	ts := map[string]safetensors.Tensor{}
	in := 3
	for k, idx := range convs {
		out := widths[k]
		i := uint64(idx)
		ts[fmt.Sprintf("features.%d.weight", idx)] = safetensors.FromFloat32([]int{out, in, 3, 3}, Float32s(Hseq(out*in*9, 100+i, math.Sqrt(6/float64(in*9)), 0)))
		ts[fmt.Sprintf("features.%d.bias", idx)] = safetensors.FromFloat32([]int{out}, Float32s(Hseq(out, 200+i, 0.1, 0)))
		in = out
	}
	return ts
}
