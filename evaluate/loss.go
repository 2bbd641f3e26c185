package evaluate

import (
	"fmt"
	"io"
	"math"
	"sort"

	"gonum.org/v1/plot/plotter"
)

// LossCurve is one training run's loss terms by step: Terms["mse"][i] is
// the MSE term at step Steps[i]. NaN marks a step where a term was not
// logged. The command line fills it from the trainer's log.
type LossCurve struct {
	Model string
	Steps []int
	Terms map[string][]float64
}

// LossPlotOptions control WriteLossPlot.
type LossPlotOptions struct {
	PlotOptions

	// Smooth is the width in logged steps of the moving mean drawn for each
	// curve: 1 draws the raw values, 0 picks about a hundredth of the
	// longest curve (at least 1).
	Smooth int
}

// WriteLossPlot draws the training loss curves as a PNG: one chart per loss
// term, the term against the training step with one line per model (a
// model keeps its colour across charts). Terms are in name order, "total"
// first. A chart whose values are all positive and span more than two
// decades has a logarithmic axis.
func WriteLossPlot(w io.Writer, curves []LossCurve, opts LossPlotOptions) error {
	if len(curves) == 0 {
		return fmt.Errorf("evaluate: loss plot: no curves")
	}
	if opts.Smooth < 0 {
		return fmt.Errorf("evaluate: loss plot: smoothing width %d is negative", opts.Smooth)
	}
	longest := 0
	termSet := make(map[string]bool)
	names := make([]string, len(curves))
	for i, c := range curves {
		if c.Model == "" {
			return fmt.Errorf("evaluate: loss plot: curve %d has no model name", i+1)
		}
		for term, v := range c.Terms {
			if len(v) != len(c.Steps) {
				return fmt.Errorf("evaluate: loss plot: %s: term %q has %d values for %d steps", c.Model, term, len(v), len(c.Steps))
			}
			termSet[term] = true
		}
		longest = max(longest, len(c.Steps))
		names[i] = c.Model
	}
	if len(termSet) == 0 {
		return fmt.Errorf("evaluate: loss plot: the curves hold no loss terms")
	}
	smooth := opts.Smooth
	if smooth == 0 {
		smooth = max(1, longest/100)
	}

	terms := sortedTerms(termSet)
	var charts []chart
	for _, term := range terms {
		title := "loss: " + term
		if smooth > 1 {
			title += fmt.Sprintf(" (moving mean of %d)", smooth)
		}
		c := chart{title: title, xLabel: "training step"}
		for _, lc := range curves {
			s := series{name: lc.Model}
			if v, ok := lc.Terms[term]; ok {
				for i, y := range movingMean(v, smooth) {
					s.xy = append(s.xy, plotter.XY{X: float64(lc.Steps[i]), Y: y})
				}
			}
			c.lines = append(c.lines, s)
		}
		c.logY = spansDecades(c.lines, 2)
		if c.finite() {
			charts = append(charts, c)
		}
	}
	return drawGrid(w, opts.PlotOptions, charts, names, false)
}

// sortedTerms returns the term names in order, "total" first.
func sortedTerms(set map[string]bool) []string {
	terms := make([]string, 0, len(set))
	for t := range set {
		terms = append(terms, t)
	}
	sort.Slice(terms, func(i, j int) bool {
		if (terms[i] == "total") != (terms[j] == "total") {
			return terms[i] == "total"
		}
		return terms[i] < terms[j]
	})
	return terms
}

// movingMean returns the centred mean of the finite values within a window
// of width n around each point; a point whose window holds none, or that is
// itself not finite, is NaN.
func movingMean(v []float64, n int) []float64 {
	out := make([]float64, len(v))
	if n <= 1 {
		copy(out, v)
		return out
	}
	lo, hi := n/2, n-1-n/2
	// Prefix sums of the finite values and of their count.
	sum := make([]float64, len(v)+1)
	cnt := make([]int, len(v)+1)
	for i, x := range v {
		sum[i+1], cnt[i+1] = sum[i], cnt[i]
		if isFinite(x) {
			sum[i+1] += x
			cnt[i+1]++
		}
	}
	for i := range v {
		a, b := max(0, i-lo), min(len(v), i+hi+1)
		if k := cnt[b] - cnt[a]; k > 0 && isFinite(v[i]) {
			out[i] = (sum[b] - sum[a]) / float64(k)
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}

// spansDecades reports whether every finite value is positive and the
// largest is more than 10^d times the smallest.
func spansDecades(lines []series, d float64) bool {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range lines {
		for _, p := range s.xy {
			if !isFinite(p.Y) {
				continue
			}
			if p.Y <= 0 {
				return false
			}
			lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
		}
	}
	return hi > lo*math.Pow(10, d)
}
