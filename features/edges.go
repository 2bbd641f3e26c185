package features

import (
	"fmt"

	G "gorgonia.org/gorgonia"

	"framepred/ops"
)

// edgeKernels are the four oriented 3×3 edge filters, Sobel's horizontal
// gradient and its rotations by 90°, 45° and 135°, scaled by 1/4 so a unit
// step across the 0° or 90° filter gives a response of 1.
var edgeKernels = [4][9]float32{
	{-1, 0, 1, -2, 0, 2, -1, 0, 1}, // 0°: d/dx
	{-1, -2, -1, 0, 0, 0, 1, 2, 1}, // 90°: d/dy
	{0, 1, 2, -1, 0, 1, -2, -1, 0}, // 45°
	{2, 1, 0, 1, 0, -1, 0, -1, -2}, // 135°
}

var edgeLayers = []string{"edges1", "edges2"}

// EdgeBank is the built-in extractor: a fixed bank of four oriented edge
// filters (0°, 45°, 90°, 135°; Sobel's 3×3 kernels scaled by 1/4) applied
// to every input channel separately, at full resolution (layer "edges1")
// and after a 2×2 average pool (layer "edges2"), with zero padding. It is
// linear and needs no weights file. A C-channel input gives 4·C feature
// channels per layer, ordered channel by channel.
type EdgeBank struct{ w *frozen }

// Edges returns the built-in edge-bank extractor.
func Edges() *EdgeBank { return &EdgeBank{w: newFrozen("edges")} }

// Name implements Extractor.
func (e *EdgeBank) Name() string { return "edges: fixed oriented-edge bank (0/45/90/135°), 2 scales" }

// Layers implements Extractor: "edges1" (full size), "edges2" (half size).
func (e *EdgeBank) Layers() []string { return append([]string(nil), edgeLayers...) }

// Build implements Extractor. Inputs of any channel count work; frames are
// gray (1) or RGB (3).
func (e *EdgeBank) Build(g *G.ExprGraph, x *G.Node) ([]*G.Node, error) {
	if err := checkInput("edges", g, x); err != nil {
		return nil, err
	}
	c := x.Shape()[0]
	name := fmt.Sprintf("bank%d", c)
	e.w.ensure(name, func(put func(string, []int, []float32)) {
		put(name, []int{4 * c, c, 3, 3}, edgeFilters(c))
	})
	w := e.w.node(g, x.Dtype(), name)
	full, err := ops.Conv2d(x, w, 1, 1)
	if err != nil {
		return nil, fmt.Errorf("features: edges: %w", err)
	}
	half, err := ops.AvgPool2(x)
	if err != nil {
		return nil, fmt.Errorf("features: edges: %w", err)
	}
	if half, err = ops.Conv2d(half, w, 1, 1); err != nil {
		return nil, fmt.Errorf("features: edges: %w", err)
	}
	return []*G.Node{full, half}, nil
}

// edgeFilters returns the (4c)×c×3×3 filters that apply the bank to each of
// c channels on its own: output 4i+k is kernel k on channel i.
func edgeFilters(c int) []float32 {
	w := make([]float32, 4*c*c*9)
	for i := range c {
		for k, ker := range edgeKernels {
			dst := w[((4*i+k)*c+i)*9:][:9]
			for j, v := range ker {
				dst[j] = v / 4
			}
		}
	}
	return w
}
