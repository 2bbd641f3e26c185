package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"framepred/frame"
)

// Split names a stream of samples. Its samples are keyed by (seed, split,
// index), so the two splits never share a random stream.
type Split int

const (
	Train   Split = iota // samples for training
	HeldOut              // samples for evaluation only
)

func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case HeldOut:
		return "heldout"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// Point is a pixel position: column X, row Y, with y growing downward.
type Point struct{ X, Y int }

// Add returns p+q.
func (p Point) Add(q Point) Point { return Point{p.X + q.X, p.Y + q.Y} }

// Sub returns p-q.
func (p Point) Sub(q Point) Point { return Point{p.X - q.X, p.Y - q.Y} }

// Scale returns k·p.
func (p Point) Scale(k int) Point { return Point{k * p.X, k * p.Y} }

// Track is the geometry of one sample: where the shape's Side×Side box has
// its top-left corner in every frame, and the colours it is drawn with.
type Track struct {
	Side     int
	Velocity Point     // px per frame, the same in every frame and branch
	Context  []Point   // corner in each context frame
	Branches [][]Point // Branches[j][t]: corner in future frame t of branch j
	Kicks    []Point   // Kicks[j]: branch j's sideways jump
	Choice   int       // the drawn branch; the clip's Future is branch Choice

	// Color and Background are RGB; a gray data set uses channel 0 only,
	// which is 1 for the shape and 0 for the background.
	Color, Background [3]float32
}

// combo is one (side, velocity) pair that fits the frame, with its jumps,
// the range of start corners whose track stays inside, and its probability
// weight.
type combo struct {
	side   int
	vel    Point
	kicks  []Point
	lo, hi Point // start corner range, inclusive
}

// Generator makes the samples of one data set. It is safe for concurrent use.
type Generator struct {
	cfg    Config
	split  Split
	combos []combo
	cum    []float64 // cumulative weights of combos
	masks  [][]bool  // masks[side-MinSide]: side×side, row-major
}

// New checks cfg and prepares a generator for its training split.
func New(cfg Config) (*Generator, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	g := &Generator{cfg: cfg, split: Train}
	if err := g.buildTable(); err != nil {
		return nil, err
	}
	for s := cfg.MinSide; s <= min(cfg.MaxSide, cfg.Height, cfg.Width); s++ {
		g.masks = append(g.masks, shapeMask(cfg.Shape, s))
	}
	return g, nil
}

// Config returns the generator's configuration.
func (g *Generator) Config() Config { return g.cfg }

// Split returns the split the generator draws from.
func (g *Generator) Split() Split { return g.split }

// HeldOut returns a generator with the same configuration that draws the
// held-out split. Its samples never share random draws with the training
// split's.
func (g *Generator) HeldOut() *Generator {
	h := *g
	h.split = HeldOut
	return &h
}

// Train returns a generator with the same configuration that draws the
// training split.
func (g *Generator) Train() *Generator {
	t := *g
	t.split = Train
	return &t
}

// velocities lists the integer velocities with MinSpeed ≤ |v| ≤ MaxSpeed
// that could move the shape inside the frame at all.
func velocities(c Config) []Point {
	var vs []Point
	mx := int(min(math.Floor(c.MaxSpeed), float64(c.Width-1)))
	my := int(min(math.Floor(c.MaxSpeed), float64(c.Height-1)))
	for vx := -mx; vx <= mx; vx++ {
		for vy := -my; vy <= my; vy++ {
			sp := math.Hypot(float64(vx), float64(vy))
			if sp >= c.MinSpeed && sp <= c.MaxSpeed {
				vs = append(vs, Point{vx, vy})
			}
		}
	}
	return vs
}

