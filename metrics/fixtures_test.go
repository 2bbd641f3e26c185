package metrics

import "framepred/frame"

// The fixtures of testdata/reference.py, built from the same integer
// formulas: values k/255, identical in float32 in Go and numpy.

// sceneK is a textured gradient with a bright rectangle; seed shifts both.
func sceneK(h, w, seed int) []int {
	k := make([]int, h*w)
	for y := range h {
		for x := range w {
			v := (37*x + 11*y + ((x*y+seed)%13)*5 + 17*seed) % 256
			if y >= 8 && y < 18 && x >= 10+seed && x < 22+seed {
				v = 255
			}
			k[y*w+x] = v
		}
	}
	return k
}

// degradedK is the scene with its rectangle moved by 2 px and a ripple.
func degradedK(h, w, seed int) []int {
	k := sceneK(h, w, seed+2)
	for y := range h {
		for x := range w {
			k[y*w+x] = min(max(k[y*w+x]+(x*7+y*13)%11-5, 0), 255)
		}
	}
	return k
}

// fromK returns a frame whose channel c holds planes[c] / 255.
func fromK(h, w int, planes ...[]int) frame.Frame {
	f := frame.New(len(planes), h, w)
	for c, p := range planes {
		for i, k := range p {
			f.Pix[c*h*w+i] = float32(k) / 255
		}
	}
	return f
}

// fixtureGray returns the 32×40 gray scene and its degraded version.
func fixtureGray() (scene, deg frame.Frame) {
	return fromK(32, 40, sceneK(32, 40, 0)), fromK(32, 40, degradedK(32, 40, 0))
}

// fixtureRGB returns the 24×36 RGB scene and its degraded version.
func fixtureRGB() (scene, deg frame.Frame) {
	return fromK(24, 36, sceneK(24, 36, 0), sceneK(24, 36, 1), sceneK(24, 36, 3)),
		fromK(24, 36, degradedK(24, 36, 0), degradedK(24, 36, 1), degradedK(24, 36, 3))
}

// fixtureGhost returns the mean of the gray scene and the scene with its
// rectangle moved, in float32.
func fixtureGhost() frame.Frame {
	a, b := fromK(32, 40, sceneK(32, 40, 0)), fromK(32, 40, sceneK(32, 40, 2))
	g := frame.New(1, 32, 40)
	for i := range g.Pix {
		g.Pix[i] = float32(0.5*a.Pix[i]) + float32(0.5*b.Pix[i])
	}
	return g
}
