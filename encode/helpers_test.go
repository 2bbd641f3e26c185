package encode

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"

	"framepred/frame"
)

// newRNG is the tests' one seeded generator.
func newRNG() *rand.Rand { return rand.New(rand.NewPCG(2024, 11)) }

// movingScene returns n frames of a smooth scene (a colour gradient and two
// soft discs that move) with channel count c: content H.264 can keep well,
// as real video is, unlike noise.
func movingScene(rng *rand.Rand, n, c, h, w int) []frame.Frame {
	type disc struct {
		x, y, vx, vy, r float64
		col             [3]float64
	}
	ds := make([]disc, 2)
	for i := range ds {
		ds[i] = disc{
			x: rng.Float64() * float64(w), y: rng.Float64() * float64(h),
			vx: rng.Float64()*2 - 1, vy: rng.Float64()*2 - 1,
			r:   float64(min(h, w)) * (0.15 + 0.1*rng.Float64()),
			col: [3]float64{rng.Float64(), rng.Float64(), rng.Float64()},
		}
	}
	out := make([]frame.Frame, n)
	for t := range out {
		f := frame.New(c, h, w)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				px := [3]float64{0.2 + 0.6*float64(x)/float64(w), 0.3 + 0.4*float64(y)/float64(h), 0.5}
				for _, d := range ds {
					cx, cy := d.x+d.vx*float64(t), d.y+d.vy*float64(t)
					dist := math.Hypot(float64(x)-cx, float64(y)-cy)
					a := 1 / (1 + math.Exp((dist-d.r)/3)) // soft edge, as a camera blurs
					for k := range px {
						px[k] = px[k]*(1-a) + d.col[k]*a
					}
				}
				if c == 1 {
					f.Set(0, y, x, float32(0.299*px[0]+0.587*px[1]+0.114*px[2]))
					continue
				}
				for k := 0; k < c; k++ {
					f.Set(k, y, x, float32(px[k]))
				}
			}
		}
		out[t] = f
	}
	return out
}

// psnr compares a and b (same shape, values in [0,1]) in dB.
func psnr(t testing.TB, a, b frame.Frame) float64 {
	t.Helper()
	if !a.SameShape(b) {
		t.Fatalf("psnr: shapes %s and %s differ", a.Shape(), b.Shape())
	}
	var se float64
	for i := range a.Pix {
		d := float64(a.Pix[i] - b.Pix[i])
		se += d * d
	}
	mse := se / float64(len(a.Pix))
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(1/mse)
}

// crop returns the h x w window of f at (y0, x0).
func crop(f frame.Frame, y0, x0, h, w int) frame.Frame {
	g := frame.New(f.C, h, w)
	for c := 0; c < f.C; c++ {
		for y := 0; y < h; y++ {
			copy(g.Pix[(c*h+y)*w:(c*h+y+1)*w], f.Pix[(c*f.H+y0+y)*f.W+x0:][:w])
		}
	}
	return g
}

// decodeCLI decodes every frame of path with the ffmpeg CLI as RGB (c 3)
// or gray (c 1) at the file's own size.
func decodeCLI(t testing.TB, path string, c, h, w int) []frame.Frame {
	t.Helper()
	pix := "rgb24"
	if c == 1 {
		pix = "gray"
	}
	cmd := exec.Command("ffmpeg", "-nostdin", "-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", pix, "-")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("ffmpeg decode %s: %v: %s", path, err, stderr.String())
	}
	size := c * h * w
	if len(raw)%size != 0 {
		t.Fatalf("ffmpeg gave %d bytes, not a multiple of a %dx%dx%d frame", len(raw), c, h, w)
	}
	var out []frame.Frame
	for ; len(raw) > 0; raw = raw[size:] {
		f := frame.New(c, h, w)
		for i, v := range raw[:size] { // HWC bytes to CHW floats
			ch, p := i%c, i/c
			f.Pix[ch*h*w+p] = float32(v) / 255
		}
		out = append(out, f)
	}
	return out
}

// probe is what ffprobe says about a video's first stream.
type probe struct {
	Streams []struct {
		CodecName    string `json:"codec_name"`
		Profile      string `json:"profile"`
		PixFmt       string `json:"pix_fmt"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		RFrameRate   string `json:"r_frame_rate"`
		AvgFrameRate string `json:"avg_frame_rate"`
		NbReadFrames string `json:"nb_read_frames"`
		ColorSpace   string `json:"color_space"`
		ColorRange   string `json:"color_range"`
	} `json:"streams"`
	Frames []struct {
		PtsTime string `json:"pts_time"`
	} `json:"frames"`
	Format struct {
		Duration   string `json:"duration"`
		FormatName string `json:"format_name"`
	} `json:"format"`
}

func ffprobe(t testing.TB, path string) probe {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,avg_frame_rate,nb_read_frames,color_space,color_range:format=duration,format_name:frame=pts_time",
		"-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	if len(p.Streams) != 1 {
		t.Fatalf("ffprobe %s: %d video streams, want 1", path, len(p.Streams))
	}
	return p
}

// topBoxes lists the types of an MP4 file's top-level boxes in order.
func topBoxes(t testing.TB, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for len(b) >= 8 {
		size := uint64(binary.BigEndian.Uint32(b))
		typ := string(b[4:8])
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				t.Fatalf("%s: truncated box %q", path, typ)
			}
			size = binary.BigEndian.Uint64(b[8:])
		}
		if size < 8 || size > uint64(len(b)) {
			t.Fatalf("%s: box %q has bad size %d", path, typ, size)
		}
		types = append(types, typ)
		b = b[size:]
	}
	return types
}

// listDir names the entries of dir.
func listDir(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
