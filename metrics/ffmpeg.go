package metrics

import (
	"math"

	"framepred/frame"
)

// FFmpeg's SSIM constants for 8-bit samples, c1 = round(0.01²·255²·64) and
// c2 = round(0.03²·255²·64·63): the K1, K2 terms scaled to sums over 64
// samples (and, for c2, to the 64·63 of an unbiased variance of sums).
const (
	ffSSIMC1 = 416
	ffSSIMC2 = 235963
)

// FFmpegSSIM is one frame's SSIM as FFmpeg's ssim filter reports it.
type FFmpegSSIM struct {
	Planes []float64 // per plane, in the order the planes were given
	All    float64   // the planes weighted by their number of samples
}

// DB returns All in dB the way FFmpeg prints it in parentheses,
// 10·log10(1/(1−All)); +Inf when All is 1.
func (s FFmpegSSIM) DB() float64 { return ssimDB(s.All, 1) }

func ssimDB(ssim, weight float64) float64 {
	if math.Abs(weight-ssim) <= 1e-9 {
		return math.Inf(1)
	}
	return 10 * math.Log10(weight/(weight-ssim))
}

// SSIMFFmpeg returns the SSIM that FFmpeg 5.1's ssim filter computes for
// 8-bit planes: per plane, 4×4 blocks are summed into overlapping 8×8 windows
// at a stride of 4 (no Gaussian), each window's SSIM is evaluated in 32-bit
// integers and float32 exactly as FFmpeg does, and the windows are averaged;
// samples beyond the last whole 4×4 block are ignored. All weights each plane
// by its share of the samples (yuv420p: 4/6, 1/6, 1/6; gbrp: 1/3 each).
// Like [SSIM], 1 means identical and blur lowers it, but the values are not
// interchangeable.
//
// The digits `ffmpeg -lavfi ssim` prints are reproduced exactly, with one
// exception on x86: for a plane whose width gives (W/4 − 1) mod 4 = 1
// windows per row, FFmpeg 5.1's SSE4 routine drops the last window of each
// row and counts one made of stale sums instead (of all-zero sums, SSIM 1,
// for a gray plane). SSIMFFmpeg computes what FFmpeg's C code does, which
// `ffmpeg -cpuflags 0` prints.
//
// deg plays FFmpeg's main input and ref its reference (SSIM is symmetric).
// It returns an error unless deg and ref have the same number of planes, of
// matching sizes, each at least 8×8 (below that FFmpeg has no whole window
// and prints -nan or 0).
func SSIMFFmpeg(deg, ref []Plane8) (FFmpegSSIM, error) {
	if err := checkPlanes("SSIMFFmpeg", deg, ref, 8); err != nil {
		return FFmpegSSIM{}, err
	}
	r := FFmpegSSIM{Planes: make([]float64, len(deg))}
	for i, w := range planeWeights(ref) {
		r.Planes[i] = ssimPlane8(deg[i], ref[i])
		r.All += w * r.Planes[i]
	}
	return r, nil
}

// SSIMFFmpegFrame is [SSIMFFmpeg] of frames quantised by [Planes8]: one plane
// for gray frames, the R, G and B planes (as FFmpeg's gbrp) for RGB frames.
// It panics if the shapes differ or the frames are smaller than 8×8.
func SSIMFFmpegFrame(pred, truth frame.Frame) FFmpegSSIM {
	mustSameShape("SSIMFFmpegFrame", pred, truth)
	r, err := SSIMFFmpeg(Planes8(pred), Planes8(truth))
	if err != nil {
		panic(err)
	}
	return r
}

// MeanFFmpegSSIM returns the per-plane and All means of per-frame results,
// which FFmpeg's ssim filter prints when it closes. It panics if the results
// have different numbers of planes; it returns NaN fields for no results.
func MeanFFmpegSSIM(rs []FFmpegSSIM) FFmpegSSIM {
	if len(rs) == 0 {
		return FFmpegSSIM{All: math.NaN()}
	}
	m := FFmpegSSIM{Planes: make([]float64, len(rs[0].Planes))}
	for _, r := range rs {
		if len(r.Planes) != len(m.Planes) {
			panic("metrics: MeanFFmpegSSIM of results with different numbers of planes")
		}
		for i, v := range r.Planes {
			m.Planes[i] += v
		}
		m.All += r.All
	}
	n := float64(len(rs))
	for i := range m.Planes {
		m.Planes[i] /= n
	}
	m.All /= n
	return m
}

// ssimPlane8 is FFmpeg's per-plane SSIM. Block row by (4 sample rows) is
// summed into cur; each window joins the 2×2 blocks of rows by−1 and by.
func ssimPlane8(a, b Plane8) float64 {
	bw, bh := a.W>>2, a.H>>2
	prev, cur := make([][4]int32, bw), make([][4]int32, bw)
	blockSums(a, b, 0, prev)
	var total float64
	for by := 1; by < bh; by++ {
		blockSums(a, b, by, cur)
		var row float64
		for x := 0; x < bw-1; x++ {
			p0, p1, c0, c1 := &prev[x], &prev[x+1], &cur[x], &cur[x+1]
			row += float64(ssimWindow8(
				p0[0]+p1[0]+c0[0]+c1[0],
				p0[1]+p1[1]+c0[1]+c1[1],
				p0[2]+p1[2]+c0[2]+c1[2],
				p0[3]+p1[3]+c0[3]+c1[3]))
		}
		total += row
		prev, cur = cur, prev
	}
	return total / float64((bw-1)*(bh-1))
}

