package ops

import G "gorgonia.org/gorgonia"

// ConvFLOPs returns the arithmetic of one run of g's convolutions: every
// Conv2d and UpConv2d node and the gradient nodes built for them that g
// holds (compile g with Needed and it holds only what a step runs), two
// FLOPs per multiply-add. nominal counts every pass as a direct convolution
// of its geometry (an UpConv2d as the convolution of its upsampled input,
// which is what PyTorch runs for the same layer); performed counts what the
// kernels here do, which for an UpConv2d on the phase path is 4/9 of that.
// Benchmarks divide them by a step's time.
func ConvFLOPs(g *G.ExprGraph) (nominal, performed float64) {
	for _, n := range g.AllNodes() {
		var cg ConvGeom
		var up bool
		switch op := n.Op().(type) {
		case *convOp:
			cg, up = op.g, op.up
		case *convInputGradOp:
			cg, up = op.g, op.up
		case *convFilterGradOp:
			cg, up = op.g, op.up
		default:
			continue
		}
		f := cg.FLOPs()
		nominal += f
		if up && (n.Dtype() == G.Float32 && upFast[float32](cg) || n.Dtype() == G.Float64 && upFast[float64](cg)) {
			f *= 4.0 / 9
		}
		performed += f
	}
	return nominal, performed
}
