package cuda

import "fmt"

// nnKernel finds one of the kernels of nnSource, compiling the source on
// first use.
func (c *Context) nnKernel(name string) (*Function, error) {
	if c.nn == nil {
		m, err := c.Compile(nnName, nnSource)
		if err != nil {
			return nil, err
		}
		c.nn = m
	}
	return c.nn.Function(name)
}

// nnLaunch launches a grid-stride kernel of nnSource over n items.
func (c *Context) nnLaunch(name string, n int, args ...any) error {
	if n == 0 {
		return c.usable()
	}
	f, err := c.nnKernel(name)
	if err != nil {
		return err
	}
	grid, block := c.grid1D(n)
	return c.Launch(f, grid, block, 0, args...)
}

// nnLaunchRows launches a kernel of nnSource over rows of n values each:
// a 2-D grid of blocks over the values (x) and the rows (y), about 4096
// blocks in all at most (each loops over the rest).
func (c *Context) nnLaunchRows(name string, rows, n int, args ...any) error {
	if rows == 0 || n == 0 {
		return c.usable()
	}
	f, err := c.nnKernel(name)
	if err != nil {
		return err
	}
	y := min(rows, 65535)
	x := max(1, min((n+elementwiseBlock-1)/elementwiseBlock, (4096+y-1)/y))
	return c.Launch(f, Dim3{X: uint32(x), Y: uint32(y)}, Dim3{X: elementwiseBlock}, 0, args...)
}

// fits32 panics unless n values can be indexed with the kernels' 32-bit
// indices.
func fits32(op string, n int) int32 {
	if n < 0 || n >= 1<<31 {
		panic(fmt.Sprintf("cuda: %s of %d values: the kernels take fewer than 2³¹", op, n))
	}
	return int32(n)
}

// nnLaunchGrid launches a kernel of nnSource on a fixed grid of reduction
// blocks (redBlock threads each).
func (c *Context) nnLaunchGrid(name string, grid Dim3, args ...any) error {
	f, err := c.nnKernel(name)
	if err != nil {
		return err
	}
	return c.Launch(f, grid, Dim3{X: redBlock}, 0, args...)
}

// Conv is the geometry of a 2-D convolution over CNHW tensors, as
// framepred/ops.ConvGeom describes it: x is In×N×H×W, the filters
// Out×In×KH×KW, the output Out×N×OH×OW. With Up, the convolution reads x
// upsampled 2× (nearest), as ops.UpConv2d does: H and W are then the
// upsampled size and x holds In×N×(H/2)×(W/2).
type Conv struct {
	N, In, H, W, Out, KH, KW, Stride, PadH, PadW int
	Up                                           bool
}

// OH is the output height.
func (g Conv) OH() int { return (g.H+2*g.PadH-g.KH)/g.Stride + 1 }

// OW is the output width.
func (g Conv) OW() int { return (g.W+2*g.PadW-g.KW)/g.Stride + 1 }

// XLen, WLen and OutLen are the lengths of the input, the filters and the
// output.
func (g Conv) XLen() int {
	if g.Up {
		return g.In * g.N * (g.H / 2) * (g.W / 2)
	}
	return g.In * g.N * g.H * g.W
}
func (g Conv) WLen() int   { return g.Out * g.In * g.KH * g.KW }
func (g Conv) OutLen() int { return g.Out * g.N * g.OH() * g.OW() }

// rows is the height of the im2col matrix; imageCols its width per image.
func (g Conv) rows() int      { return g.In * g.KH * g.KW }
func (g Conv) imageCols() int { return g.OH() * g.OW() }

// pointwise convolutions (1×1, stride 1, no padding, no upsampling) need no
// im2col: x is already the matrix.
func (g Conv) pointwise() bool {
	return g.KH == 1 && g.KW == 1 && g.Stride == 1 && g.PadH == 0 && g.PadW == 0 && !g.Up
}

func (g Conv) check() {
	fits32("convolution input", g.XLen())
	fits32("convolution output", g.OutLen())
	ok := g.N >= 1 && g.In >= 1 && g.Out >= 1 && g.KH >= 1 && g.KW >= 1 && g.Stride >= 1 &&
		g.PadH >= 0 && g.PadW >= 0 && g.OH() >= 1 && g.OW() >= 1 && (!g.Up || g.H%2 == 0 && g.W%2 == 0)
	if !ok {
		panic(fmt.Sprintf("cuda: bad convolution geometry %+v", g))
	}
}

// WorkLen is the length of the workspace the convolution's passes need
// for im2col matrices of up to limit values: one image's matrix at least,
// as many images as fit in limit at most, 0 for a pointwise convolution.
// A larger workspace means fewer, wider matrix products.
func (g Conv) WorkLen(limit int) int {
	g.check()
	if g.pointwise() {
		return 0
	}
	per := g.rows() * g.imageCols()
	limit = min(limit, 1<<31-1) // the kernels index im2col matrices with 32 bits
	return per * max(1, min(g.N, limit/per))
}

// chunk is the number of images whose im2col matrix fits in work.
func (g Conv) chunk(work Buffer) int {
	per := g.rows() * g.imageCols()
	n := min(g.N, work.n/per)
	if n < 1 {
		panic(fmt.Sprintf("cuda: convolution workspace of %d values, want at least %d (Conv.WorkLen)", work.n, per))
	}
	return n
}

