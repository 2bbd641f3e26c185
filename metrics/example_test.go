package metrics_test

import (
	"fmt"

	"framepred/frame"
	"framepred/metrics"
)

// square returns a 32×32 black frame with a white 4×4 square at column x0.
func square(x0 int) frame.Frame {
	f := frame.New(1, 32, 32)
	for y := 14; y < 18; y++ {
		for x := x0; x < x0+4; x++ {
			f.Set(0, y, x, 1)
		}
	}
	return f
}

// blur3 returns the 3×3 box blur of f, zero outside the frame.
func blur3(f frame.Frame) frame.Frame {
	g := frame.New(f.C, f.H, f.W)
	for y := range f.H {
		for x := range f.W {
			var s float32
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if yy, xx := y+dy, x+dx; yy >= 0 && yy < f.H && xx >= 0 && xx < f.W {
						s += f.At(0, yy, xx)
					}
				}
			}
			g.Set(0, y, x, s/9)
		}
	}
	return g
}

func ExampleMSE() {
	pred := frame.Frame{C: 1, H: 1, W: 4, Pix: []float32{0, 0.5, 1, 0.25}}
	truth := frame.Frame{C: 1, H: 1, W: 4, Pix: []float32{0, 1, 0.5, 0.25}}
	fmt.Println(metrics.MSE(pred, truth))
	// Output: 0.125
}

func ExampleMAE() {
	pred := frame.Frame{C: 1, H: 1, W: 4, Pix: []float32{0, 0.5, 1, 0.25}}
	truth := frame.Frame{C: 1, H: 1, W: 4, Pix: []float32{0, 1, 0.5, 0.25}}
	fmt.Println(metrics.MAE(pred, truth))
	// Output: 0.25
}

func ExamplePSNR() {
	a, b := square(6), square(20)
	mean := metrics.MeanFrame([]frame.Frame{a, b})
	// The blurred average of two futures scores better against either one
	// than the other future does.
	fmt.Printf("other future %.2f dB, average %.2f dB, exact %v dB\n",
		metrics.PSNR(b, a), metrics.PSNR(mean, a), metrics.PSNR(a, a))
	// Output: other future 15.05 dB, average 21.07 dB, exact +Inf dB
}

func ExamplePSNRFromMSE() {
	fmt.Println(metrics.PSNRFromMSE(0.01), metrics.PSNRFromMSE(0))
	// Output: 20 +Inf
}

func ExampleMeanPSNR() {
	// One frame nearly exact, one bad: the mean of logarithms is generous.
	mses := []float64{0.0001, 0.1}
	fmt.Printf("%.2f dB\n", metrics.MeanPSNR(mses))
	// Output: 25.00 dB
}

func ExamplePSNROfMeanMSE() {
	// The same frames as FFmpeg would average them: the bad frame dominates.
	mses := []float64{0.0001, 0.1}
	fmt.Printf("%.2f dB\n", metrics.PSNROfMeanMSE(mses))
	// Output: 13.01 dB
}

func ExampleSSIM() {
	a := square(6)
	fmt.Printf("exact %.4f, blurred %.4f, other place %.4f\n",
		metrics.SSIM(a, a), metrics.SSIM(blur3(a), a), metrics.SSIM(square(20), a))
	// Output: exact 1.0000, blurred 0.9261, other place 0.5166
}

func ExampleSSIMFFmpeg() {
	ref, deg := metrics.NewPlane8(16, 16), metrics.NewPlane8(16, 16)
	for i := range ref.Pix {
		ref.Pix[i] = uint8(i)      // a ramp
		deg.Pix[i] = uint8(i) &^ 7 // coarsely quantised
	}
	s, err := metrics.SSIMFFmpeg([]metrics.Plane8{deg}, []metrics.Plane8{ref})
	if err != nil {
		fmt.Println(err)
		return
	}
	// As `ffmpeg -lavfi ssim` prints it for these planes.
	fmt.Printf("Y:%f All:%f (%f)\n", s.Planes[0], s.All, s.DB())
	// Output: Y:0.997371 All:0.997371 (25.802025)
}

