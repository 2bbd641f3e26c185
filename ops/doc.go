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
// goroutines (GOMAXPROCS unless SetWorkers says otherwise).
//
// Convolutions take one of two paths. In float32 on CPUs with AVX2 and FMA
// (every x86-64 machine of the last decade) the direct path copies the input
// once into a zero-padded buffer, split into stride×stride phase planes,
// after which every row of the im2col matrix is a shifted run of that
// buffer; assembly micro-kernels (gemm_amd64.s) multiply the filters with
// those runs in place, 4 output channels by 24 pixels at a time, and the
// filter gradient as 4×3 blocks of dot products. When output rows come in
// multiples of 8 pixels (every U-Net layer), the 24 pixels are any three
// runs of 8 valid ones and the dot products run over valid pixels only, so
// nothing is computed on the padding (a third of the work on 8×8 images);
// other widths walk the padded grid. A stride-1 input gradient
// is itself a stride-1 convolution (filters flipped and transposed, padding
// K-1-P); a strided one splits into one small stride-1 correlation per
// input phase. Within a step, a convolution's padded input and padded
// output gradient are built once and shared by its three passes.
//
// Everything else (float64, the purego build) builds im2col tiles of about 1 MiB per worker and multiplies them with
// framepred/internal/blas, one single-threaded product per tile; strided
// input gradients there scatter back with col2im, alternate tiles at a time
// so no two workers add to the same row.
//
// UpConv2d is Upsample2x followed by Conv2d in one op: for 3×3 filters each
// output phase is a 2×2 convolution of the low-resolution input, 4/9 of the
// arithmetic. Decoders should use it (model's predictor does).
//
// # Determinism
//
// Every kernel gives bitwise the same result for any number of workers and
// any scheduling, so training is reproducible run to run and a run resumed
// on a machine with another core count follows the same path. Work is
// handed out dynamically, but no sum depends on it: a filter gradient's
// tasks are ranges of its columns, each summing the images in groups fixed
// by the geometry (ConvBackwardFilter on the direct path), or fixed slots of
// tiles added in slot order (the im2col path); bias gradients and loss sums
// split their input into chunks fixed by its size and add them in order;
// vector loops and their scalar tails compute the same numbers. In float32
// with AVX2 nothing calls OpenBLAS (1×1 convolutions take the direct path
// too), whose kernels, and so whose last bits, depend on the CPU model, so
// one build gives the same weights on any x86-64 CPU with AVX2 and FMA.
// Machines without them (or the purego build) take other paths and agree
// only to rounding.
//
// # Buffers
//
// Every op keeps its output tensor and reuses it on the next run, and the
// convolutions' tiles and padded copies come from a shared pool, so a
// training step allocates almost nothing after the first (about 1,000
// small allocations, 135 KB, for the demo U-Net on one worker, against
// ~240 MB for stock gorgonia). The price: a node's Value is overwritten by
// the next run of its machine. Clone what must outlive a step.
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