// im2col writes the im2col matrix of images n0 to n0+m-1 of x into work:
// rows() rows of m·imageCols() columns.
func (c *Context) im2col(g Conv, x, work Buffer, n0, m int) error {
	return c.nnLaunchRows("fp_im2col", g.rows(), m*g.imageCols(), append([]any{x, work}, g.im2colArgs(n0, m)...)...)
}

// col2im is im2col's adjoint: it writes images n0 to n0+m-1 of dx, each
// pixel the sum of its terms in the matrix in work.
func (c *Context) col2im(g Conv, work, dx Buffer, n0, m int) error {
	h, wd := g.H, g.W
	if g.Up {
		h, wd = h/2, wd/2
	}
	return c.nnLaunch("fp_col2im", g.In*m*h*wd, append([]any{work, dx}, g.im2colArgs(n0, m)...)...)
}

func (g Conv) im2colArgs(n0, nc int) []any {
	up := int32(0)
	if g.Up {
		up = 1
	}
	return []any{int32(g.In), int32(g.N), int32(g.H), int32(g.W), int32(g.KH), int32(g.KW), int32(g.Stride),
		int32(g.PadH), int32(g.PadW), int32(g.OH()), int32(g.OW()), int32(n0), int32(nc), up}
}

func wantLen(what string, b Buffer, n int) {
	if b.n < n {
		panic(fmt.Sprintf("cuda: %s holds %d values, want %d", what, b.n, n))
	}
}

// ConvForward computes out = conv(x, w) for geometry g: an im2col matrix
// per chunk of images in work (see [Conv.WorkLen]) and one cuBLAS product
// per chunk, written straight into the chunk's columns of out.
func (c *Context) ConvForward(g Conv, x, w, out, work Buffer) error {
	g.check()
	wantLen("ConvForward input", x, g.XLen())
	wantLen("ConvForward filters", w, g.WLen())
	wantLen("ConvForward output", out, g.OutLen())
	cols, k := g.N*g.imageCols(), g.rows()
	if g.pointwise() {
		return c.Sgemm(false, false, g.Out, cols, k, 1, w, k, x, cols, 0, out, cols)
	}
	nc := g.chunk(work)
	for n0 := 0; n0 < g.N; n0 += nc {
		m := min(nc, g.N-n0)
		mc := m * g.imageCols()
		if err := c.im2col(g, x, work, n0, m); err != nil {
			return err
		}
		if err := c.Sgemm(false, false, g.Out, mc, k, 1, w, k, work, mc, 0, out.Slice(n0*g.imageCols(), out.n), cols); err != nil {
			return err
		}
	}
	return nil
}

// ConvBackwardInput computes dx from the filters and the output gradient:
// per chunk, the product wᵀ·dOut into work, then its adjoint im2col
// (col2im) into the chunk's images of dx, each pixel gathering its terms.
func (c *Context) ConvBackwardInput(g Conv, w, dout, dx, work Buffer) error {
	g.check()
	wantLen("ConvBackwardInput filters", w, g.WLen())
	wantLen("ConvBackwardInput output gradient", dout, g.OutLen())
	wantLen("ConvBackwardInput input gradient", dx, g.XLen())
	cols, k := g.N*g.imageCols(), g.rows()
	if g.pointwise() {
		return c.Sgemm(true, false, k, cols, g.Out, 1, w, k, dout, cols, 0, dx, cols)
	}
	nc := g.chunk(work)
	for n0 := 0; n0 < g.N; n0 += nc {
		m := min(nc, g.N-n0)
		mc := m * g.imageCols()
		if err := c.Sgemm(true, false, k, mc, g.Out, 1, w, k, dout.Slice(n0*g.imageCols(), dout.n), cols, 0, work, mc); err != nil {
			return err
		}
		if err := c.col2im(g, work, dx, n0, m); err != nil {
			return err
		}
	}
	return nil
}

// ConvBackwardFilter computes dw = Σ over chunks of dOut·im2col(x)ᵀ, the
// chunks added in order by cuBLAS (beta 1 after the first).
func (c *Context) ConvBackwardFilter(g Conv, x, dout, dw, work Buffer) error {
	g.check()
	wantLen("ConvBackwardFilter input", x, g.XLen())
	wantLen("ConvBackwardFilter output gradient", dout, g.OutLen())
	wantLen("ConvBackwardFilter filter gradient", dw, g.WLen())
	cols, k := g.N*g.imageCols(), g.rows()
	if g.pointwise() {
		return c.Sgemm(false, true, g.Out, k, cols, 1, dout, cols, x, cols, 0, dw, k)
	}
	nc := g.chunk(work)
	for n0 := 0; n0 < g.N; n0 += nc {
		m := min(nc, g.N-n0)
		mc := m * g.imageCols()
		if err := c.im2col(g, x, work, n0, m); err != nil {
			return err
		}
		beta := float32(1)
		if n0 == 0 {
			beta = 0
		}
		if err := c.Sgemm(false, true, g.Out, k, mc, 1, dout.Slice(n0*g.imageCols(), dout.n), cols, work, mc, beta, dw, k); err != nil {
			return err
		}
	}
	return nil
}
