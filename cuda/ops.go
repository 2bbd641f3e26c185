package cuda

import "fmt"

// elementwiseBlock is the thread-block size of the elementwise kernels.
const elementwiseBlock = 256

// grid1D shapes a launch over n values: one thread per value, capped at
// 32 blocks per multiprocessor (the kernels loop over the rest).
func (c *Context) grid1D(n int) (grid, block Dim3) {
	blocks := (n + elementwiseBlock - 1) / elementwiseBlock
	limit := 32 * c.info.SMs
	if limit <= 0 {
		limit = 65535
	}
	return Dim3{X: uint32(max(1, min(blocks, limit)))}, Dim3{X: elementwiseBlock}
}

// kernel finds one of framepred's elementwise kernels, compiling them on
// first use.
func (c *Context) kernel(name string) (*Function, error) {
	if c.kernels == nil {
		m, err := c.Compile(elementwiseName, elementwiseSource)
		if err != nil {
			return nil, err
		}
		c.kernels = m
	}
	return c.kernels.Function(name)
}

func (c *Context) launch1D(name string, n int, args ...any) error {
	if n == 0 {
		return c.usable()
	}
	f, err := c.kernel(name)
	if err != nil {
		return err
	}
	grid, block := c.grid1D(n)
	return c.Launch(f, grid, block, 0, args...)
}

func sameLen(op string, bufs ...Buffer) {
	for _, b := range bufs[1:] {
		if b.n != bufs[0].n {
			panic(fmt.Sprintf("cuda: %s on buffers of %d and %d values", op, bufs[0].n, b.n))
		}
	}
}

// Fill sets every value of x to v.
func (c *Context) Fill(x Buffer, v float32) error {
	return c.launch1D(kFill, x.n, x, v, int64(x.n))
}

// Axpy adds a·x to y. It panics if the lengths differ.
func (c *Context) Axpy(a float32, x, y Buffer) error {
	sameLen("Axpy", x, y)
	return c.launch1D(kAxpy, x.n, a, x, y, int64(x.n))
}

// LeakyReLU sets y to x where x ≥ 0 and to slope·x elsewhere; y may be x.
// It panics if the lengths differ.
func (c *Context) LeakyReLU(y, x Buffer, slope float32) error {
	sameLen("LeakyReLU", y, x)
	return c.launch1D(kLeakyReLU, x.n, x, y, slope, int64(x.n))
}

// LeakyReLUGrad computes the input gradient of LeakyReLU from its output
// y and the output gradient dy: dx = dy where y > 0, slope·dy elsewhere.
// dx may be dy. It panics if the lengths differ.
func (c *Context) LeakyReLUGrad(dx, y, dy Buffer, slope float32) error {
	sameLen("LeakyReLUGrad", dx, y, dy)
	return c.launch1D(kLeakyReLUGrad, y.n, y, dy, dx, slope, int64(y.n))
}
