package ops

import (
	"slices"

	G "gorgonia.org/gorgonia"
)

// Kind names what one of this package's ops computes, for backends that
// run the same graphs with kernels of their own (framepred/gpu).
type Kind int

const (
	KindConv           Kind = iota + 1 // (x, w) → conv(x, w); Up: of x upsampled 2× (UpConv2d)
	KindConvGradInput                  // (w, dOut) → dx
	KindConvGradFilter                 // (x, dOut) → dw
	KindBiasAct                        // (x, b) → leaky(x + b[c]) with Slope
	KindActGrad                        // (y, dy) → dy where y > 0, Slope·dy elsewhere
	KindChannelSum                     // (x) → per-channel sums (axis 0)
	KindUpsample2x                     // (x) → x upsampled 2×, nearest
	KindUpsample2xGrad                 // (dy) → dx, sums of 2×2 blocks; OutH×OutW planes
	KindMaxPool2                       // (x) → 2×2 maxima
	KindMaxPool2Grad                   // (x, dy) → dx; OutH×OutW planes
	KindAvgPool2                       // (x) → 2×2 means
	KindAvgPool2Grad                   // (dy) → dx; OutH×OutW planes
	KindConcat                         // (xs...) → xs joined on axis 0, Sizes channels each
	KindSlice0                         // (x) → channels [From, To) of Full
	KindSlice0Grad                     // (dy) → zeros of Full channels with dy at [From, To)
	KindAdd                            // (a, b) → a + b
	KindScale                          // (x) → C·x
	KindChannelAffine                  // (x) → x·Scale[c] + Shift[c]
	KindClamp01                        // (x) → x clamped to [0, 1]
	KindClamp01Grad                    // (x, dy) → dy where 0 ≤ x ≤ 1, else 0
	KindLoss                           // (a[, b]) → a scalar loss: Loss, P
	KindLossGrad                       // (a[, b], dLoss) → the gradient of input Wrt
)

// LossKind is a fused loss.
type LossKind int

const (
	LossMSE   LossKind = iota // MeanSquaredDiff(a, b)
	LossMAE                   // MeanAbsDiff(a, b)
	LossMSETo                 // MeanSquaredTo(a, P)
	LossBCE                   // BCEWithLogitsMean(a, P)
	LossGDL                   // GradDiff(a, b, alpha P)
)

// Desc is what an op computes: its kind and parameters. Only the fields of
// the kind are set.
type Desc struct {
	Kind Kind

	Geom ConvGeom // the conv kinds; for Up, the geometry on the upsampled input
	Up   bool

	Slope float64 // BiasAct, ActGrad

	OutH, OutW int // the gradient kinds of pooling and upsampling: the planes of dx

	Sizes          []int // Concat: channels of each input
	From, To, Full int   // Slice0, Slice0Grad

	C            float64   // Scale
	Scale, Shift []float64 // ChannelAffine

	Loss LossKind // Loss, LossGrad
	P    float64  // GDL's alpha or the constant target
	Wrt  int      // LossGrad: 0 for a, 1 for b
}

// Describe tells what op computes when it is one of this package's ops;
// ok is false for any other op (gorgonia's own, for instance). The
// returned slices are copies.
func Describe(op G.Op) (d Desc, ok bool) {
	switch o := op.(type) {
	case *convOp:
		return Desc{Kind: KindConv, Geom: o.g, Up: o.up}, true
	case *convInputGradOp:
		return Desc{Kind: KindConvGradInput, Geom: o.g, Up: o.up}, true
	case *convFilterGradOp:
		return Desc{Kind: KindConvGradFilter, Geom: o.g, Up: o.up}, true
	case *biasActOp:
		return Desc{Kind: KindBiasAct, Slope: o.slope}, true
	case *actGradOp:
		return Desc{Kind: KindActGrad, Slope: o.slope}, true
	case *channelSumOp:
		return Desc{Kind: KindChannelSum}, true
	case *planeOp:
		k := map[planeKind]Kind{upsample: KindUpsample2x, upsampleGrad: KindUpsample2xGrad, maxPool: KindMaxPool2,
			maxPoolGrad: KindMaxPool2Grad, avgPool: KindAvgPool2, avgPoolGrad: KindAvgPool2Grad}[o.kind]
		return Desc{Kind: k, OutH: o.outH, OutW: o.outW}, k != 0
	case *concatOp:
		return Desc{Kind: KindConcat, Sizes: slices.Clone(o.sizes)}, true
	case *sliceOp:
		k := KindSlice0
		if o.pad {
			k = KindSlice0Grad
		}
		return Desc{Kind: k, From: o.from, To: o.to, Full: o.full}, true
	case *ewOp:
		switch o.kind {
		case ewAdd:
			return Desc{Kind: KindAdd}, true
		case ewScale:
			return Desc{Kind: KindScale, C: o.c}, true
		case ewAffine:
			return Desc{Kind: KindChannelAffine, Scale: slices.Clone(o.scale), Shift: slices.Clone(o.shift)}, true
		case ewClamp:
			return Desc{Kind: KindClamp01}, true
		case ewClampGrad:
			return Desc{Kind: KindClamp01Grad}, true
		}
	case *lossOp:
		return Desc{Kind: KindLoss, Loss: LossKind(o.kind), P: o.p}, true
	case *lossGradOp:
		return Desc{Kind: KindLossGrad, Loss: LossKind(o.loss.kind), P: o.loss.p, Wrt: o.wrt}, true
	}
	return Desc{}, false
}
