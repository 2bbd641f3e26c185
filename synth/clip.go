package synth

import "framepred/frame"

// Frames returns the clip's frames in display order: the context, then the
// future. The frames are shared with c, not copied.
func Frames(c frame.Clip) []frame.Frame {
	fs := make([]frame.Frame, 0, c.Len())
	fs = append(fs, c.Context...)
	return append(fs, c.Future...)
}

// BranchFrames returns the context followed by branch j's future: the video
// of one possible outcome. The frames are shared with c.
func BranchFrames(c frame.Clip, j int) []frame.Frame {
	fs := make([]frame.Frame, 0, len(c.Context)+len(c.Branches[j]))
	fs = append(fs, c.Context...)
	return append(fs, c.Branches[j]...)
}

// Mean returns, for each future frame, the pixel mean of all branches: the
// prediction that minimises the expected squared error when the branches
// are equally likely. It returns nil when c has no branches.
func Mean(c frame.Clip) []frame.Frame {
	if len(c.Branches) == 0 {
		return nil
	}
	n := len(c.Branches)
	out := make([]frame.Frame, len(c.Branches[0]))
	for t := range out {
		f0 := c.Branches[0][t]
		m := frame.New(f0.C, f0.H, f0.W)
		for k := range m.Pix {
			var sum float64
			for j := range n {
				sum += float64(c.Branches[j][t].Pix[k])
			}
			m.Pix[k] = float32(sum / float64(n))
		}
		out[t] = m
	}
	return out
}