func ExamplePSNRFFmpeg() {
	ref, deg := metrics.NewPlane8(16, 16), metrics.NewPlane8(16, 16)
	for i := range ref.Pix {
		ref.Pix[i] = uint8(i)
		deg.Pix[i] = uint8(i) &^ 7
	}
	p, err := metrics.PSNRFFmpeg([]metrics.Plane8{deg}, []metrics.Plane8{ref})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Errors 0..7 equally often: MSE 140/8; `ffmpeg -lavfi psnr` prints y:35.700423.
	fmt.Printf("mse %.2f, psnr %f dB\n", p.MSE[0], p.PSNR[0])
	// Output: mse 17.50, psnr 35.700423 dB
}

func ExampleSSIMFFmpegFrame() {
	a := square(6)
	s := metrics.SSIMFFmpegFrame(blur3(a), a)
	fmt.Printf("%f\n", s.All) // as `ffmpeg -lavfi ssim` prints it
	// Output: 0.971190
}

func ExamplePSNRFFmpegFrame() {
	// Frames are quantised to 8 bits first; PSNR on the 0–255 scale equals
	// PSNR on the 0–1 scale up to that rounding.
	a := square(6)
	fmt.Printf("%.4f %.4f\n", metrics.PSNRFFmpegFrame(blur3(a), a).Average, metrics.PSNR(blur3(a), a))
	// Output: 24.7046 24.7163
}

func ExampleMeanFFmpegPSNR() {
	ref := metrics.NewPlane8(8, 8)
	near, far := metrics.NewPlane8(8, 8), metrics.NewPlane8(8, 8)
	near.Pix[0], far.Pix[0] = 1, 255 // one sample off by 1 or by 255
	var rs []metrics.FFmpegPSNR
	for _, deg := range []metrics.Plane8{near, far} {
		r, _ := metrics.PSNRFFmpeg([]metrics.Plane8{deg}, []metrics.Plane8{ref})
		rs = append(rs, r)
	}
	// FFmpeg's closing "average" is the PSNR of the mean MSE, not the mean
	// of the two frames' PSNR.
	fmt.Printf("frames %.2f and %.2f dB, average:%.2f\n", rs[0].Average, rs[1].Average, metrics.MeanFFmpegPSNR(rs).Average)
	// Output: frames 66.19 and 18.06 dB, average:21.07
}

func ExampleMeanFFmpegSSIM() {
	rs := []metrics.FFmpegSSIM{{Planes: []float64{1}, All: 1}, {Planes: []float64{0.5}, All: 0.5}}
	fmt.Printf("%f\n", metrics.MeanFFmpegSSIM(rs).All)
	// Output: 0.750000
}

func ExampleQuantize() {
	f := frame.Frame{C: 1, H: 1, W: 5, Pix: []float32{0, 0.5, 1, 1.5, 128.0 / 255}}
	fmt.Println(metrics.Quantize(f, 0).Pix)
	// Output: [0 128 255 255 128]
}

func ExampleGradientMagnitude() {
	// [[0 1 1] [0 0 1]]: |∂x| 2 over 4 differences, |∂y| 1 over 3.
	f := frame.Frame{C: 1, H: 2, W: 3, Pix: []float32{0, 1, 1, 0, 0, 1}}
	fmt.Printf("%.4f\n", metrics.GradientMagnitude(f))
	// Output: 0.8333
}

func ExampleSharpnessRatio() {
	a, b := square(6), square(20)
	mean := metrics.MeanFrame([]frame.Frame{a, b})
	// Two half-bright squares have as much edge as one bright square: the
	// ratio does not see averaging. A blur that dims the square's centre
	// lowers it.
	fmt.Printf("average %.2f, 3×3 blur %.2f, twice blurred %.2f\n",
		metrics.SharpnessRatio(mean, a), metrics.SharpnessRatio(blur3(a), a), metrics.SharpnessRatio(blur3(blur3(a)), a))
	// Output: average 1.00, 3×3 blur 1.00, twice blurred 0.89
}

