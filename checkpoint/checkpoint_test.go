package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"framepred/safetensors"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.safetensors")

// checkSame fails unless b holds everything a holds, bit for bit.
func checkSame(t *testing.T, a, b *Checkpoint) {
	t.Helper()
	if b.Step != a.Step || b.Losses != a.Losses || b.LossLabel != a.LossLabel || b.Extractor != a.Extractor || b.ExtractorName != a.ExtractorName {
		t.Errorf("scalars: got step %d %q %q %q %q, want %d %q %q %q %q", b.Step, b.Losses, b.LossLabel, b.Extractor, b.ExtractorName,
			a.Step, a.Losses, a.LossLabel, a.Extractor, a.ExtractorName)
	}
	if !bytes.Equal(b.Train, a.Train) || !bytes.Equal(b.Data, a.Data) || !bytes.Equal(b.RNG, a.RNG) {
		t.Errorf("train %s data %s rng %v, want %s %s %v", b.Train, b.Data, b.RNG, a.Train, a.Data, a.RNG)
	}
	same := func(x, y float64) bool {
		return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
	}
	if !same(b.BestVal, a.BestVal) || !same(b.Val, a.Val) || b.Elapsed != a.Elapsed {
		t.Errorf("best %v val %v elapsed %v, want %v %v %v", b.BestVal, b.Val, b.Elapsed, a.BestVal, a.Val, a.Elapsed)
	}
	if b.Predictor.Config() != a.Predictor.Config() || !equalParams(b.Predictor.Params(), a.Predictor.Params()) {
		t.Error("the predictor differs")
	}
	if (a.Discriminator == nil) != (b.Discriminator == nil) {
		t.Fatalf("discriminator %v, want %v", b.Discriminator != nil, a.Discriminator != nil)
	}
	if a.Discriminator != nil && (b.Discriminator.Config() != a.Discriminator.Config() || !equalParams(b.Discriminator.Params(), a.Discriminator.Params())) {
		t.Error("the discriminator differs")
	}
	for i, pair := range [][2]*adamView{{view(a.AdamG), view(b.AdamG)}, {view(a.AdamD), view(b.AdamD)}} {
		x, y := pair[0], pair[1]
		if (x == nil) != (y == nil) {
			t.Errorf("optimiser %d: present %v, want %v", i, y != nil, x != nil)
			continue
		}
		if x != nil && (x.settings != y.settings || !equalState(x.a.State(), y.a.State())) {
			t.Errorf("optimiser %d: %v step %d, want %v step %d", i, y.settings, y.a.State().Step, x.settings, x.a.State().Step)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *Checkpoint)
	}{
		{"everything", func(c *Checkpoint) {}},
		{"predictor only, before the first step", func(c *Checkpoint) {
			c.Discriminator, c.AdamD = nil, nil
			c.AdamG.SetState(zeroState())
			c.Step, c.BestVal, c.Val, c.Train, c.Data, c.RNG = 0, math.Inf(1), 0.5, nil, nil, nil
			c.Extractor, c.ExtractorName = "", ""
		}},
		{"no optimisers", func(c *Checkpoint) { c.AdamG, c.AdamD = nil, nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sample(t)
			tc.change(c)
			path := filepath.Join(t.TempDir(), "c.safetensors")
			if err := Save(path, c); err != nil {
				t.Fatal(err)
			}
			got, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, c, got)
			// The loaded optimisers continue exactly as the saved ones.
			if c.AdamG != nil && c.AdamG.State().Step > 0 {
				r1, r2 := newRand(), newRand()
				stepAdam(t, c.AdamG, c.Predictor.Params(), r1, 2)
				stepAdam(t, got.AdamG, got.Predictor.Params(), r2, 2)
				if !equalParams(c.Predictor.Params(), got.Predictor.Params()) || !equalState(c.AdamG.State(), got.AdamG.State()) {
					t.Error("two more Adam steps from the loaded state differ from the saved one's")
				}
			}
		})
	}
}

