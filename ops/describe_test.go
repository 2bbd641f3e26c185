package ops

import (
	"reflect"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestDescribe builds every op (and, through G.Grad, every backward op)
// and checks what Describe says of it.
func TestDescribe(t *testing.T) {
	g := G.NewGraph()
	node := func(name string, shape ...int) *G.Node {
		return G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName(name),
			G.WithValue(tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(shape...))))
	}
	x := node("x", 2, 3, 8, 8)
	w := node("w", 4, 2, 3, 3)
	b := node("b", 4)
	must := func(n *G.Node, err error) *G.Node {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	conv := must(Conv2d(x, w, 2, 1))
	up := must(UpConv2d(x, w, 1))
	act := must(BiasAct(conv, b, 0.2))
	cat := must(Concat(x, x))
	sl := must(Slice0(cat, 1, 3))
	sum := must(Add(sl, x))
	sc := must(Scale(sum, 0.5))
	aff := must(ChannelAffine(sc, []float64{2, 3}, []float64{-1, 1}))
	cl := must(Clamp01(aff))
	upx := must(Upsample2x(cl))
	mp := must(MaxPool2(upx))
	ap := must(AvgPool2(upx))
	geom := ConvGeom{N: 3, In: 2, H: 8, W: 8, Out: 4, KH: 3, KW: 3, Stride: 2, PadH: 1, PadW: 1}
	upGeom := ConvGeom{N: 3, In: 2, H: 16, W: 16, Out: 4, KH: 3, KW: 3, Stride: 1, PadH: 1, PadW: 1}
	losses := []*G.Node{
		must(MeanSquaredDiff(ap, x)), must(MeanAbsDiff(mp, x)), must(MeanSquaredTo(act, 1)),
		must(BCEWithLogitsMean(act, 0)), must(GradDiff(ap, x, 1.5)), must(MeanSquaredTo(up, 0)),
	}
	total := losses[0]
	for _, l := range losses[1:] {
		total = must(G.Add(total, l))
	}
	if _, err := G.Grad(total, x, w, b); err != nil {
		t.Fatal(err)
	}

	want := map[string]Desc{
		conv.Op().String():                            {Kind: KindConv, Geom: geom},
		up.Op().String():                              {Kind: KindConv, Geom: upGeom, Up: true},
		act.Op().String():                             {Kind: KindBiasAct, Slope: 0.2},
		cat.Op().String():                             {Kind: KindConcat, Sizes: []int{2, 2}},
		sl.Op().String():                              {Kind: KindSlice0, From: 1, To: 3, Full: 4},
		sum.Op().String():                             {Kind: KindAdd},
		sc.Op().String():                              {Kind: KindScale, C: 0.5},
		aff.Op().String():                             {Kind: KindChannelAffine, Scale: []float64{2, 3}, Shift: []float64{-1, 1}},
		cl.Op().String():                              {Kind: KindClamp01},
		upx.Op().String():                             {Kind: KindUpsample2x},
		mp.Op().String():                              {Kind: KindMaxPool2},
		ap.Op().String():                              {Kind: KindAvgPool2},
		"MeanSquaredDiff(0)":                          {Kind: KindLoss, Loss: LossMSE},
		"MeanAbsDiff(0)":                              {Kind: KindLoss, Loss: LossMAE},
		"MeanSquaredTo(1)":                            {Kind: KindLoss, Loss: LossMSETo, P: 1},
		"BCEWithLogitsMean(0)":                        {Kind: KindLoss, Loss: LossBCE},
		"GradDiff(1.5)":                               {Kind: KindLoss, Loss: LossGDL, P: 1.5},
		"GradDiff(1.5)Grad1":                          {Kind: KindLossGrad, Loss: LossGDL, P: 1.5, Wrt: 1},
		"MeanSquaredTo(1)Grad0":                       {Kind: KindLossGrad, Loss: LossMSETo, P: 1},
		"Conv2dGradInput(" + geomDesc(geom) + ")":     {Kind: KindConvGradInput, Geom: geom},
		"Conv2dGradFilter(" + geomDesc(geom) + ")":    {Kind: KindConvGradFilter, Geom: geom},
		"UpConv2dGradInput(" + geomDesc(upGeom) + ")": {Kind: KindConvGradInput, Geom: upGeom, Up: true},
		"ActGrad(0.2)":                                {Kind: KindActGrad, Slope: 0.2},
		"ChannelSum":                                  {Kind: KindChannelSum},
		"Slice0Grad[1:3 of 4]":                        {Kind: KindSlice0Grad, From: 1, To: 3, Full: 4},
		"Clamp01Grad":                                 {Kind: KindClamp01Grad},
		"Upsample2xGrad(8×8)":                         {Kind: KindUpsample2xGrad, OutH: 8, OutW: 8},
		"MaxPool2Grad(16×16)":                         {Kind: KindMaxPool2Grad, OutH: 16, OutW: 16},
		"AvgPool2Grad(16×16)":                         {Kind: KindAvgPool2Grad, OutH: 16, OutW: 16},
		"ChannelAffine([2 3],[0 0])":                  {Kind: KindChannelAffine, Scale: []float64{2, 3}, Shift: []float64{0, 0}},
		"Scale(0.5)":                                  {Kind: KindScale, C: 0.5},
	}
	seen := map[string]bool{}
	for _, n := range g.AllNodes() {
		if n.Op() == nil {
			continue
		}
		d, ok := Describe(n.Op())
		name := n.Op().String()
		if w, listed := want[name]; listed {
			seen[name] = true
			if !ok || !reflect.DeepEqual(d, w) {
				t.Errorf("Describe(%s) = %+v, %v; want %+v", name, d, ok, w)
			}
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("no op %s in the graph", name)
		}
	}
	if d, ok := Describe(total.Op()); ok {
		t.Errorf("Describe(gorgonia's %v) = %+v, true", total.Op(), d)
	}
}
