package evaluate

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"framepred/frame"
	"framepred/metrics"
	"framepred/model"
)

func near(got Value, want, tol float64) bool { return math.Abs(float64(got)-want) <= tol }

// TestConstructedPredictions checks the step 1 branch metrics on
// predictions whose answers are known: the pixel mean of the two futures
// (the MSE optimum), one exact future, that future blurred, and a blank
// frame. Two white squares at least 2 px apart averaged give a peak of 1/2;
// a blank frame is 2/3 of the way from a branch to the mean (its MSE to a
// branch is s²/HW, to the mean s²/2HW).
func TestConstructedPredictions(t *testing.T) {
	r := constructedReport(t)
	tests := []struct {
		model                  string
		index, committed, peak float64
		tolIndex               float64
	}{
		{"mean", 1, 0, 0.5, 1e-12},
		{"branch", 0, 1, 1, 0},
		{"blank", 2.0 / 3, 0, 0, 1e-12},
	}
	for _, tc := range tests {
		s := modelStep(t, r, tc.model, 1)
		if s.N != constructedSamples || s.Branched != constructedSamples {
			t.Errorf("%s: n=%d branched=%d, want %d each", tc.model, s.N, s.Branched, constructedSamples)
		}
		if !near(s.AveragingIndex, tc.index, tc.tolIndex) {
			t.Errorf("%s: averaging index %v, want %v", tc.model, s.AveragingIndex, tc.index)
		}
		if s.CommittedShare != Value(tc.committed) {
			t.Errorf("%s: committed share %v, want %v", tc.model, s.CommittedShare, tc.committed)
		}
		if !near(s.Peak, tc.peak, 1e-6) {
			t.Errorf("%s: peak %v, want %v", tc.model, s.Peak, tc.peak)
		}
	}

	// The blurred branch is still nearer its branch than the mean, but
	// further from it than the exact branch, and its gradients are in
	// the wrong places more.
	blur, exact := modelStep(t, r, "blur", 1), modelStep(t, r, "branch", 1)
	if blur.CommittedShare != 1 || !(blur.AveragingIndex > 0 && blur.AveragingIndex < 0.5) {
		t.Errorf("blur: committed %v, averaging index %v, want 1 and in (0, 1/2)", blur.CommittedShare, blur.AveragingIndex)
	}
	if !(blur.SharpnessDiff < exact.SharpnessDiff) || !(blur.SSIM < exact.SSIM) {
		t.Errorf("blur: sharpness difference %v dB, SSIM %v; exact branch %v dB, %v: blur should score lower on both",
			blur.SharpnessDiff, blur.SSIM, exact.SharpnessDiff, exact.SSIM)
	}
}

// TestConstructedValues recomputes the exact branch's and the mean's
// error metrics straight from the generator's clips.
func TestConstructedValues(t *testing.T) {
	r := constructedReport(t)
	clips := heldOut(t, 1, constructedSamples)
	capped := func(db float64) float64 { return math.Min(db, DefaultPSNRCap) }
	for _, tc := range []struct {
		name string
		pred func(frame.Clip, int) frame.Frame
	}{{"branch", firstBranch}, {"mean", branchMean}, {"blank", blank}} {
		s := modelStep(t, r, tc.name, 1)
		mse := meanOf(clips, func(c frame.Clip) float64 { return metrics.MSE(tc.pred(c, 0), c.Future[0]) })
		mae := meanOf(clips, func(c frame.Clip) float64 { return metrics.MAE(tc.pred(c, 0), c.Future[0]) })
		psnr := meanOf(clips, func(c frame.Clip) float64 { return capped(metrics.PSNR(tc.pred(c, 0), c.Future[0])) })
		ssim := meanOf(clips, func(c frame.Clip) float64 { return metrics.SSIM(tc.pred(c, 0), c.Future[0]) })
		sd := meanOf(clips, func(c frame.Clip) float64 { return capped(metrics.SharpnessDiff(tc.pred(c, 0), c.Future[0])) })
		for _, v := range []struct {
			what      string
			got       Value
			want, tol float64
		}{
			{"MSE", s.MSE, mse, 1e-12},
			{"MAE", s.MAE, mae, 1e-12},
			{"PSNR mean", s.PSNRMean, psnr, 1e-9},
			{"PSNR of mean MSE", s.PSNROfMeanMSE, capped(metrics.PSNRFromMSE(mse)), 1e-9},
			{"SSIM", s.SSIM, ssim, 1e-12},
			{"sharpness difference", s.SharpnessDiff, sd, 1e-9},
		} {
			if !near(v.got, v.want, v.tol) {
				t.Errorf("%s: %s = %v, recomputed %v", tc.name, v.what, v.got, v.want)
			}
		}
	}
	// About half the exact-branch predictions are the drawn future: their
	// PSNR is the cap.
	if s := modelStep(t, r, "branch", 1); !(s.PSNRMean > 40 && s.PSNRMean < DefaultPSNRCap) {
		t.Errorf("branch: mean PSNR %v dB, want between 40 and the cap (about half the samples exact)", s.PSNRMean)
	}
}

