package frame

// Clip is a window of consecutive frames: the Context a model sees and the
// Future it must predict. All frames share one shape.
type Clip struct {
	Context []Frame
	Future  []Frame

	// Branches, when not nil, lists every possible future of the context
	// (each as long as Future); Future is one of them. Only synthetic data
	// whose futures are known sets it.
	Branches [][]Frame

	Source string // file name or generator description
	Start  int    // index of the first context frame in Source
}

// Len returns the number of frames in the clip (context plus future).
func (c Clip) Len() int { return len(c.Context) + len(c.Future) }
