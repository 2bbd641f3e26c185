package metrics

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The FFmpeg cross-check: write reference and degraded frames as raw video,
// run the ffmpeg CLI's psnr and ssim filters on them, and require every digit
// it prints to match SSIMFFmpeg and PSNRFFmpeg. FFmpeg prints per-frame SSIM
// (stats file) and both closing lines with 6 decimals of a double, per-frame
// PSNR and MSE (frame metadata) with 6 decimals of a float.
//
// Each case runs twice: with -cpuflags 0 (FFmpeg's C code), which must match
// everywhere, and with FFmpeg's default SIMD code, which must match except
// for the SSIM of planes with (W/4 − 1) mod 4 = 1: there FFmpeg 5.1's SSE4
// routine replaces the last window of each row by one made of stale sums.

// ffFormat describes a pixel format: its planes' sizes, the order FFmpeg
// stores them in (as indices into our planes) and the letters it prints for
// our planes.
type ffFormat struct {
	name   string
	planes func(w, h int) [][2]int // our planes' sizes
	order  []int                   // file order of our planes
	letter []string                // letter FFmpeg prints for each of our planes
}

var (
	ffGray    = ffFormat{"gray", func(w, h int) [][2]int { return [][2]int{{w, h}} }, []int{0}, []string{"y"}}
	ffYUV420P = ffFormat{"yuv420p", func(w, h int) [][2]int {
		cw, ch := (w+1)/2, (h+1)/2
		return [][2]int{{w, h}, {cw, ch}, {cw, ch}}
	}, []int{0, 1, 2}, []string{"y", "u", "v"}}
	// gbrp stores G, B, R; our planes are R, G, B as Planes8 returns them.
	ffGBRP = ffFormat{"gbrp", func(w, h int) [][2]int { return [][2]int{{w, h}, {w, h}, {w, h}} },
		[]int{1, 2, 0}, []string{"r", "g", "b"}}
)

// ffCase is one ffmpeg run: n pairs of frames of one format and size.
type ffCase struct {
	format ffFormat
	w, h   int
	seed   uint64
}

func TestFFmpegCrossCheck(t *testing.T) {
	bin, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Fatalf("the FFmpeg cross-check needs the ffmpeg CLI, which is not in PATH (%v); `make deps` installs it", err)
	}
	// Comments give the windows per row, (W/4 − 1), of each plane size.
	cases := []ffCase{
		{ffGray, 67, 45, 1},       // 15: W not a multiple of 4, FFmpeg ignores partial blocks
		{ffYUV420P, 70, 50, 2},    // 16, chroma 35×25: 7
		{ffGBRP, 40, 36, 3},       // 9: planar RGB, printed R G B
		{ffGray, 1280, 720, 4},    // 319: many windows per row
		{ffYUV420P, 92, 96, 5},    // 22, chroma 46×48: 10
		{ffGray, 8, 8, 6},         // 1: the smallest plane SSIM accepts
		{ffYUV420P, 16, 16, 7},    // 3, chroma 8×8: 1
		{ffGray, 1920, 1080, 8},   // 479: 1080p
		{ffGray, 33, 1001, 9},     // 7: tall and thin
		{ffYUV420P, 1001, 17, 10}, // 249, chroma 501×9: 124
		{ffGBRP, 44, 12, 11},      // 10: two block rows
	}
	dir := t.TempDir()
	var matched, simdDiffers int
	for _, tc := range cases {
		name := fmt.Sprintf("%s_%dx%d", tc.format.name, tc.w, tc.h)
		t.Run(name, func(t *testing.T) {
			deg, ref := ffPairs(tc)
			base := filepath.Join(dir, name)
			writeRaw(t, base+"_deg.raw", deg, tc.format.order)
			writeRaw(t, base+"_ref.raw", ref, tc.format.order)
			want := ffExpect(t, deg, ref)
			c := runFFmpeg(t, bin, base, tc, "0")
			matched += compareFFmpeg(t, tc, want, c, nil)
			simd := runFFmpeg(t, bin, base, tc, "")
			var skip []bool // planes where FFmpeg's SSE4 SSIM may differ
			for _, sz := range tc.format.planes(tc.w, tc.h) {
				skip = append(skip, (sz[0]/4-1)%4 == 1)
			}
			matched += compareFFmpeg(t, tc, want, simd, skip)
			if slices.Contains(skip, true) && simd.ssimLines[0] != c.ssimLines[0] {
				simdDiffers++
				t.Logf("FFmpeg's SIMD SSIM differs from its C code here: %q vs %q", simd.ssimLines[0], c.ssimLines[0])
			}
		})
	}
	t.Logf("%d printed FFmpeg values matched digit for digit; FFmpeg's SIMD SSIM differed from its C code in %d cases", matched, simdDiffers)
}

// ffExpect is what SSIMFFmpeg and PSNRFFmpeg give for each pair.
type ffExpected struct {
	ssims []FFmpegSSIM
	psnrs []FFmpegPSNR
}