func ExampleSharpnessDiff() {
	a := square(6)
	// It compares gradients where they are, so it is not monotone in blur,
	// and a frame with no gradient at all beats a blurred square.
	fmt.Printf("exact %v, blurred %.2f dB, twice blurred %.2f dB, blank %.2f dB\n",
		metrics.SharpnessDiff(a, a), metrics.SharpnessDiff(blur3(a), a),
		metrics.SharpnessDiff(blur3(blur3(a)), a), metrics.SharpnessDiff(frame.New(1, 32, 32), a))
	// Output: exact +Inf, blurred 17.09 dB, twice blurred 17.16 dB, blank 18.06 dB
}

func ExampleAveragingIndex() {
	a, b := square(6), square(20)
	branches := []frame.Frame{a, b}
	fmt.Printf("branch %.2f, blurred branch %.2f, average %.2f, blank %.2f\n",
		metrics.AveragingIndex(a, branches), metrics.AveragingIndex(blur3(a), branches),
		metrics.AveragingIndex(metrics.MeanFrame(branches), branches),
		metrics.AveragingIndex(frame.New(1, 32, 32), branches))
	// Output: branch 0.00, blurred branch 0.34, average 1.00, blank 0.67
}

func ExampleCommitted() {
	a, b := square(6), square(20)
	branches := []frame.Frame{a, b}
	fmt.Println(metrics.Committed(blur3(a), branches), metrics.Committed(metrics.MeanFrame(branches), branches))
	// Output: true false
}

func ExampleNearestBranch() {
	a, b := square(6), square(20)
	i, mse := metrics.NearestBranch(blur3(b), []frame.Frame{a, b})
	fmt.Printf("branch %d, MSE %.4f\n", i, mse)
	// Output: branch 1, MSE 0.0034
}

func ExamplePeakIntensity() {
	a, b := square(6), square(20)
	fmt.Println(metrics.PeakIntensity(a), metrics.PeakIntensity(metrics.MeanFrame([]frame.Frame{a, b})))
	// Output: 1 0.5
}

func ExampleMeanFrame() {
	a := frame.Frame{C: 1, H: 1, W: 2, Pix: []float32{1, 0}}
	b := frame.Frame{C: 1, H: 1, W: 2, Pix: []float32{0, 0}}
	fmt.Println(metrics.MeanFrame([]frame.Frame{a, b}).Pix)
	// Output: [0.5 0]
}

// dim returns f with every value scaled by 0.9.
func dim(f frame.Frame) frame.Frame {
	g := f.Clone()
	for i := range g.Pix {
		g.Pix[i] *= 0.9
	}
	return g
}

func ExampleAccumulator() {
	a, b := square(6), square(20)
	branches := []frame.Frame{a, b}
	var mse, committed metrics.Accumulator
	for _, truth := range []frame.Frame{a, b, a, b} {
		mse.Add(metrics.MeanFrame(branches), truth, branches) // the ghost of both
		committed.Add(dim(a), truth, branches)                // always a, at 0.9
	}
	fmt.Println(mse.Summary("mse"))
	fmt.Println(committed.Summary("committed"))
	// Output:
	// mse: n=4, PSNR 21.07 dB mean per sample, 21.07 dB of mean MSE, SSIM 0.7159, averaging index 1.000, committed 0.0%, peak 0.50, sharpness ratio 1.00
	// committed: n=4, PSNR 26.77 dB mean per sample, 18.47 dB of mean MSE, SSIM 0.7595, averaging index 0.024, committed 100.0%, peak 0.90, sharpness ratio 0.90
}

func ExampleSummary_ExplainPSNR() {
	a, b := square(6), square(20)
	branches := []frame.Frame{a, b}
	var mse, committed metrics.Accumulator
	for _, truth := range []frame.Frame{a, b} {
		mse.Add(metrics.MeanFrame(branches), truth, branches)
		committed.Add(dim(a), truth, branches)
	}
	fmt.Println(committed.Summary("committed").ExplainPSNR(mse.Summary("mse")))
	// Output: committed leads on mean per-sample PSNR (26.77 vs 21.07 dB) but mse on PSNR of the mean MSE (21.07 vs 18.47 dB): a mean of logarithms rewards the samples committed gets nearly right, while the mean MSE is ruled by the worst errors and is lowest for the average of the possible futures; the first favours committing to one future, the second averaging them
}
