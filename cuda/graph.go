package cuda

/*
#include "bind.h"
*/
import "C"

import (
	"errors"
	"fmt"
)

// ErrNoGraphs is returned by [Context.Capture] when the driver or cuBLAS
// lacks what CUDA graphs need.
var ErrNoGraphs = errors.New("cuda: the driver or cuBLAS cannot capture CUDA graphs")

// blasWorkspaceBytes is cuBLAS's workspace for captured products: cuBLAS
// must not allocate while a stream is captured, so it gets one of its own.
const blasWorkspaceBytes = 32 << 20

// Graph is work captured from a context's stream (a CUDA graph), which
// [Graph.Launch] queues again with one call instead of one per kernel. The
// captured work reads and writes the same buffers, with the same
// arguments, every time.
type Graph struct {
	c *Context
	g C.CUgraph
	e C.CUgraphExec
}

// GraphsSupported reports whether the driver and cuBLAS can capture graphs.
func (c *Context) GraphsSupported() bool {
	d, b := c.rt.drv, c.rt.blas
	return d.cuStreamBeginCapture != nil && d.cuStreamEndCapture != nil && d.cuGraphInstantiate != nil &&
		d.cuGraphLaunch != nil && d.cuGraphExecDestroy != nil && d.cuGraphDestroy != nil && b.cublasSetWorkspace != nil
}

// Capture runs fn, which queues work on the context's stream, and captures
// that work instead of running it: nothing runs until the graph is
// launched. fn must queue device work only: no copies to or from host
// memory, no waiting, no allocations from the driver.
func (c *Context) Capture(fn func() error) (g *Graph, err error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	if !c.GraphsSupported() {
		return nil, ErrNoGraphs
	}
	if c.blasWS == 0 {
		ws, err := c.rawAlloc(blasWorkspaceBytes)
		if err != nil {
			return nil, fmt.Errorf("cuda: cuBLAS workspace for graphs: %w", err)
		}
		if st := C.fp_blas_set_workspace(c.rt.drv, c.rt.blas, c.ctx, c.blas, C.CUdeviceptr(ws), blasWorkspaceBytes); st != 0 {
			return nil, errors.Join(c.blasCheck("cublasSetWorkspace_v2", st), c.rawFree(ws))
		}
		c.blasWS = ws
	}
	if err := c.check("cuStreamBeginCapture_v2", C.fp_capture_begin(c.rt.drv, c.ctx, c.stream)); err != nil {
		return nil, err
	}
	g = &Graph{c: c}
	ended := false
	end := func() error {
		ended = true
		return c.check("cuStreamEndCapture", C.fp_capture_end(c.rt.drv, c.ctx, c.stream, &g.g))
	}
	defer func() {
		if !ended { // fn panicked: leave the stream usable
			_ = end()
			_ = g.Destroy()
		}
	}()
	ferr := fn()
	if err := errors.Join(ferr, end()); err != nil {
		return nil, errors.Join(fmt.Errorf("cuda: capture: %w", err), g.Destroy())
	}
	if err := c.check("cuGraphInstantiateWithFlags", C.fp_graph_instantiate(c.rt.drv, c.ctx, &g.e, g.g)); err != nil {
		return nil, errors.Join(err, g.Destroy())
	}
	return g, nil
}

// Launch queues the captured work on the context's stream.
func (g *Graph) Launch() error {
	if err := g.c.usable(); err != nil {
		return err
	}
	if g.e == nil {
		return errors.New("cuda: launch of a destroyed graph")
	}
	return g.c.check("cuGraphLaunch", C.fp_graph_launch(g.c.rt.drv, g.c.ctx, g.e, g.c.stream))
}

// Destroy releases the graph. A second Destroy does nothing.
func (g *Graph) Destroy() error {
	if g == nil || g.e == nil && g.g == nil || g.c.closed {
		return nil
	}
	err := g.c.check("cuGraphDestroy", C.fp_graph_destroy(g.c.rt.drv, g.c.ctx, g.e, g.g))
	g.e, g.g = nil, nil
	return err
}
