package model

import (
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"framepred/internal/gradcheck"
)

// TestReceptiveField checks ReceptiveField against the network itself: the
// input pixels with a nonzero gradient of one score are exactly the
// field's rows and columns inside the frame (LeakyReLU never zeroes a
// gradient, so with random weights every pixel in the field counts). The
// default must see a whole 32×32 frame's width: a 38-pixel field.
func TestReceptiveField(t *testing.T) {
	for _, tc := range []struct {
		cfg  DiscriminatorConfig
		want Field
		hw   int
	}{
		{DefaultDiscriminatorConfig(), Field{Size: 38, Stride: 8, Offset: 15}, 32},
		{DiscriminatorConfig{Kind: DiscriminatorKind, Version: DiscriminatorVersion, Context: 2, Channels: 1, Downs: 2, Width: 4, MaxWidth: 8}, Field{Size: 18, Stride: 4, Offset: 7}, 16},
	} {
		d := mustDiscriminator(t, tc.cfg, 1)
		f := d.ReceptiveField()
		if f != tc.want {
			t.Errorf("%d downs: field %+v, want %+v", tc.cfg.Downs, f, tc.want)
		}
		if tc.cfg == DefaultDiscriminatorConfig() && f.Size < 32 {
			t.Errorf("the default field of %d px does not span a 32×32 frame", f.Size)
		}
		k, c, hw := tc.cfg.Context, tc.cfg.Channels, tc.hw
		grid := hw / f.Stride
		r := rng(3)
		ctx, cand := to32(gradcheck.Rand(r, k*c, 1, hw, hw)), to32(gradcheck.Rand(r, c, 1, hw, hw))
		for _, cell := range [][2]int{{0, 0}, {1, grid - 1}, {grid / 2, grid / 2}} {
			seen := sensitivity(t, d, ctx, cand, cell[0], cell[1], grid)
			rows := func(i int) (lo, hi int) { return max(0, i*f.Stride-f.Offset), min(hw, i*f.Stride-f.Offset+f.Size) }
			r0, r1 := rows(cell[0])
			c0, c1 := rows(cell[1])
			for y := range hw {
				for x := range hw {
					in := y >= r0 && y < r1 && x >= c0 && x < c1
					if seen[y*hw+x] != in {
						t.Fatalf("%d downs, score %v: pixel (%d,%d) sensitivity %v, the field [%d,%d)×[%d,%d) says %v",
							tc.cfg.Downs, cell, y, x, seen[y*hw+x], r0, r1, c0, c1, in)
					}
				}
			}
			t.Logf("%d downs, score %v sees rows [%d,%d), columns [%d,%d) of %d×%d", tc.cfg.Downs, cell, r0, r1, c0, c1, hw, hw)
		}
	}
}

// sensitivity returns, for each pixel, whether score (i, j) has a nonzero
// gradient with respect to it in any context or candidate channel.
func sensitivity(t *testing.T, d *Discriminator, ctx, cand *tensor.Dense, i, j, grid int) []bool {
	t.Helper()
	g := G.NewGraph()
	cn, fn := input(g, "ctx", ctx), input(g, "cand", cand)
	scores := must(d.Build(g, cn, fn))
	mask := make([]float32, grid*grid)
	mask[i*grid+j] = 1
	one := G.NewTensor(g, tensor.Float32, 4, G.WithShape(1, 1, grid, grid), G.WithName("mask"),
		G.WithValue(tensor.New(tensor.WithShape(1, 1, grid, grid), tensor.WithBacking(mask))))
	score := must(G.Sum(must(G.HadamardProd(scores, one))))
	if _, err := G.Grad(score, cn, fn); err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(cn, fn))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	hw := ctx.Shape()[2] * ctx.Shape()[3]
	seen := make([]bool, hw)
	for _, n := range []*G.Node{cn, fn} {
		gv := must(n.Grad()).(*tensor.Dense).Float32s()
		for k, v := range gv {
			if v != 0 {
				seen[k%hw] = true
			}
		}
	}
	return seen
}

func to32(t *tensor.Dense) *tensor.Dense { return dense32(t.Float64s(), t.Shape()...) }
