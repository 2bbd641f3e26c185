package features

import (
	"fmt"
	"math"
	"regexp"
	"strconv"

	"framepred/safetensors"
)

// LoadVGG19 reads VGG19's ImageNet weights from a safetensors file with
// torchvision's tensor names (features.{i}.weight, Out×In×3×3, and
// features.{i}.bias), as in timm's vgg19.tv_in1k model.safetensors, and
// returns the extractor for the given layers (default relu1_2, relu2_2,
// relu3_4). Layers are relu<block>_<conv> and pool<block>.
//
// Only the convolutions up to the deepest layer are read. Their output
// widths come from the file and must chain (each conv's input channels are
// the previous one's outputs, the first takes 3); a file with other widths
// than ImageNet VGG19's (64, 128, 256, 512) loads, and Name says so. A file
// whose features.* tensors do not fit VGG19's layout (a VGG16 or a
// batch-norm variant) is refused.
func LoadVGG19(path string, layers ...string) (*VGG, error) { return loadVGG(vgg19, path, layers) }

// LoadVGG16 is LoadVGG19 for VGG16 (default layers relu1_2, relu2_2,
// relu3_3), as in timm's vgg16.tv_in1k.
func LoadVGG16(path string, layers ...string) (*VGG, error) { return loadVGG(vgg16, path, layers) }

var featureName = regexp.MustCompile(`^features\.(\d+)\.(weight|bias)$`)

func loadVGG(a arch, path string, layers []string) (*VGG, error) {
	layers, depth, err := a.resolve(layers)
	if err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("features: %s weights %s: %s", a.name, path, fmt.Sprintf(format, args...))
	}
	hdr, err := safetensors.ReadHeader(path)
	if err != nil {
		return nil, fmt.Errorf("features: %s weights: %w", a.name, err)
	}

	// Every features.* tensor must sit on a convolution of this variant.
	convAt := map[int]bool{}
	for _, s := range a.stages() {
		if s.conv >= 0 {
			convAt[s.conv] = true
		}
	}
	for _, n := range hdr.Names() {
		m := featureName.FindStringSubmatch(n)
		if m == nil {
			continue
		}
		i, err := strconv.Atoi(m[1])
		if err != nil || !convAt[i] {
			return nil, bad("tensor %q is not a convolution of %s (convolutions are at features.%s); is this a %s file?",
				n, a.name, convIndices(a), otherVariant(a))
		}
	}

	// The convolutions needed, checked on the header before reading data.
	var names []string
	var widths []int
	in := 3
	for _, s := range a.stages()[:depth] {
		if s.conv < 0 {
			continue
		}
		wn, bn := fmt.Sprintf("features.%d.weight", s.conv), fmt.Sprintf("features.%d.bias", s.conv)
		wi, ok := hdr.Info(wn)
		if !ok {
			return nil, bad("no tensor %q (the weights of %s's %s convolution; the file has %d tensors)", wn, a.name, convName(s.layer), len(hdr.Names()))
		}
		bi, ok := hdr.Info(bn)
		if !ok {
			return nil, bad("no tensor %q (the bias of %s's %s convolution)", bn, a.name, convName(s.layer))
		}
		for _, t := range []struct {
			name string
			info safetensors.Info
		}{{wn, wi}, {bn, bi}} {
			switch t.info.DType {
			case safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F64:
			default:
				return nil, bad("tensor %q is %s, want a float type", t.name, t.info.DType)
			}
		}
		s := wi.Shape
		if len(s) != 4 || s[1] != in || s[2] != 3 || s[3] != 3 || s[0] < 1 {
			return nil, bad("tensor %q has shape %v, want (Out, %d, 3, 3)", wn, s, in)
		}
		if len(bi.Shape) != 1 || bi.Shape[0] != s[0] {
			return nil, bad("tensor %q has shape %v, want (%d) to match %q", bn, bi.Shape, s[0], wn)
		}
		names = append(names, wn, bn)
		widths = append(widths, s[0])
		in = s[0]
	}

	f, err := safetensors.ReadFile(path, names...)
	if err != nil {
		return nil, fmt.Errorf("features: %s weights: %w", a.name, err)
	}
	w := newFrozen(a.name)
	for _, n := range names {
		t, err := f.Tensor(n)
		if err == nil {
			var v []float32
			if v, err = t.Float32s(); err == nil {
				for _, x := range v {
					if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
						return nil, bad("tensor %q holds NaN or infinite values", n)
					}
				}
				w.ensure(n, func(put func(string, []int, []float32)) { put(n, t.Shape, v) })
			}
		}
		if err != nil {
			return nil, bad("tensor %q: %v", n, err)
		}
	}
	return &VGG{arch: a, path: path, layers: layers, depth: depth, widths: widths, w: w}, nil
}

func convIndices(a arch) string {
	s := ""
	for _, st := range a.stages() {
		if st.conv >= 0 {
			if s != "" {
				s += ","
			}
			s += strconv.Itoa(st.conv)
		}
	}
	return s
}

func otherVariant(a arch) string {
	if a.name == "vgg19" {
		return "VGG16 or batch-norm VGG19"
	}
	return "VGG19 or batch-norm VGG16"
}

// convName turns "relu2_1" into "conv2_1".
func convName(relu string) string { return "conv" + relu[len("relu"):] }