// TestGolden loads a checkpoint written by format version 1, so a later
// change that stops reading old checkpoints shows. -update rewrites it.
func TestGolden(t *testing.T) {
	path := filepath.Join("testdata", "v1.safetensors")
	if *update {
		if err := Save(path, sample(t)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, sample(t), got)
}

func TestSaveRefuses(t *testing.T) {
	dir := t.TempDir()
	c := sample(t)
	c.Predictor = nil
	if err := Save(filepath.Join(dir, "a.safetensors"), c); err == nil {
		t.Error("saved a checkpoint without a predictor")
	}
	c = sample(t)
	c.Discriminator = nil
	if err := Save(filepath.Join(dir, "b.safetensors"), c); err == nil {
		t.Error("saved a discriminator optimiser without a discriminator")
	}
	if des, _ := os.ReadDir(dir); len(des) != 0 {
		t.Errorf("a refused save left %d files", len(des))
	}
}

// rewrite saves c after changing its tensors and metadata.
// With resum, the checksums are recomputed after the change, so the damage
// hides behind valid checksums and the deeper checks must find it.
func rewrite(t *testing.T, path string, c *Checkpoint, resum bool, change func(ts map[string]safetensors.Tensor, meta map[string]string)) {
	t.Helper()
	ts, meta, err := c.encode()
	if err != nil {
		t.Fatal(err)
	}
	change(ts, meta)
	for _, prefix := range sections {
		if sum, ok := checksum(ts, prefix); ok && resum {
			meta[checksumKey(prefix)] = sum
		}
	}
	if err := safetensors.WriteFile(path, ts, meta); err != nil {
		t.Fatal(err)
	}
}

// TestBadFiles: every damaged or foreign file is an error that names the
// file (and, for content problems, wraps ErrFormat), from Load and from
// LoadPredictor alike; none panics.
func TestBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := Save(good, sample(t)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	hdrLen := int(binary.LittleEndian.Uint64(data))
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	edit := func(name string, change func(ts map[string]safetensors.Tensor, meta map[string]string)) string {
		p := filepath.Join(dir, name)
		rewrite(t, p, sample(t), !strings.HasPrefix(name, "sum"), change)
		return p
	}
	flipHeader := bytes.Clone(data)
	flipHeader[8+hdrLen-2] ^= 0x01 // the closing brace of the header's JSON
	flipWeight := bytes.Clone(data)
	flipWeight[len(data)-7] ^= 0x01 // a mantissa bit of a weight near the end
	tests := []struct {
		name, path string
		format     bool   // wraps ErrFormat or safetensors.ErrFormat
		want       string // in the message
	}{
		{"missing file", filepath.Join(dir, "nothere.safetensors"), false, "no such file"},
		{"empty", write("empty.safetensors", nil), true, "truncated"},
		{"cut in the header", write("cut1.safetensors", data[:8+hdrLen/2]), true, ""},
		{"cut in the tensors", write("cut2.safetensors", data[:len(data)-100]), true, ""},
		{"one byte short", write("cut3.safetensors", data[:len(data)-1]), true, ""},
		{"header byte flipped", write("flip1.safetensors", flipHeader), true, ""},
		{"weight bit flipped", write("flip2.safetensors", flipWeight), true, "checksum"},
		{"not a checkpoint", edit("plain.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) { delete(meta, keyFormat) }), true, "not a framepred checkpoint"},
		{"newer format", edit("v2.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) { meta[keyVersion] = "2" }), true, "newer"},
		{"bad step", edit("step.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) { meta[keyStep] = "-1" }), true, "step"},
		{"bad predictor config", edit("cfg.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			meta[keyPredictor] = strings.Replace(meta[keyPredictor], `"depth":1`, `"depth":99`, 1)
		}), true, "depth"},
		{"huge predictor config", edit("huge.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			meta[keyPredictor] = strings.Replace(meta[keyPredictor], `"width":2`, `"width":2000`, 1)
		}), true, "needs at least"},
		{"missing weight", edit("miss.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) { delete(ts, "predictor/head.bias") }), true, "predictor/head.bias"},
		{"extra tensor", edit("extra.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			ts["predictor/extra"] = safetensors.FromFloat32([]int{1}, []float32{1})
		}), true, "predictor/extra"},
		{"wrong shape", edit("shape.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			w := ts["discriminator/score.bias"]
			w.Shape = []int{1, 1}
			ts["discriminator/score.bias"] = w
		}), true, "shape"},
		{"NaN weight", edit("nan.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			w := ts["predictor/enc1.conv1.weight"]
			binary.LittleEndian.PutUint32(w.Data[4:], math.Float32bits(float32(math.NaN())))
		}), true, "NaN"},
		{"F16 weight", edit("f16.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			ts["predictor/head.bias"] = safetensors.Tensor{DType: safetensors.F16, Shape: []int{1}, Data: []byte{0, 0}}
		}), true, "F16"},
		{"missing Adam moment", edit("adam.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			delete(ts, "adam/discriminator/v/conv1.weight")
		}), true, "adam/discriminator/v/conv1.weight"},
		{"bad Adam settings", edit("adamcfg.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			meta[keyOptimG] = `{"step":3,"lr":-1,"beta1":0.5,"beta2":0.999,"eps":1e-8,"weight_decay":0}`
		}), true, "Adam settings"},
		{"bad random state", edit("rng.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) { meta[keyRNG] = "%%%" }), true, "random state"},
		{"stale checksum", edit("sum.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) {
			meta[checksumKey(prefixG)] = "00000000"
		}), true, "checksum"},
		{"bad train config", edit("train.safetensors", func(ts map[string]safetensors.Tensor, meta map[string]string) { meta[keyTrain] = "{" }), true, "train config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.path)
			check := func(who string, err error) {
				if err == nil {
					t.Fatalf("%s accepted the file", who)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.path) || !strings.Contains(msg, tc.want) {
					t.Errorf("%s: %q does not name the file and %q", who, msg, tc.want)
				}
				if isFormat := errors.Is(err, ErrFormat) || errors.Is(err, safetensors.ErrFormat); isFormat != tc.format {
					t.Errorf("%s: %q: wraps a format error: %v, want %v", who, msg, isFormat, tc.format)
				}
			}
			check("Load", err)
			// LoadPredictor reads less: it misses damage to the
			// discriminator and the optimisers, and nothing else.
			_, _, perr := LoadPredictor(tc.path)
			if tc.name == "wrong shape" || tc.name == "missing Adam moment" || tc.name == "bad Adam settings" ||
				tc.name == "bad random state" || tc.name == "bad train config" {
				if perr != nil {
					t.Errorf("LoadPredictor: %v", perr)
				}
				return
			}
			check("LoadPredictor", perr)
		})
	}
}

func TestLoadPredictor(t *testing.T) {
	c := sample(t)
	c.Val = 0.25
	path := filepath.Join(t.TempDir(), StepName(c.Step))
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	p, in, err := LoadPredictor(path)
	if err != nil {
		t.Fatal(err)
	}
	if !equalParams(p.Params(), c.Predictor.Params()) || p.Config() != c.Predictor.Config() {
		t.Error("the predictor differs from the saved one")
	}
	want := Info{Path: path, Step: 412, Config: c.Predictor.Config(), Losses: c.Losses, LossLabel: c.LossLabel,
		Extractor: c.Extractor, ExtractorName: c.ExtractorName, Train: c.Train, Val: 0.25, BestVal: c.BestVal}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("Info = %+v\nwant   %+v", in, want)
	}
}

