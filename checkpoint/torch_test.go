package checkpoint

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"framepred/frame"
	"framepred/internal/torchref"
	"framepred/model"
)

// torchScript loads a framepred checkpoint into PyTorch: an independent
// safetensors reader written from the format's specification (Debian's
// python3-torch has no safetensors module), the U-Net as package model
// documents it with PyTorch module names, load_state_dict(strict=True) from
// the "predictor/" tensors, and a forward pass on an input both sides
// compute from a formula. It also checks that every Adam moment has its
// parameter's shape. Usage: script.py CHECKPOINT N H W. Prints JSON.
const torchScript = `
import json, math, struct, sys
import torch
import torch.nn as nn
import torch.nn.functional as F

def read(path):
    b = open(path, "rb").read()
    (n,) = struct.unpack("<Q", b[:8])
    h = json.loads(b[8:8 + n].decode("utf-8"))
    meta = h.pop("__metadata__", {})
    buf = bytearray(b[8 + n:])
    ts = {}
    for k, v in h.items():
        assert v["dtype"] == "F32", k
        s, e = v["data_offsets"]
        ts[k] = torch.frombuffer(buf[s:e], dtype=torch.float32).reshape(v["shape"]) if e > s else torch.empty(v["shape"])
    return ts, meta

class Enc(nn.Module):
    def __init__(self, ci, co, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(ci, co, 3, stride, 1)
        self.conv2 = nn.Conv2d(co, co, 3, 1, 1)

class Dec(nn.Module):
    def __init__(self, co):
        super().__init__()
        self.up = nn.Conv2d(2 * co, co, 3, 1, 1)
        self.merge = nn.Conv2d(2 * co, co, 3, 1, 1)

class UNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        k, c, width, depth = cfg["context"], cfg["channels"], cfg["width"], cfg["depth"]
        self.k, self.c, self.depth, self.residual = k, c, depth, cfg["residual"]
        w = lambda level: width << (level - 1)
        ci = k * c
        for level in range(1, depth + 2):
            setattr(self, "enc%d" % level, Enc(ci, w(level), 1 if level == 1 else 2))
            ci = w(level)
        for level in range(depth, 0, -1):
            setattr(self, "dec%d" % level, Dec(w(level)))
        self.head = nn.Conv2d(width, c, 1)

    def forward(self, x):
        a = lambda t: F.leaky_relu(t, 0.2)
        skips, h = [], x
        for level in range(1, self.depth + 2):
            e = getattr(self, "enc%d" % level)
            h = a(e.conv2(a(e.conv1(h))))
            skips.append(h)
        for level in range(self.depth, 0, -1):
            d = getattr(self, "dec%d" % level)
            u = a(d.up(F.interpolate(h, scale_factor=2, mode="nearest")))
            h = a(d.merge(torch.cat([u, skips[level - 1]], 1)))
        out = self.head(h)
        if self.residual:
            out = out + x[:, (self.k - 1) * self.c:]
        return out

ts, meta = read(sys.argv[1])
n, hh, ww = map(int, sys.argv[2:5])
cfg = json.loads(meta["predictor_config"])
net = UNet(cfg)
sd = {k[len("predictor/"):]: v for k, v in ts.items() if k.startswith("predictor/")}
net.load_state_dict(sd, strict=True)
for k, v in ts.items():
    for pre in ("adam/predictor/m/", "adam/predictor/v/"):
        if k.startswith(pre):
            assert tuple(v.shape) == tuple(sd[k[len(pre):]].shape), k
kc = cfg["context"] * cfg["channels"]
x = torch.tensor([0.5 + 0.5 * math.sin(0.37 * i) for i in range(n * kc * hh * ww)]).reshape(n, kc, hh, ww)
with torch.no_grad():
    y = net(x).clamp(0, 1)
print(json.dumps({"step": int(meta["step"]), "losses": meta["losses"], "params": len(sd), "out": y.flatten().tolist()}))
`

// TestTorchLoads checks that PyTorch reads a checkpoint: its predictor
// loads into the PyTorch U-Net by name and predicts what framepred
// predicts. It needs /usr/bin/python3 with torch (Debian's python3-torch)
// and skips, saying so, where they are absent.
func TestTorchLoads(t *testing.T) {
	dir := t.TempDir()
	c := sample(t)
	cfg := c.Predictor.Config()
	cfg.Width = 4
	p, err := model.NewPredictor(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	c.Predictor, c.AdamG = p, nil
	path := filepath.Join(dir, "ckpt.safetensors")
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}

	const n, h, w = 2, 8, 8
	kc := cfg.Context * cfg.Channels
	ctx := make([][]frame.Frame, n)
	for i := range ctx {
		for k := range cfg.Context {
			f := frame.New(cfg.Channels, h, w)
			for ch := range cfg.Channels {
				for j := range h * w {
					// Element (i, k·C+ch, j) of the N×(K·C)×H×W input.
					f.Plane(ch)[j] = float32(0.5 + 0.5*math.Sin(0.37*float64((i*kc+k*cfg.Channels+ch)*h*w+j)))
				}
			}
			ctx[i] = append(ctx[i], f)
		}
	}
	want, err := p.Predict(ctx)
	if err != nil {
		t.Fatal(err)
	}

	out := torchref.Run(t, "loading in PyTorch", "load.py", torchScript, path, "2", "8", "8")
	var res struct {
		Step   int64
		Losses string
		Params int
		Out    []float64
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("PyTorch output: %v\n%s", err, out)
	}
	if res.Step != c.Step || res.Losses != c.Losses || res.Params != len(p.Params()) {
		t.Errorf("PyTorch read step %d, losses %q, %d parameters; want %d, %q, %d", res.Step, res.Losses, res.Params, c.Step, c.Losses, len(p.Params()))
	}
	if len(res.Out) != n*h*w*cfg.Channels {
		t.Fatalf("PyTorch gave %d values, want %d", len(res.Out), n*h*w*cfg.Channels)
	}
	// float32 on both sides, summed in different orders: tol 1e-5.
	const tol = 1e-5
	worst, inside := 0.0, 0
	for i, f := range want {
		for j, v := range f.Pix {
			worst = math.Max(worst, math.Abs(float64(v)-res.Out[i*len(f.Pix)+j]))
			if v > 0 && v < 1 {
				inside++
			}
		}
	}
	if inside < len(res.Out)/2 {
		t.Fatalf("only %d of %d predicted values are inside (0,1): clamping would hide differences", inside, len(res.Out))
	}
	t.Logf("largest difference from PyTorch's prediction: %.3g", worst)
	if worst > tol {
		t.Errorf("PyTorch's prediction differs from framepred's by up to %.3g, want ≤ %g", worst, tol)
	}
}
