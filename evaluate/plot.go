package evaluate

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotOptions set the size of a chart image in pixels. Zero picks the
// default of each chart.
type PlotOptions struct {
	Width, Height int
}

// Default chart sizes in pixels.
const (
	DefaultPlotWidth  = 1600
	DefaultPlotHeight = 1000
	maxPlotSide       = 1 << 14
)

// dpi is the resolution charts are drawn at: fonts of 12 points are 16
// pixels high.
const dpi = 96

func (o PlotOptions) size() (w, h int, err error) {
	w, h = o.Width, o.Height
	if w == 0 {
		w = DefaultPlotWidth
	}
	if h == 0 {
		h = DefaultPlotHeight
	}
	if w < 200 || h < 150 || w > maxPlotSide || h > maxPlotSide {
		return 0, 0, fmt.Errorf("evaluate: chart size %d×%d px must be 200–%d wide and 150–%d high", w, h, maxPlotSide, maxPlotSide)
	}
	return w, h, nil
}

// panel is one metric chart of WritePlot.
type panel struct {
	title string
	get   func(StepMetrics) Value
}

var metricPanels = []panel{
	{"MSE", func(s StepMetrics) Value { return s.MSE }},
	{"MAE", func(s StepMetrics) Value { return s.MAE }},
	{"PSNR, mean of per-sample (dB)", func(s StepMetrics) Value { return s.PSNRMean }},
	{"PSNR of the mean MSE (dB)", func(s StepMetrics) Value { return s.PSNROfMeanMSE }},
	{"SSIM", func(s StepMetrics) Value { return s.SSIM }},
	{"Sharpness ratio (1 = truth)", func(s StepMetrics) Value { return s.SharpnessRatio }},
	{"Sharpness difference (dB)", func(s StepMetrics) Value { return s.SharpnessDiff }},
	{"Peak intensity", func(s StepMetrics) Value { return s.Peak }},
	{"Averaging index (1 = mean of futures)", func(s StepMetrics) Value { return s.AveragingIndex }},
	{"Committed share", func(s StepMetrics) Value { return s.CommittedShare }},
}

// series is one line of a chart.
type series struct {
	name string
	xy   plotter.XYs
}

// WritePlot draws every metric against the horizon step, one chart per
// metric with one line per model, in a grid with a legend, as a PNG.
// Metrics that no model could measure are left out.
func (r *Report) WritePlot(w io.Writer, opts PlotOptions) error {
	if err := r.check(); err != nil {
		return fmt.Errorf("evaluate: plot: %w", err)
	}
	var charts []chart
	for _, p := range metricPanels {
		c := chart{title: p.title, xLabel: "horizon step", steps: r.Horizon}
		for i, m := range r.Models {
			s := series{name: m.Name}
			for _, st := range m.Steps {
				x := float64(st.Step) + dodge(i, len(r.Models))
				s.xy = append(s.xy, plotter.XY{X: x, Y: float64(p.get(st))})
			}
			c.lines = append(c.lines, s)
		}
		if c.finite() {
			charts = append(charts, c)
		}
	}
	names := make([]string, len(r.Models))
	for i, m := range r.Models {
		names[i] = m.Name
	}
	return drawGrid(w, opts, charts, names, r.Horizon <= 30)
}

// dodge shifts model i of n a little along the step axis, so that models
// with equal values at a step stay visible side by side.
func dodge(i, n int) float64 {
	if n < 2 {
		return 0
	}
	const width = 0.24 // of a step, all models together
	return width * (float64(i)/float64(n-1) - 0.5)
}

// chart is one panel of a grid: lines share colours by index across
// charts, so one legend serves all.
type chart struct {
	title, xLabel string
	steps         int // > 0: x is the horizon step 1..steps
	logY          bool
	lines         []series // lines[i] is drawn in style i; nil xy leaves a gap in the styles
}

