package decode

import "math"

// picker assigns evenly spaced output times start, start+step, ... (below
// end) to decoded frames. Each output time gets the frame whose timestamp is
// nearest: a frame at time p, between neighbours at p0 and p1, covers the
// times in ((p0+p)/2, (p+p1)/2]. A tie goes to the earlier frame, so
// doubling the rate shows every frame twice; times within tie of a midpoint
// count as ties, because timestamps are rounded to the stream's time base.
// Frames arrive in timestamp order, so the picker only needs the upper
// bound of the frame it holds.
type picker struct {
	start, step, end float64 // seconds; end is +Inf when open
	tie              float64 // seconds
	k                int     // index of the next output time
}

func newPicker(start, fps, end, tie float64) picker {
	return picker{start: start, step: 1 / fps, end: end - 1e-9, tie: tie}
}

// next returns the next output time.
func (p *picker) next() float64 { return p.start + float64(p.k)*p.step }

// take counts and consumes the output times up to hi (and below end). It
// computes the count rather than stepping, so a timestamp jump in a broken
// file cannot stall it.
func (p *picker) take(hi float64) int {
	b := min(hi+p.tie, p.end)
	if !(b > p.next()) || math.IsInf(b, 1) {
		return 0 // also NaN
	}
	q := math.Ceil((b - p.start) / p.step) // first index at or past b, up to rounding
	k := int(min(q, 1<<40))
	for k > p.k && p.start+float64(k-1)*p.step >= b {
		k--
	}
	for p.start+float64(k)*p.step < b && k < 1<<40 {
		k++
	}
	n := k - p.k
	p.k = k
	return n
}

// done reports whether every output time before end has been taken.
func (p *picker) done() bool { return p.next() >= p.end }

// endTime returns start+d in seconds, or +Inf when d is 0.
func endTime(start, d float64) float64 {
	if d <= 0 {
		return math.Inf(1)
	}
	return start + d
}
