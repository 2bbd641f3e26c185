package gpu

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"framepred/cuda"
)

// Stats are an executor's timings: per pass, the GPU time between its
// first and last operation and the host's wall time from queuing its work
// to having its results, whose difference is the launch and copy overhead
// the GPU did not hide; with Options.Profile, the GPU time by kind of op.
type Stats struct {
	Passes  map[string]*PassStats
	Kernels map[string]float64 // seconds, by op kind ("conv", "loss mse", ...)
}

// PassStats sums the runs of one pass ("gen", "gen+adv", "predict",
// "disc", "update").
type PassStats struct {
	Runs      int
	GPU, Wall time.Duration
	Graph     bool   // the pass runs as a CUDA graph
	GraphErr  string // why it could not be captured, when graphs were asked for
}

// Overhead is the wall time the GPU was not busy: launches, copies and
// waits.
func (p PassStats) Overhead() time.Duration { return p.Wall - p.GPU }

func newStats() Stats { return Stats{Passes: map[string]*PassStats{}, Kernels: map[string]float64{}} }

func (s Stats) add(pass string, gpu, wall time.Duration) {
	p := s.Passes[pass]
	if p == nil {
		p = &PassStats{}
		s.Passes[pass] = p
	}
	p.Runs++
	p.GPU += gpu
	p.Wall += wall
}

// Stats returns a copy of the timings so far.
func (e *Executor) Stats() Stats {
	out := newStats()
	for k, v := range e.stats.Passes {
		c := *v
		out.Passes[k] = &c
	}
	for k, v := range e.stats.Kernels {
		out.Kernels[k] = v
	}
	return out
}

// ResetStats clears the timings (after warm-up steps, say).
func (e *Executor) ResetStats() { e.stats = newStats() }

// MemStats reports the device allocator's counters of the executor's
// context.
func (e *Executor) MemStats() cuda.MemStats { return e.c.MemStats() }

// String gives one line per pass and, when profiled, per kind of op.
func (s Stats) String() string {
	var b strings.Builder
	names := make([]string, 0, len(s.Passes))
	for k := range s.Passes {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		p := s.Passes[k]
		n := time.Duration(max(1, p.Runs))
		mode := "kernels"
		switch {
		case p.Graph:
			mode = "graph"
		case p.GraphErr != "":
			mode = "kernels (no graph: " + p.GraphErr + ")"
		}
		fmt.Fprintf(&b, "%-8s %6d runs  GPU %10v/run  wall %10v/run  overhead %5.1f%%  %s\n", k, p.Runs,
			p.GPU/n, p.Wall/n, 100*p.Overhead().Seconds()/max(1e-12, p.Wall.Seconds()), mode)
	}
	kinds := make([]string, 0, len(s.Kernels))
	total := 0.0
	for k, v := range s.Kernels {
		kinds = append(kinds, k)
		total += v
	}
	slices.SortFunc(kinds, func(a, b string) int {
		if s.Kernels[a] != s.Kernels[b] {
			if s.Kernels[a] > s.Kernels[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, k := range kinds {
		fmt.Fprintf(&b, "  %-22s %10.3f ms  %5.1f%%\n", k, 1e3*s.Kernels[k], 100*s.Kernels[k]/max(total, 1e-12))
	}
	return b.String()
}
