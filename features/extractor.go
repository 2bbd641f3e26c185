package features

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Extractor is a frozen feature network: it maps a batch of frames to one
// feature map per chosen layer. Its weights are constants of the graph, never
// trained; gradients flow through it to its input only.
type Extractor interface {
	// Name says what the extractor is and, for loaded weights, where they
	// came from, e.g. "vgg19:relu1_2,relu2_2,relu3_4 (weights:
	// /data/model.safetensors)" or "edges: fixed oriented-edge bank
	// (0/45/90/135°), 2 scales". Everything that reports a perceptual loss
	// prints it.
	Name() string
	// Layers names the feature maps Build returns, in the same order.
	Layers() []string
	// Build adds the extractor to g on x, a C×N×H×W (CNHW) batch of frames
	// in [0, 1] with C = 1 (gray) or 3 (RGB), float32 or float64, and
	// returns one CNHW node per layer. Building twice in one graph (on the
	// prediction and on the truth) shares the weight nodes.
	Build(g *G.ExprGraph, x *G.Node) ([]*G.Node, error)
}

// Default is the spec of the extractor used when none is chosen: the
// embedded edge bank, which needs no weights file.
const Default = "edges"

// New returns the extractor a spec names:
//
//	edges                  the fixed oriented-edge bank (Edges)
//	random                 the seeded random conv stack (Random(DefaultSeed))
//	vgg19, vgg16           VGG with ImageNet weights from the file at weights,
//	                       default layers (LoadVGG19, LoadVGG16)
//	vgg19:relu1_2,relu2_2  the same with the layers listed
//
// weights must be empty for edges and random and name a safetensors file for
// VGG.
func New(spec, weights string) (Extractor, error) {
	kind, layerList, hasLayers := strings.Cut(strings.TrimSpace(spec), ":")
	var layers []string
	if hasLayers {
		for _, l := range strings.Split(layerList, ",") {
			layers = append(layers, strings.TrimSpace(l))
		}
	}
	switch kind {
	case "edges", "random":
		if hasLayers {
			return nil, fmt.Errorf("features: %q: the %s extractor has fixed layers %v; drop %q", spec, kind, fixedLayers(kind), ":"+layerList)
		}
		if weights != "" {
			return nil, fmt.Errorf("features: the %s extractor is built in and takes no weights file (got %s)", kind, weights)
		}
		if kind == "edges" {
			return Edges(), nil
		}
		return Random(DefaultSeed), nil
	case "vgg19", "vgg16":
		if weights == "" {
			return nil, fmt.Errorf("features: %s needs its ImageNet weights: give the path of a safetensors file (see the package documentation for where to get one)", kind)
		}
		if kind == "vgg19" {
			return LoadVGG19(weights, layers...)
		}
		return LoadVGG16(weights, layers...)
	}
	return nil, fmt.Errorf("features: unknown extractor %q (known: edges, random, vgg19, vgg16)", spec)
}

func fixedLayers(kind string) []string {
	if kind == "edges" {
		return edgeLayers
	}
	return randomLayers
}

// checkInput checks what every Build needs of its input.
func checkInput(name string, g *G.ExprGraph, x *G.Node, channels ...int) error {
	s := x.Shape()
	if s.Dims() != 4 {
		return fmt.Errorf("features: %s: want a 4-D CNHW input, got shape %v", name, s)
	}
	if x.Graph() != g {
		return fmt.Errorf("features: %s: the input node belongs to another graph", name)
	}
	if dt := x.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
		return fmt.Errorf("features: %s: input is %v, want float32 or float64", name, dt)
	}
	if len(channels) > 0 {
		ok := false
		for _, c := range channels {
			ok = ok || s[0] == c
		}
		if !ok {
			return fmt.Errorf("features: %s: input has %d channels (shape %v), want %v", name, s[0], s, channels)
		}
	}
	return nil
}

// instances numbers the extractors made, so that the weight nodes of two
// extractors never share a name (gorgonia merges input nodes by name).
var instances atomic.Uint64

// frozen holds an extractor's constant tensors, kept in float32 and
// converted to float64 on first use by a float64 graph.
type frozen struct {
	prefix string // unique node-name prefix

	mu   sync.Mutex
	f32  map[string]*tensor.Dense
	f64  map[string]*tensor.Dense
	done map[string]bool
}

func newFrozen(kind string) *frozen {
	return &frozen{
		prefix: fmt.Sprintf("features.%s#%d/", kind, instances.Add(1)),
		f32:    map[string]*tensor.Dense{},
		f64:    map[string]*tensor.Dense{},
		done:   map[string]bool{},
	}
}

// ensure runs fill once per key, under the lock, to store the tensors that
// key stands for; put stores one float32 tensor under a name.
func (f *frozen) ensure(key string, fill func(put func(name string, shape []int, v []float32))) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done[key] {
		return
	}
	fill(func(name string, shape []int, v []float32) {
		f.f32[name] = tensor.New(tensor.WithShape(shape...), tensor.WithBacking(v))
	})
	f.done[key] = true
}

// node returns a graph node holding the named tensor in dtype dt. Its value
// is the stored tensor itself (no copy): nodes in several graphs share it,
// and nothing writes to it.
func (f *frozen) node(g *G.ExprGraph, dt tensor.Dtype, name string) *G.Node {
	f.mu.Lock()
	t32, ok := f.f32[name]
	if !ok {
		f.mu.Unlock()
		panic(fmt.Sprintf("features: no frozen tensor %q", name))
	}
	t := t32
	if dt == tensor.Float64 {
		t = f.f64[name]
		if t == nil {
			src := t32.Float32s()
			v := make([]float64, len(src))
			for i, x := range src {
				v[i] = float64(x)
			}
			t = tensor.New(tensor.WithShape(t32.Shape().Clone()...), tensor.WithBacking(v))
			f.f64[name] = t
		}
	}
	f.mu.Unlock()
	return G.NewTensor(g, dt, t.Dims(), G.WithShape(t.Shape().Clone()...), G.WithName(f.prefix+name), G.WithValue(t))
}
