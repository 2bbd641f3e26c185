// Package ops is framepred's compute core: the gorgonia operations every
// model is built from (convolution, bias and activation, pooling and
// upsampling, channel concatenation and slicing, elementwise helpers, fused
// scalar losses), each with a symbolic gradient, for float32 and float64.
//
// # Layout
//
// Activations are CNHW: a C×N×H×W tensor, channels outermost, then the
// batch. A convolution is then one matrix product over the whole batch,
//
//	out(Out × N·OH·OW) = W(Out × In·KH·KW) × col(In·KH·KW × N·OH·OW),
//
// with no transposes before or after it, and a channel concatenation or
// slice is a contiguous copy. Filters keep PyTorch's Out×In×KH×KW order and
// biases are vectors, so weights move between the two unchanged. Data that
// arrives as NCHW (decoded clips, PyTorch tensors) is converted once with
// NCHWToCNHW / ToCNHW, and back with CNHWToNCHW / ToNCHW.
//
// # Kernels and wrappers
//
// Each op's arithmetic is a plain function over flat slices (ConvForward,
// ConvBackwardInput, ConvBackwardFilter, BiasActForward, ...), separate from
// the small gorgonia Op that checks shapes and calls it, so another backend
// can supply the same kernels. Kernels split their work over Workers()
// goroutines (GOMAXPROCS unless SetWorkers says otherwise); matrix products
// go to framepred/internal/blas, one single-threaded product per tile.
//
// # Buffers
//
// Every op keeps its output tensor and reuses it on the next run, and the
// convolution's im2col tiles come from a shared pool, so a training step
// allocates almost nothing after the first. The price: a node's Value is
// overwritten by the next run of its machine. Clone what must outlive a step.
//
// # Gradients
//
// Backward passes come from gorgonia's symbolic differentiation (G.Grad):
// each op's SymDiff builds nodes of backward ops defined here. Those are not
// differentiable again. G.Grad also builds gradients nobody needs, such as the
// input gradient of the first convolution or of a loss's target; compile only
// what the loss and the wanted gradients depend on,
//
//	grads, _ := G.Grad(loss, params...)
//	vm := G.NewTapeMachine(Needed(loss, grads...), G.BindDualValues(params...))
//
// and call vm.Reset() before every vm.RunAll() (without it RunAll silently
// does nothing), vm.Close() at the end. The losses return scalar nodes
// (shape ()), which G.Grad requires.
//
// Gorgonia's AveragePool2D is wrong in both directions in v0.9.18: use
// AvgPool2.
package ops