// TestLoadPredictorTrain checks Info.Train: the saved run config as it was
// written, and nil when the checkpoint has none or a damaged one.
func TestLoadPredictorTrain(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		train string // "" leaves the key out
		want  string
	}{
		{"saved", `{"seed":7,"batch":4}`, `{"seed":7,"batch":4}`},
		{"none", "", ""},
		{"not JSON", `{"seed":`, ""},
	} {
		path := filepath.Join(dir, tc.name+".safetensors")
		rewrite(t, path, sample(t), false, func(_ map[string]safetensors.Tensor, meta map[string]string) {
			delete(meta, keyTrain)
			if tc.train != "" {
				meta[keyTrain] = tc.train
			}
		})
		_, in, err := LoadPredictor(path)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if string(in.Train) != tc.want || (tc.want == "") != (in.Train == nil) {
			t.Errorf("%s: Info.Train = %q, want %q", tc.name, in.Train, tc.want)
		}
	}
}

// FuzzLoad feeds mutations of a real checkpoint to the loader: it must
// never panic, and a file it accepts must save and load back the same.
func FuzzLoad(f *testing.F) {
	c := sample(f)
	ts, meta, err := c.encode()
	if err != nil {
		f.Fatal(err)
	}
	var b bytes.Buffer
	if err := safetensors.Write(&b, ts, meta); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		sf, err := safetensors.Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		got, err := decode(sf)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, safetensors.ErrFormat) {
				t.Fatalf("an error that is not a format error: %v", err)
			}
			return
		}
		ts, meta, err := got.encode()
		if err != nil {
			t.Fatalf("an accepted checkpoint does not encode: %v", err)
		}
		var b bytes.Buffer
		if err := safetensors.Write(&b, ts, meta); err != nil {
			t.Fatalf("an accepted checkpoint does not write: %v", err)
		}
		sf, err = safetensors.Read(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			t.Fatal(err)
		}
		again, err := decode(sf)
		if err != nil {
			t.Fatalf("a saved checkpoint does not load: %v", err)
		}
		checkSame(t, got, again)
	})
}
