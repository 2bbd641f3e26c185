package synth

import "framepred/frame"

// shapeMask returns the side×side pixels, row-major, that the shape covers.
func shapeMask(sh Shape, side int) []bool {
	m := make([]bool, side*side)
	r := float64(side) / 2
	for y := range side {
		for x := range side {
			switch sh {
			case Disc:
				dx, dy := float64(x)+0.5-r, float64(y)+0.5-r
				m[y*side+x] = dx*dx+dy*dy <= r*r
			default:
				m[y*side+x] = true
			}
		}
	}
	return m
}

// render draws every frame of tr: the context, then each branch.
func (g *Generator) render(tr Track, source string) frame.Clip {
	mask := g.masks[tr.Side-g.cfg.MinSide]
	draw := func(p Point) frame.Frame {
		return g.drawFrame(tr, mask, p)
	}
	c := frame.Clip{
		Context:  make([]frame.Frame, len(tr.Context)),
		Branches: make([][]frame.Frame, len(tr.Branches)),
		Source:   source,
	}
	for t, p := range tr.Context {
		c.Context[t] = draw(p)
	}
	for j, ps := range tr.Branches {
		c.Branches[j] = make([]frame.Frame, len(ps))
		for t, p := range ps {
			c.Branches[j][t] = draw(p)
		}
	}
	c.Future = c.Branches[tr.Choice]
	return c
}

// drawFrame paints the background and the shape with its box's corner at p.
// Pixels outside the frame are skipped (a Generator's tracks have none).
func (g *Generator) drawFrame(tr Track, mask []bool, p Point) frame.Frame {
	f := frame.New(g.cfg.Channels, g.cfg.Height, g.cfg.Width)
	s := tr.Side
	for ch := range f.C {
		pl := f.Plane(ch)
		if bg := tr.Background[ch]; bg != 0 {
			for k := range pl {
				pl[k] = bg
			}
		}
		col := tr.Color[ch]
		for y := range s {
			fy := p.Y + y
			if fy < 0 || fy >= f.H {
				continue
			}
			row := pl[fy*f.W : (fy+1)*f.W]
			for x := range s {
				fx := p.X + x
				if fx >= 0 && fx < f.W && mask[y*s+x] {
					row[fx] = col
				}
			}
		}
	}
	return f
}