func ffExpect(t *testing.T, deg, ref [][]Plane8) ffExpected {
	t.Helper()
	var e ffExpected
	for i := range deg {
		s, err := SSIMFFmpeg(deg[i], ref[i])
		if err != nil {
			t.Fatal(err)
		}
		p, err := PSNRFFmpeg(deg[i], ref[i])
		if err != nil {
			t.Fatal(err)
		}
		e.ssims, e.psnrs = append(e.ssims, s), append(e.psnrs, p)
	}
	return e
}

// ffPairs returns degraded and reference frames, each a list of planes, for
// every kind of degradation.
func ffPairs(tc ffCase) (deg, ref [][]Plane8) {
	rng := rand.New(rand.NewPCG(tc.seed, 2024))
	sizes := tc.format.planes(tc.w, tc.h)
	kinds := []string{"noise", "blur", "shift", "same", "invert", "unrelated", "extremes"}
	if tc.w*tc.h > 500_000 {
		kinds = kinds[:3] // keep the big frames cheap
	}
	for _, kind := range kinds {
		var d, r []Plane8
		for _, sz := range sizes {
			rp := ffScene(sz[0], sz[1], rng)
			d = append(d, degrade(rp, kind, rng))
			if kind == "extremes" {
				fill(rp, 255)
			}
			r = append(r, rp)
		}
		deg, ref = append(deg, d), append(ref, r)
	}
	return deg, ref
}

// ffScene returns a plane with a gradient, a few flat rectangles and noise.
func ffScene(w, h int, rng *rand.Rand) Plane8 {
	p := NewPlane8(w, h)
	gx, gy := rng.Float64()*2, rng.Float64()*2
	for y := range h {
		for x := range w {
			p.Pix[y*w+x] = clamp8(30 + gx*float64(x%97) + gy*float64(y%89) + rng.NormFloat64()*6)
		}
	}
	for range 4 {
		x0, y0 := rng.IntN(w), rng.IntN(h)
		v := uint8(rng.IntN(256))
		for y := y0; y < min(h, y0+1+rng.IntN(h/2+1)); y++ {
			for x := x0; x < min(w, x0+1+rng.IntN(w/2+1)); x++ {
				p.Pix[y*w+x] = v
			}
		}
	}
	return p
}

func degrade(p Plane8, kind string, rng *rand.Rand) Plane8 {
	q := NewPlane8(p.W, p.H)
	at := func(x, y int) float64 {
		return float64(p.Pix[min(max(y, 0), p.H-1)*p.W+min(max(x, 0), p.W-1)])
	}
	for y := range p.H {
		for x := range p.W {
			var v float64
			switch kind {
			case "noise":
				v = at(x, y) + rng.NormFloat64()*12
			case "blur":
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						v += at(x+dx, y+dy) / 9
					}
				}
			case "shift":
				v = at(x-2, y+1)
			case "same":
				v = at(x, y)
			case "invert":
				v = 255 - at(x, y)
			case "unrelated":
				v = float64(rng.IntN(256))
			case "extremes":
				v = 0 // against an all-255 reference
			}
			q.Pix[y*p.W+x] = clamp8(v)
		}
	}
	return q
}

func fill(p Plane8, v uint8) {
	for i := range p.Pix {
		p.Pix[i] = v
	}
}

func clamp8(v float64) uint8 { return uint8(min(max(math.Round(v), 0), 255)) }

