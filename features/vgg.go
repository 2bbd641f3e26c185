package features

import (
	"fmt"
	"slices"
	"strings"

	G "gorgonia.org/gorgonia"

	"framepred/ops"
)

// arch is a VGG variant's feature stack: blocks of 3×3 convolutions, each
// conv followed by a ReLU, each block by a 2×2 max pool, numbered as
// torchvision's features.{i}.
type arch struct {
	name     string
	blocks   []int // convolutions per block
	widths   []int // ImageNet model's output channels per block
	defaults []string
}

var (
	vgg19 = arch{"vgg19", []int{2, 2, 4, 4, 4}, []int{64, 128, 256, 512, 512}, []string{"relu1_2", "relu2_2", "relu3_4"}}
	vgg16 = arch{"vgg16", []int{2, 2, 3, 3, 3}, []int{64, 128, 256, 512, 512}, []string{"relu1_2", "relu2_2", "relu3_3"}}
)

// stage is one step of the stack: a conv+ReLU (conv ≥ 0, the index of its
// weights) or a pool (conv = -1).
type stage struct {
	conv  int // torchvision index of the convolution, or -1 for a pool
	layer string
	index int // torchvision index of the stage's output (the ReLU or pool)
	block int // 0-based
}

// stages lists the architecture's stack in order.
func (a arch) stages() []stage {
	var s []stage
	i := 0
	for b, n := range a.blocks {
		for k := range n {
			s = append(s, stage{conv: i, layer: fmt.Sprintf("relu%d_%d", b+1, k+1), index: i + 1, block: b})
			i += 2
		}
		s = append(s, stage{conv: -1, layer: fmt.Sprintf("pool%d", b+1), index: i, block: b})
		i++
	}
	return s
}

// layerNames lists every layer name the architecture has.
func (a arch) layerNames() []string {
	var n []string
	for _, s := range a.stages() {
		n = append(n, s.layer)
	}
	return n
}

// resolve checks requested layer names and returns them in stack order
// with the number of stages needed to reach the deepest.
func (a arch) resolve(layers []string) ([]string, int, error) {
	if len(layers) == 0 {
		layers = a.defaults
	}
	st := a.stages()
	pos := map[string]int{}
	for i, s := range st {
		pos[s.layer] = i
	}
	seen := map[string]bool{}
	depth := 0
	for _, l := range layers {
		i, ok := pos[l]
		if !ok {
			return nil, 0, fmt.Errorf("features: %s has no layer %q (layers are relu<block>_<conv> and pool<block>: %s)", a.name, l, strings.Join(a.layerNames(), ", "))
		}
		if seen[l] {
			return nil, 0, fmt.Errorf("features: %s: layer %q given twice", a.name, l)
		}
		seen[l] = true
		depth = max(depth, i+1)
	}
	out := slices.Clone(layers)
	slices.SortFunc(out, func(x, y string) int { return pos[x] - pos[y] })
	return out, depth, nil
}

// VGG is a VGG16 or VGG19 feature stack with ImageNet weights, frozen.
// Frames are normalised as the ImageNet models expect, (x − mean)/std per
// RGB channel with mean (0.485, 0.456, 0.406) and std (0.229, 0.224,
// 0.225); gray frames are repeated into three channels first. Only the
// stack up to the deepest chosen layer is built or loaded.
type VGG struct {
	arch   arch
	path   string
	layers []string
	depth  int   // stages built
	widths []int // output channels of each conv built, from the file
	w      *frozen
}

var (
	imagenetMean = []float64{0.485, 0.456, 0.406}
	imagenetStd  = []float64{0.229, 0.224, 0.225}
)

// Name implements Extractor: the variant, the layers and the weights file,
// and the channel widths when they are not the ImageNet model's.
func (v *VGG) Name() string {
	s := fmt.Sprintf("%s:%s (weights: %s", v.arch.name, strings.Join(v.layers, ","), v.path)
	if !v.standard() {
		w := make([]string, len(v.widths))
		for i, c := range v.widths {
			w[i] = fmt.Sprint(c)
		}
		s += fmt.Sprintf("; non-standard widths %s", strings.Join(w, ","))
	}
	return s + ")"
}

// standard reports whether the loaded widths are the ImageNet model's.
func (v *VGG) standard() bool {
	i := 0
	for _, s := range v.arch.stages()[:v.depth] {
		if s.conv >= 0 {
			if v.widths[i] != v.arch.widths[s.block] {
				return false
			}
			i++
		}
	}
	return true
}

// Layers implements Extractor, in the order of the stack.
func (v *VGG) Layers() []string { return slices.Clone(v.layers) }

// Build implements Extractor. The input must have 1 or 3 channels and at
// least 2^p×2^p pixels, p being the number of pools before the deepest layer.
func (v *VGG) Build(g *G.ExprGraph, x *G.Node) ([]*G.Node, error) {
	if err := checkInput(v.arch.name, g, x, 1, 3); err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("features: %s: %w", v.arch.name, err) }
	h := x
	var err error
	if x.Shape()[0] == 1 {
		if h, err = ops.Concat(x, x, x); err != nil {
			return nil, wrap(err)
		}
	}
	scale, shift := make([]float64, 3), make([]float64, 3)
	for c := range 3 {
		scale[c] = 1 / imagenetStd[c]
		shift[c] = -imagenetMean[c] / imagenetStd[c]
	}
	if h, err = ops.ChannelAffine(h, scale, shift); err != nil {
		return nil, wrap(err)
	}
	want := map[string]bool{}
	for _, l := range v.layers {
		want[l] = true
	}
	dt := x.Dtype()
	var out []*G.Node
	for _, s := range v.arch.stages()[:v.depth] {
		if s.conv >= 0 {
			w := v.w.node(g, dt, fmt.Sprintf("features.%d.weight", s.conv))
			b := v.w.node(g, dt, fmt.Sprintf("features.%d.bias", s.conv))
			if h, err = ops.Conv2d(h, w, 1, 1); err == nil {
				h, err = ops.BiasAct(h, b, 0)
			}
		} else {
			h, err = ops.MaxPool2(h)
		}
		if err != nil {
			return nil, wrap(fmt.Errorf("%s (features.%d): %w", s.layer, s.index, err))
		}
		if want[s.layer] {
			out = append(out, h)
		}
	}
	return out, nil
}