// finite reports whether some line has a finite point.
func (c chart) finite() bool {
	for _, s := range c.lines {
		for _, p := range s.xy {
			if isFinite(p.Y) {
				return true
			}
		}
	}
	return false
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// drawGrid draws charts in a grid, with a legend naming each style in a
// strip on the right, and encodes it as a PNG.
func drawGrid(w io.Writer, opts PlotOptions, charts []chart, names []string, glyphs bool) error {
	width, height, err := opts.size()
	if err != nil {
		return err
	}
	if len(charts) == 0 {
		return errors.New("evaluate: plot: nothing to draw: every value is missing or infinite")
	}

	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.ThumbnailWidth = vg.Points(36)
	legend.TextStyle.Font.Size = vg.Points(14)
	var textWidth vg.Length
	for i, name := range names {
		thumbs := []plot.Thumbnailer{styledLine(i, glyphs)}
		if glyphs {
			thumbs = append(thumbs, styledGlyphs(i))
		}
		legend.Add(name, thumbs...)
		textWidth = max(textWidth, legend.TextStyle.Width(name))
	}
	pad := vg.Points(12)
	strip := legend.ThumbnailWidth + legend.TextStyle.Width(" ") + textWidth + 2*pad
	inch := vg.Length(dpi) // pixels per inch: vg lengths are points, 72 to the inch
	pxWidth := vg.Length(width) / inch * vg.Inch
	strip = min(strip, pxWidth/3) // long names are cut rather than the charts

	img := image.NewRGBA(image.Rect(0, 0, width, height))
	canvas := vgimg.NewWith(vgimg.UseImage(img), vgimg.UseDPI(dpi))
	dc := draw.New(canvas)
	area := draw.Crop(dc, 0, -strip, 0, 0)
	legendArea := draw.Crop(dc, pxWidth-strip+pad, 0, 0, -pad)

	// Columns for tiles of about 4:3.
	aspect := float64((area.Max.X - area.Min.X) / (area.Max.Y - area.Min.Y))
	cols := int(math.Ceil(math.Sqrt(float64(len(charts)) * aspect * 0.75)))
	cols = max(1, min(cols, len(charts)))
	rows := (len(charts) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for j := range plots {
		plots[j] = make([]*plot.Plot, cols)
	}
	for k, c := range charts {
		plots[k/cols][k%cols] = c.plot(glyphs)
	}
	t := draw.Tiles{
		Rows: rows, Cols: cols,
		PadX: pad, PadY: pad,
		PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6),
	}
	canvases := plot.Align(plots, t, area)
	for j := range plots {
		for i, p := range plots[j] {
			if p != nil {
				p.Draw(canvases[j][i])
			}
		}
	}
	legend.Draw(legendArea)

	if err := png.Encode(w, canvas.Image()); err != nil {
		return fmt.Errorf("evaluate: plot: %w", err)
	}
	return nil
}

// plot makes the gonum chart, leaving out points that are not finite (a
// line breaks there).
func (c chart) plot(glyphs bool) *plot.Plot {
	p := plot.New()
	p.Title.Text = c.title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text = c.xLabel
	p.Add(plotter.NewGrid())
	if c.steps > 0 {
		p.X.Min, p.X.Max = 0.6, float64(c.steps)+0.4
		if c.steps <= 20 {
			var ticks plot.ConstantTicks
			for s := 1; s <= c.steps; s++ {
				ticks = append(ticks, plot.Tick{Value: float64(s), Label: fmt.Sprint(s)})
			}
			p.X.Tick.Marker = ticks
		}
	}
	if c.logY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	for i, s := range c.lines {
		for _, part := range finiteRuns(s.xy, c.logY) {
			l := styledLine(i, glyphs)
			l.XYs = part
			p.Add(l)
			if glyphs {
				g := styledGlyphs(i)
				g.XYs = part
				p.Add(g)
			}
		}
	}
	return p
}

// finiteRuns splits xy into runs of finite points (positive ones for a log
// axis).
func finiteRuns(xy plotter.XYs, positive bool) []plotter.XYs {
	var runs []plotter.XYs
	var cur plotter.XYs
	for _, p := range xy {
		if isFinite(p.X) && isFinite(p.Y) && (!positive || p.Y > 0) {
			cur = append(cur, p)
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

// styleColor is the colour of style i: plotutil's dark palette, which
// stays readable on white.
func styleColor(i int) color.Color {
	return plotutil.DarkColors[i%len(plotutil.DarkColors)]
}

// styledLine is the line of style i: its colour and dash pattern.
func styledLine(i int, thick bool) *plotter.Line {
	l := &plotter.Line{}
	l.Color = styleColor(i)
	l.Dashes = plotutil.Dashes(i)
	l.Width = vg.Points(1.5)
	if thick {
		l.Width = vg.Points(2)
	}
	return l
}

// styledGlyphs marks the points of style i.
func styledGlyphs(i int) *plotter.Scatter {
	s := &plotter.Scatter{}
	s.GlyphStyle.Color = styleColor(i)
	s.GlyphStyle.Shape = plotutil.Shape(i)
	s.GlyphStyle.Radius = vg.Points(4.5)
	return s
}