// kicks returns the n sideways jumps for velocity v: Kick px along
// (-vy, vx)/|v| rotated by 2πj/n, rounded half to even like the reference
// experiment. For even n, jump j+n/2 is exactly minus jump j.
func kicks(v Point, kick float64, n int) []Point {
	sp := math.Hypot(float64(v.X), float64(v.Y))
	nx, ny := -float64(v.Y)/sp, float64(v.X)/sp
	ks := make([]Point, n)
	for j := range n {
		if n%2 == 0 && j >= n/2 {
			ks[j] = ks[j-n/2].Scale(-1)
			continue
		}
		a := 2 * math.Pi * float64(j) / float64(n)
		c, s := math.Cos(a), math.Sin(a)
		if j == 0 {
			c, s = 1, 0
		}
		ks[j] = Point{
			X: int(math.RoundToEven(kick * (c*nx - s*ny))),
			Y: int(math.RoundToEven(kick * (s*nx + c*ny))),
		}
	}
	return ks
}

// minSeparation returns the smallest Chebyshev distance between two jumps.
func minSeparation(ks []Point) int {
	sep := math.MaxInt
	for a := range ks {
		for b := a + 1; b < len(ks); b++ {
			d := max(abs(ks[a].X-ks[b].X), abs(ks[a].Y-ks[b].Y))
			sep = min(sep, d)
		}
	}
	return sep
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// maxCombos bounds the (side, velocity) table.
const maxCombos = 1 << 22

// buildTable lists every (side, velocity) pair that fits, weighted so that
// drawing from it equals the reference's rejection sampling: side uniform,
// velocity uniform, start corner uniform over the (W-s+1)×(H-s+1) corners
// that keep a still shape inside, and tracks that leave the frame or whose
// branches come closer than MinGap dropped.
func (g *Generator) buildTable() error {
	c := g.cfg
	vs := velocities(c)
	if len(vs) == 0 {
		return fmt.Errorf("synth: bad config: no integer velocity has speed %g–%g inside a %dx%d frame",
			c.MinSpeed, c.MaxSpeed, c.Width, c.Height)
	}
	maxSide := min(c.MaxSide, c.Height, c.Width)
	if n := (maxSide - c.MinSide + 1) * len(vs); n > maxCombos {
		return fmt.Errorf("synth: bad config: %d side/velocity pairs, more than %d", n, maxCombos)
	}
	total := 0.0
	for _, v := range vs {
		ks := kicks(v, c.Kick, c.Branches)
		sep := minSeparation(ks)
		// Bounding box of the corner's offsets from the start corner over
		// the whole track. Positions are linear in time, so the extremes
		// are at the first and last frame of each segment.
		var lo, hi Point
		grow := func(p Point) {
			lo = Point{min(lo.X, p.X), min(lo.Y, p.Y)}
			hi = Point{max(hi.X, p.X), max(hi.Y, p.Y)}
		}
		grow(v.Scale(c.Context - 1))
		for _, k := range ks {
			grow(v.Scale(c.Context).Add(k))
			grow(v.Scale(c.Context + c.Future - 1).Add(k))
		}
		for s := c.MinSide; s <= maxSide; s++ {
			if sep < s+MinGap {
				continue
			}
			start0 := Point{-lo.X, -lo.Y}
			start1 := Point{c.Width - s - hi.X, c.Height - s - hi.Y}
			nx, ny := start1.X-start0.X+1, start1.Y-start0.Y+1
			if nx <= 0 || ny <= 0 {
				continue
			}
			total += float64(nx*ny) / float64((c.Width-s+1)*(c.Height-s+1))
			g.combos = append(g.combos, combo{side: s, vel: v, kicks: ks, lo: start0, hi: start1})
			g.cum = append(g.cum, total)
		}
	}
	if len(g.combos) == 0 {
		return fmt.Errorf("synth: bad config: no track fits: a %s of side %d–%d moving %d+%d frames at %g–%g px/frame "+
			"with %d jumps of %g px (at least side+%d px apart) does not stay inside %dx%d",
			c.Shape, c.MinSide, c.MaxSide, c.Context, c.Future, c.MinSpeed, c.MaxSpeed,
			c.Branches, c.Kick, MinGap, c.Width, c.Height)
	}
	return nil
}

// golden is 2⁶⁴/φ, the usual odd constant for spreading seeds.
const golden = 0x9e3779b97f4a7c15

// mix64 is SplitMix64's finaliser: a bijection on uint64 that scatters
// nearby inputs.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// rng returns the random stream of sample i. The first PCG word depends on
// (seed, split) only and the second on it and i, so within a split distinct
// indices get distinct states, and the two splits of one seed never share a
// state.
func (g *Generator) rng(i int64) *rand.Rand {
	k := mix64(g.cfg.Seed + golden*uint64(g.split+1))
	return rand.New(rand.NewPCG(k, mix64(k^mix64(uint64(i)))))
}

// Track returns the geometry of sample i of the generator's split. Any i,
// negative included, names a sample.
func (g *Generator) Track(i int64) Track {
	c := g.cfg
	r := g.rng(i)
	u := r.Float64() * g.cum[len(g.cum)-1]
	ci := sort.Search(len(g.cum), func(k int) bool { return g.cum[k] > u })
	ci = min(ci, len(g.cum)-1) // guards against rounding at the top end
	cb := g.combos[ci]
	p0 := Point{
		X: cb.lo.X + r.IntN(cb.hi.X-cb.lo.X+1),
		Y: cb.lo.Y + r.IntN(cb.hi.Y-cb.lo.Y+1),
	}
	tr := Track{
		Side:     cb.side,
		Velocity: cb.vel,
		Context:  make([]Point, c.Context),
		Branches: make([][]Point, c.Branches),
		Kicks:    append([]Point(nil), cb.kicks...),
		Choice:   r.IntN(c.Branches),
	}
	for t := range tr.Context {
		tr.Context[t] = p0.Add(cb.vel.Scale(t))
	}
	for j, k := range cb.kicks {
		tr.Branches[j] = make([]Point, c.Future)
		for t := range tr.Branches[j] {
			tr.Branches[j][t] = p0.Add(cb.vel.Scale(c.Context + t)).Add(k)
		}
	}
	if c.Channels == 1 {
		tr.Color = [3]float32{1, 1, 1}
	} else {
		tr.Color = hueColor(r.Float64())
		for ch := range tr.Background {
			tr.Background[ch] = float32(r.Float64() * maxBackground)
		}
	}
	return tr
}

// maxBackground bounds each channel of an RGB background, so the shape,
// whose brightest channel is 1, always stands out.
const maxBackground = 0.25

// hueColor returns the fully saturated, full-value colour of hue h in [0,1).
func hueColor(h float64) [3]float32 {
	x := h * 6
	f := float32(x - math.Floor(x))
	switch int(x) % 6 {
	case 0:
		return [3]float32{1, f, 0}
	case 1:
		return [3]float32{1 - f, 1, 0}
	case 2:
		return [3]float32{0, 1, f}
	case 3:
		return [3]float32{0, 1 - f, 1}
	case 4:
		return [3]float32{f, 0, 1}
	default:
		return [3]float32{1, 0, 1 - f}
	}
}

// Sample returns sample i of the generator's split: Context and Future
// frames, every branch in Branches, and Future being Branches[Choice] (the
// same frames, not a copy).
func (g *Generator) Sample(i int64) frame.Clip {
	return g.render(g.Track(i), g.source(i))
}

// Batch returns samples start, start+1, ..., start+n-1.
func (g *Generator) Batch(start int64, n int) []frame.Clip {
	if n < 0 {
		panic(fmt.Sprintf("synth: Batch of %d samples", n))
	}
	clips := make([]frame.Clip, n)
	for k := range clips {
		clips[k] = g.Sample(start + int64(k))
	}
	return clips
}

func (g *Generator) source(i int64) string {
	return fmt.Sprintf("synth seed=%d %s sample=%d", g.cfg.Seed, g.split, i)
}
