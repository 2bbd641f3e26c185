package gradcheck

import (
	"fmt"
	"hash"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

func TestPassesCorrectGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	x := Rand(r, 3, 4)
	res, err := Check(func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
		sq, err := G.Square(in[0])
		if err != nil {
			return nil, err
		}
		return WeightedSum(sq, 5)
	}, []*tensor.Dense{x}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Checked != 12 {
		t.Fatalf("checked %d elements, want all 12", res.Checked)
	}
	if res.Worst > 1e-6 {
		t.Fatalf("worst error %v", res.Worst)
	}
}

func TestCatchesWrongGradient(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	x := Rand(r, 2, 3)
	for _, factor := range []float64{1.001, 0, -1} {
		t.Run(fmt.Sprint(factor), func(t *testing.T) {
			res, err := Check(func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) {
				y, err := G.ApplyOp(doubleOp{gradFactor: factor}, in[0])
				if err != nil {
					return nil, err
				}
				return WeightedSum(y, 1)
			}, []*tensor.Dense{x}, Options{Samples: 4, Seed: 9})
			if err == nil || !strings.Contains(err.Error(), "exceeds the tolerance") {
				t.Fatalf("a gradient off by factor %v passed: %v, %v", factor, res, err)
			}
			if res.Checked != 4 {
				t.Fatalf("checked %d elements, want the 4 sampled", res.Checked)
			}
		})
	}
}

func TestRefusesNonScalar(t *testing.T) {
	x := Rand(rand.New(rand.NewPCG(3, 3)), 2, 2)
	_, err := Check(func(g *G.ExprGraph, in []*G.Node) (*G.Node, error) { return G.Square(in[0]) }, []*tensor.Dense{x}, Options{})
	if err == nil || !strings.Contains(err.Error(), "want a scalar") {
		t.Fatalf("want an error about the non-scalar value, got %v", err)
	}
}

// doubleOp computes 2x; its symbolic gradient is gradFactor·2·dy, so any
// gradFactor but 1 makes it wrong.
type doubleOp struct{ gradFactor float64 }

func (op doubleOp) Arity() int { return 1 }
func (op doubleOp) Type() hm.Type {
	t := G.TensorType{Dims: 2, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t)
}
func (op doubleOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	return in[0].(tensor.Shape).Clone(), nil
}
func (op doubleOp) Do(vs ...G.Value) (G.Value, error) {
	x := vs[0].(*tensor.Dense)
	out := x.Clone().(*tensor.Dense)
	for i, v := range out.Float64s() {
		out.Float64s()[i] = 2 * v
	}
	return out, nil
}
func (op doubleOp) ReturnsPtr() bool      { return false }
func (op doubleOp) CallsExtern() bool     { return false }
func (op doubleOp) OverwritesInput() int  { return -1 }
func (op doubleOp) WriteHash(h hash.Hash) { fmt.Fprint(h, op.String()) }
func (op doubleOp) Hashcode() uint32      { return uint32(op.gradFactor*1000) + 17 }
func (op doubleOp) String() string        { return fmt.Sprintf("double(%v)", op.gradFactor) }
func (op doubleOp) DiffWRT(int) []bool    { return []bool{true} }
func (op doubleOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	g, err := G.Mul(grad, G.NewConstant(2*op.gradFactor))
	return G.Nodes{g}, err
}
