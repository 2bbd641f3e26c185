package evaluate

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// WriteText writes the report for a terminal: what was measured, the step 1
// comparison of all models with its notes, then one table per model of
// every metric by horizon step. Columns are aligned with spaces.
func (r *Report) WriteText(w io.Writer) error {
	if err := r.check(); err != nil {
		return fmt.Errorf("evaluate: text: %w", err)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "framepred evaluation: %d clips, horizon %d, seed %d, batch %d, PSNR capped at %g dB per sample\n",
		r.Samples, r.Horizon, r.Seed, r.Batch, r.PSNRCap)
	fmt.Fprintf(bw, "data: %s\n", r.Data.Description)
	for _, m := range r.Models {
		fmt.Fprintf(bw, "model %s: %s\n", m.Name, describeModel(m.Info))
	}

	fmt.Fprintf(bw, "\nStep 1, all models: which model averages the possible futures and which commits to one\n")
	nameWidth := len("model")
	for _, m := range r.Models {
		nameWidth = max(nameWidth, utf8.RuneCountInString(m.Name))
	}
	left := func(s string) string { // a left-aligned cell in a right-aligned table
		return s + strings.Repeat(" ", nameWidth-utf8.RuneCountInString(s))
	}
	tw := newTable(bw)
	fmt.Fprintf(tw, "%s\tavg.index\tcommitted\tpeak\tPSNR mean/sample\tPSNR of mean MSE\tSSIM\tsharp.ratio\tsharp.diff\t\n", left("model"))
	for _, m := range r.Models {
		s := m.Steps[0]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", left(m.Name),
			format(float64(s.AveragingIndex), 3), percent(float64(s.CommittedShare)), format(float64(s.Peak), 3),
			format(float64(s.PSNRMean), 2), format(float64(s.PSNROfMeanMSE), 2), format(float64(s.SSIM), 4),
			format(float64(s.SharpnessRatio), 3), format(float64(s.SharpnessDiff), 2))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Models[0].Steps[0].Branched == 0 {
		fmt.Fprintln(bw, "(the possible futures of these clips are not known: no averaging index or committed share)")
	}
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "- %s\n", n)
	}

	for _, m := range r.Models {
		fmt.Fprintf(bw, "\n%s: metrics by horizon step (PSNR and sharp.diff in dB)\n", m.Name)
		tw := newTable(bw)
		fmt.Fprintln(tw, "step\tn\tMSE\tMAE\tPSNR mean/sample\tPSNR of mean MSE\tSSIM\tsharp.ratio\tsharp.diff\tpeak\tavg.index\tcommitted\t")
		for _, s := range m.Steps {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", s.Step, s.N,
				format(float64(s.MSE), 5), format(float64(s.MAE), 5),
				format(float64(s.PSNRMean), 2), format(float64(s.PSNROfMeanMSE), 2), format(float64(s.SSIM), 4),
				format(float64(s.SharpnessRatio), 3), format(float64(s.SharpnessDiff), 2), format(float64(s.Peak), 3),
				format(float64(s.AveragingIndex), 3), percent(float64(s.CommittedShare)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// newTable returns a tabwriter that right-aligns cells (every row ends
// with a tab, so the last column is aligned too).
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
}

// describeModel is one line naming everything a model's numbers depend on.
func describeModel(in ModelInfo) string {
	var parts []string
	add := func(k, v string) {
		if v == "" {
			v = "-"
		}
		parts = append(parts, k+" "+v)
	}
	add("loss", in.Loss)
	ckpt := in.Checkpoint
	if ckpt != "" {
		ckpt = fmt.Sprintf("%s (step %d)", ckpt, in.Step)
	}
	add("checkpoint", ckpt)
	cfg := ""
	if c := in.Config; c != nil {
		out := "direct"
		if c.Residual {
			out = "residual"
		}
		cfg = fmt.Sprintf("%s v%d, %d context × %d channels, width %d, depth %d, %s", c.Kind, c.Version, c.Context, c.Channels, c.Width, c.Depth, out)
	}
	add("config", cfg)
	add("extractor", in.Extractor)
	add("seed", fmt.Sprint(in.Seed))
	return strings.Join(parts, "; ")
}

func percent(v float64) string {
	if v != v {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}