// TestConstructedNotes checks the step 1 explanations: the two PSNR
// averages rank the exact branch and the mean differently and the report
// says why; the exact branch has about the truth's gradient mass, as the
// mean does (two half-bright squares), so it does not beat the MSE baseline
// on the sharpness ratio and the note says so.
func TestConstructedNotes(t *testing.T) {
	r := constructedReport(t)
	if r.Baseline != "mean" {
		t.Fatalf("baseline %q, want the model with loss mse", r.Baseline)
	}
	b, m := modelStep(t, r, "branch", 1), modelStep(t, r, "mean", 1)
	if !(b.PSNRMean > m.PSNRMean && b.PSNROfMeanMSE < m.PSNROfMeanMSE) {
		t.Fatalf("branch PSNR %v/%v, mean %v/%v: expected the two averages to disagree", b.PSNRMean, b.PSNROfMeanMSE, m.PSNRMean, m.PSNROfMeanMSE)
	}
	want := r.Summaries(1)[0].ExplainPSNR(r.Summaries(1)[1])
	if want == "" || !strings.HasPrefix(want, "branch leads on mean per-sample PSNR") {
		t.Fatalf("ExplainPSNR(mean, branch) = %q", want)
	}
	if !hasNote(r, want) {
		t.Errorf("notes lack the PSNR explanation %q:\n%s", want, strings.Join(r.Notes, "\n"))
	}
	// Squares on the frame's last row or column lose an edge's gradient,
	// so the ratios are a little under 1; here the mean's is the closer.
	if !near(b.SharpnessRatio, 1, 0.01) || !near(m.SharpnessRatio, 1, 0.01) ||
		!(math.Abs(math.Log(float64(b.SharpnessRatio))) > math.Abs(math.Log(float64(m.SharpnessRatio)))) {
		t.Errorf("sharpness ratio branch %v, mean %v, want both within 0.01 of 1, the mean's closer", b.SharpnessRatio, m.SharpnessRatio)
	}
	if !hasNote(r, "Step 1: branch does not beat mean on sharpness (not by the sharpness ratio)") {
		t.Errorf("no honest sharpness line for branch:\n%s", strings.Join(r.Notes, "\n"))
	}
	if !hasNote(r, "Step 1: blank does not beat mean on sharpness (by neither gradient measure)") {
		t.Errorf("no sharpness line for blank:\n%s", strings.Join(r.Notes, "\n"))
	}
	for _, n := range r.Notes {
		if strings.Contains(n, "Step 1: mean ") {
			t.Errorf("the baseline is compared with itself: %s", n)
		}
	}
}