// blockSums fills sums[x] with Σa, Σb, Σa²+Σb² and Σab over the 4×4 block
// at block row by, block column x.
func blockSums(a, b Plane8, by int, sums [][4]int32) {
	for x := range sums {
		var s1, s2, ss, s12 int32
		for y := 4 * by; y < 4*by+4; y++ {
			ra := a.Pix[y*a.W+4*x : y*a.W+4*x+4]
			rb := b.Pix[y*b.W+4*x : y*b.W+4*x+4]
			for i := range 4 {
				p, q := int32(ra[i]), int32(rb[i])
				s1 += p
				s2 += q
				ss += p*p + q*q
				s12 += p * q
			}
		}
		sums[x] = [4]int32{s1, s2, ss, s12}
	}
}

// ssimWindow8 is the SSIM of one 8×8 window from its sums, in FFmpeg's
// arithmetic: int32 moments, each factor converted to float32, products and
// quotient rounded to float32.
func ssimWindow8(s1, s2, ss, s12 int32) float32 {
	vars := ss*64 - s1*s1 - s2*s2
	covar := s12*64 - s1*s2
	num := float32(float32(2*s1*s2+ffSSIMC1) * float32(2*covar+ffSSIMC2))
	den := float32(float32(s1*s1+s2*s2+ffSSIMC1) * float32(vars+ffSSIMC2))
	return num / den
}

// FFmpegPSNR is one frame's PSNR as FFmpeg's psnr filter reports it, on the
// 0–255 scale of 8-bit samples.
type FFmpegPSNR struct {
	MSE  []float64 // per plane, in the order the planes were given
	PSNR []float64 // per plane, dB: 10·log10(255²/MSE), +Inf for MSE 0

	// MSEAvg weights each plane's MSE by its share of the samples, and
	// Average is its PSNR (FFmpeg's mse_avg and psnr_avg).
	MSEAvg, Average float64
}

// PSNRFFmpeg returns the PSNR that FFmpeg 5.1's psnr filter computes for
// 8-bit planes: per plane, the integer sum of squared differences over all
// samples, divided by their number, and 10·log10(255²/MSE); Average is the
// PSNR of the plane-size-weighted mean MSE, not the mean of plane PSNRs.
// Identical planes give +Inf (FFmpeg prints inf). Its values equal [PSNR] of
// the frames k/255 up to rounding, since 255 plays the part of 1.0.
// It returns an error unless deg and ref have the same number of planes of
// matching sizes.
func PSNRFFmpeg(deg, ref []Plane8) (FFmpegPSNR, error) {
	if err := checkPlanes("PSNRFFmpeg", deg, ref, 1); err != nil {
		return FFmpegPSNR{}, err
	}
	r := FFmpegPSNR{MSE: make([]float64, len(deg)), PSNR: make([]float64, len(deg))}
	for i, w := range planeWeights(ref) {
		var sse uint64
		for j, p := range deg[i].Pix {
			d := int(p) - int(ref[i].Pix[j])
			sse += uint64(d * d)
		}
		r.MSE[i] = float64(sse) / (float64(deg[i].W) * float64(deg[i].H))
		r.PSNR[i] = psnr255(r.MSE[i], 1)
		r.MSEAvg += r.MSE[i] * w
	}
	r.Average = psnr255(r.MSEAvg, 1)
	return r, nil
}

// PSNRFFmpegFrame is [PSNRFFmpeg] of frames quantised by [Planes8].
// It panics if the shapes differ.
func PSNRFFmpegFrame(pred, truth frame.Frame) FFmpegPSNR {
	mustSameShape("PSNRFFmpegFrame", pred, truth)
	r, err := PSNRFFmpeg(Planes8(pred), Planes8(truth))
	if err != nil {
		panic(err)
	}
	return r
}

// MeanFFmpegPSNR combines per-frame results as FFmpeg's psnr filter does in
// the line it prints when it closes: MSE and MSEAvg are means over the
// frames, each PSNR is the PSNR of its mean MSE, so Average is the PSNR of
// the mean weighted MSE ([PSNROfMeanMSE] on the 0–255 scale). It panics if
// the results have different numbers of planes; it returns NaN fields for no
// results.
func MeanFFmpegPSNR(rs []FFmpegPSNR) FFmpegPSNR {
	if len(rs) == 0 {
		return FFmpegPSNR{MSEAvg: math.NaN(), Average: math.NaN()}
	}
	np := len(rs[0].MSE)
	sum := make([]float64, np)
	var sumAvg float64
	for _, r := range rs {
		if len(r.MSE) != np {
			panic("metrics: MeanFFmpegPSNR of results with different numbers of planes")
		}
		for i, v := range r.MSE {
			sum[i] += v
		}
		sumAvg += r.MSEAvg
	}
	n := uint64(len(rs))
	m := FFmpegPSNR{MSE: make([]float64, np), PSNR: make([]float64, np)}
	for i, s := range sum {
		m.MSE[i] = s / float64(n)
		m.PSNR[i] = psnr255(s, n)
	}
	m.MSEAvg = sumAvg / float64(n)
	m.Average = psnr255(sumAvg, n)
	return m
}

// psnr255 is FFmpeg's get_psnr for 8-bit samples: the PSNR of the mean of n
// frames' summed MSE, in the same order of operations.
func psnr255(mseSum float64, n uint64) float64 {
	return 10 * math.Log10(255*255/(mseSum/float64(n)))
}