// writeRaw writes frames as raw video: each frame's planes in file order.
func writeRaw(t *testing.T, path string, frames [][]Plane8, order []int) {
	t.Helper()
	var b bytes.Buffer
	for _, f := range frames {
		for _, i := range order {
			b.Write(f[i].Pix)
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ffOutput is what one ffmpeg run printed.
type ffOutput struct {
	ssimLines []string            // per-frame stats file lines
	meta      []map[string]string // per-frame metadata
	log       string              // stderr, with the closing lines
}

// runFFmpeg runs the psnr and ssim filters on the case's files, with the
// given -cpuflags ("" for FFmpeg's default).
func runFFmpeg(t *testing.T, bin, base string, tc ffCase, cpuflags string) ffOutput {
	t.Helper()
	psnrPath, ssimPath := base+"_psnr.txt", base+"_ssim.txt"
	in := func(p string) []string {
		return []string{"-f", "rawvideo", "-pix_fmt", tc.format.name, "-s", fmt.Sprintf("%dx%d", tc.w, tc.h), "-i", p}
	}
	args := []string{"-hide_banner", "-nostdin", "-loglevel", "info"}
	if cpuflags != "" {
		args = append(args, "-cpuflags", cpuflags)
	}
	args = append(args, in(base+"_deg.raw")...)
	args = append(args, in(base+"_ref.raw")...)
	args = append(args, "-lavfi",
		fmt.Sprintf("[1:v]split[r1][r2];[0:v][r1]psnr,metadata=mode=print:file=%s[p];[p][r2]ssim=stats_file=%s",
			psnrPath, ssimPath),
		"-f", "null", "-")
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ffmpeg %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return ffOutput{ssimLines: readLines(t, ssimPath), meta: readMetadata(t, psnrPath), log: stderr.String()}
}

// compareFFmpeg checks every value ffmpeg printed against want and returns
// how many matched. SSIM of planes marked in skipSSIM (and All, if any is
// marked) is not compared.
func compareFFmpeg(t *testing.T, tc ffCase, want ffExpected, got ffOutput, skipSSIM []bool) int {
	t.Helper()
	n := len(want.ssims)
	skipAll := slices.Contains(skipSSIM, true)
	var matched int
	check := func(what, ours, theirs string) {
		t.Helper()
		if ours != theirs {
			t.Errorf("%s: ours %s, ffmpeg printed %s", what, ours, theirs)
			return
		}
		matched++
	}

	// Per-frame SSIM: "n:1 Y:0.987333 All:0.987333 (18.973109)".
	if len(got.ssimLines) != n {
		t.Fatalf("ffmpeg wrote %d SSIM lines for %d frames:\n%s", len(got.ssimLines), n, strings.Join(got.ssimLines, "\n"))
	}
	for i, line := range got.ssimLines {
		f := fields(line)
		for p, l := range tc.format.letter {
			if skipSSIM == nil || !skipSSIM[p] {
				check(fmt.Sprintf("frame %d SSIM %s", i, l), fmtDouble(want.ssims[i].Planes[p]), f[strings.ToUpper(l)])
			}
		}
		if !skipAll {
			check(fmt.Sprintf("frame %d SSIM All", i), fmtDouble(want.ssims[i].All), f["All"])
			check(fmt.Sprintf("frame %d SSIM dB", i), "("+fmtDouble(want.ssims[i].DB())+")", f["All+"])
		}
	}

	// Per-frame PSNR from the frame metadata, floats printed with %f.
	if len(got.meta) != n {
		t.Fatalf("ffmpeg printed metadata for %d frames, want %d", len(got.meta), n)
	}
	for i, m := range got.meta {
		for p, l := range tc.format.letter {
			check(fmt.Sprintf("frame %d mse.%s", i, l), fmtFloat(want.psnrs[i].MSE[p]), m["lavfi.psnr.mse."+l])
			check(fmt.Sprintf("frame %d psnr.%s", i, l), fmtFloat(want.psnrs[i].PSNR[p]), m["lavfi.psnr.psnr."+l])
		}
		check(fmt.Sprintf("frame %d mse_avg", i), fmtFloat(want.psnrs[i].MSEAvg), m["lavfi.psnr.mse_avg"])
		check(fmt.Sprintf("frame %d psnr_avg", i), fmtFloat(want.psnrs[i].Average), m["lavfi.psnr.psnr_avg"])
	}

	// Closing lines: "PSNR y:... average:... min:... max:..." and
	// "SSIM Y:0.987333 (18.973109) All:0.987333 (18.973109)".
	mp, ms := MeanFFmpegPSNR(want.psnrs), MeanFFmpegSSIM(want.ssims)
	pl := fields(logLine(t, got.log, "PSNR "))
	for p, l := range tc.format.letter {
		check("closing PSNR "+l, fmtDouble(mp.PSNR[p]), pl[l])
	}
	check("closing PSNR average", fmtDouble(mp.Average), pl["average"])
	sl := fields(logLine(t, got.log, "SSIM "))
	for p, l := range tc.format.letter {
		if skipSSIM == nil || !skipSSIM[p] {
			check("closing SSIM "+l, fmtDouble(ms.Planes[p]), sl[strings.ToUpper(l)])
		}
	}
	if !skipAll {
		check("closing SSIM All", fmtDouble(ms.All), sl["All"])
	}
	return matched
}

// fmtDouble prints v as C's printf("%f") prints a double.
func fmtDouble(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case math.IsNaN(v):
		return "nan"
	}
	return fmt.Sprintf("%f", v)
}

// fmtFloat prints v as FFmpeg prints it after storing it in a float.
func fmtFloat(v float64) string { return fmtDouble(float64(float32(v))) }

var fieldRE = regexp.MustCompile(`(\w+):(\S+)( \([^)]*\))?`)

// fields parses "k:v k:v (x)" into a map; a parenthesised value after k:v
// is stored under "k+".
func fields(line string) map[string]string {
	m := map[string]string{}
	for _, sm := range fieldRE.FindAllStringSubmatch(line, -1) {
		m[sm[1]] = sm[2]
		if sm[3] != "" {
			m[sm[1]+"+"] = strings.TrimSpace(sm[3])
		}
	}
	return m
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// readMetadata parses the metadata filter's print file: a "frame:N ..." line
// followed by key=value lines.
func readMetadata(t *testing.T, path string) []map[string]string {
	t.Helper()
	var out []map[string]string
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "frame:") {
			out = append(out, map[string]string{})
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && len(out) > 0 {
			out[len(out)-1][k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// logLine returns the text after "] " of the ffmpeg log line whose message
// starts with prefix.
func logLine(t *testing.T, log, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		if _, msg, ok := strings.Cut(line, "] "); ok && strings.HasPrefix(msg, prefix) {
			return msg
		}
	}
	t.Fatalf("no %q line in ffmpeg's log:\n%s", prefix, log)
	return ""
}