func hasNote(r *Report, prefix string) bool {
	for _, n := range r.Notes {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

func modelStep(t *testing.T, r *Report, name string, step int) StepMetrics {
	t.Helper()
	for _, m := range r.Models {
		if m.Name == name {
			return m.Steps[step-1]
		}
	}
	t.Fatalf("no model %q in the report", name)
	return StepMetrics{}
}

// TestRolloutRealPredictor runs an untrained predictor three steps ahead on
// two-futures clips with three future frames and checks every step against
// the predictor's own RolloutBatch on the same clips; a second run with
// another batch size gives the same numbers.
func TestRolloutRealPredictor(t *testing.T) {
	const n, horizon = 10, 3
	cfg := model.Config{Kind: model.PredictorKind, Version: model.PredictorVersion, Context: 4, Channels: 1, Width: 4, Depth: 1}
	p, err := model.NewPredictor(cfg, 7)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	d := testSynth(t, horizon)
	run := func(batch int) *Report {
		r, err := Run(context.Background(), []Model{{Name: "tiny", Predictor: p}}, d,
			Options{Horizon: horizon, Samples: n, Batch: batch})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run(4) // batches of 4, 4 and 2
	if got := r.Models[0].Info.Config; got == nil || *got != cfg {
		t.Errorf("config %+v, want the predictor's %+v", got, cfg)
	}

	clips := heldOut(t, horizon, n)
	contexts := make([][]frame.Frame, n)
	for i, c := range clips {
		contexts[i] = c.Context
	}
	preds, err := p.RolloutBatch(contexts, horizon)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Models[0].Steps) != horizon {
		t.Fatalf("%d steps, want %d", len(r.Models[0].Steps), horizon)
	}
	for step := 1; step <= horizon; step++ {
		s := r.Models[0].Steps[step-1]
		if s.N != n || s.Branched != n {
			t.Errorf("step %d: n=%d branched=%d, want %d", step, s.N, s.Branched, n)
		}
		var mse, index float64
		for i, c := range clips {
			var bs []frame.Frame
			for _, b := range c.Branches {
				bs = append(bs, b[step-1])
			}
			mse += metrics.MSE(preds[i][step-1], c.Future[step-1]) / n
			index += metrics.AveragingIndex(preds[i][step-1], bs) / n
		}
		// Float32 convolutions may sum in another order for another
		// batch size: 1e-6 relative.
		if !near(s.MSE, mse, 1e-6*mse) || !near(s.AveragingIndex, index, 1e-6) {
			t.Errorf("step %d: MSE %v, averaging index %v; rollout gives %v, %v", step, s.MSE, s.AveragingIndex, mse, index)
		}
	}
	// Steps differ: the rollout feeds predictions back.
	if r.Models[0].Steps[0].MSE == r.Models[0].Steps[2].MSE {
		t.Errorf("steps 1 and 3 have the same MSE %v", r.Models[0].Steps[0].MSE)
	}

	r2 := run(n)
	for step := range horizon {
		a, b := r.Models[0].Steps[step], r2.Models[0].Steps[step]
		if !near(a.MSE, float64(b.MSE), 1e-6*float64(b.MSE)) || !near(a.SSIM, float64(b.SSIM), 1e-6) {
			t.Errorf("step %d: batch 4 gives MSE %v SSIM %v, batch %d gives %v %v", step+1, a.MSE, a.SSIM, n, b.MSE, b.SSIM)
		}
	}
}

// TestRunErrors checks that bad input is refused with a message naming
// the problem, before or while reading the data.
func TestRunErrors(t *testing.T) {
	d := testSynth(t, 1)
	ok := []Model{{Name: "still", Predictor: copyLast{}}}
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		models []Model
		data   Data
		opts   Options
		want   string
	}{
		{"no models", ctx, nil, d, Options{}, "no models"},
		{"unnamed", ctx, []Model{{Predictor: copyLast{}}}, d, Options{}, "model 1 has no name"},
		{"duplicate", ctx, []Model{ok[0], ok[0]}, d, Options{}, `two models are named "still"`},
		{"nil predictor", ctx, []Model{{Name: "x"}}, d, Options{}, `model "x" has no predictor`},
		{"no data", ctx, ok, nil, Options{}, "no data"},
		{"horizon", ctx, ok, d, Options{Horizon: -1}, "horizon -1"},
		{"cap", ctx, ok, d, Options{PSNRCap: math.Inf(1)}, "PSNR cap"},
		{"baseline", ctx, ok, d, Options{Baseline: "nope"}, `baseline "nope"`},
		{"short future", ctx, ok, d, Options{Horizon: 2, Samples: 4}, "has 1 future frames, the horizon is 2"},
		{"cancelled", cancelled, ok, d, Options{Samples: 4}, "context canceled"},
	}
	for _, tc := range tests {
		_, err := Run(tc.ctx, tc.models, tc.data, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	_, err := Run(cancelled, ok, d, Options{Samples: 4})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v is not context.Canceled", err)
	}
}

// wrongShape forecasts frames of the wrong size.
type wrongShape struct{}

func (wrongShape) RolloutBatch(contexts [][]frame.Frame, T int) ([][]frame.Frame, error) {
	out := make([][]frame.Frame, len(contexts))
	for i := range out {
		for range T {
			out[i] = append(out[i], frame.New(1, 8, 8))
		}
	}
	return out, nil
}

func TestBadForecastIsAnError(t *testing.T) {
	_, err := Run(context.Background(), []Model{{Name: "odd", Predictor: wrongShape{}}}, testSynth(t, 1), Options{Samples: 2})
	if err == nil || !strings.Contains(err.Error(), `model "odd" forecast a 1x8x8 frame at step 1`) {
		t.Errorf("error %v, want one naming the model and the shape", err)
	}
}

// TestProgress checks the callback sees every batch.
func TestProgress(t *testing.T) {
	var got []int
	_, err := Run(context.Background(), []Model{{Name: "still", Predictor: copyLast{}}}, testSynth(t, 1),
		Options{Samples: 10, Batch: 4, Progress: func(done, total int) {
			if total != 10 {
				t.Errorf("total %d, want 10", total)
			}
			got = append(got, done)
		}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{4, 8, 10}; !equalInts(got, want) {
		t.Errorf("progress %v, want %v", got, want)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBaseline(t *testing.T) {
	tests := []struct {
		loss string
		mse  bool
	}{
		{"mse", true}, {"MSE", true}, {" mse=1 ", true}, {"mse=0.5,adv=0", true},
		{"mse=1,adv=0.05", false}, {"MSE + adversarial", false}, {"l1=1", false}, {"", false}, {"mse=0,l1=1", false},
	}
	for _, tc := range tests {
		if got := isMSE(tc.loss); got != tc.mse {
			t.Errorf("isMSE(%q) = %v, want %v", tc.loss, got, tc.mse)
		}
	}
	models := []Model{
		{Name: "adv", Info: ModelInfo{Loss: "mse=1,adv=0.05"}},
		{Name: "plain", Info: ModelInfo{Loss: "mse=1"}},
		{Name: "l1", Info: ModelInfo{Loss: "l1=1"}},
	}
	for _, tc := range []struct {
		models []Model
		name   string
		want   int
	}{
		{models, "", 1},
		{models, "l1", 2},
		{[]Model{models[0], models[2]}, "", 0},
	} {
		if got, err := pickBaseline(tc.models, tc.name); err != nil || got != tc.want {
			t.Errorf("pickBaseline(%q) = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}
