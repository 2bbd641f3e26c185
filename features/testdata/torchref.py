#!/usr/bin/python3
"""Reference feature maps for framepred's features tests, computed with PyTorch.

Run with Debian's torch 1.13 from the features folder:
    /usr/bin/python3 testdata/torchref.py | gofmt > torchref_data_test.go
(go generate in package features does exactly that). It writes a Go file of
float64 literals.

Every input and weight is made by hseq(n, seed, scale, offset) below, an
integer hash (splitmix64) that the Go tests repeat bit for bit. Activations are
laid out CNHW (channels, batch, height, width) as framepred's ops are; PyTorch
gets the NCHW view. The random extractor's weights are read from
testdata/random_seed1234.safetensors, which the Go test writes from
features.RandomWeights (go test -run TestRandomWeightsGolden -update).
"""
import json
import math
import struct

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
MASK = (1 << 64) - 1


def splitmix(z):
    z = (z + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def hseq(n, seed, scale=1.0, offset=0.0):
    """n values uniform in [offset-scale, offset+scale), from splitmix64(seed<<32 | i)."""
    return torch.tensor([((splitmix((seed << 32) | i) >> 11) / 2.0**53 * 2 - 1) * scale + offset for i in range(n)])


def cnhw(shape, seed, scale=1.0, offset=0.0):
    c, n, h, w = shape
    return hseq(c * n * h * w, seed, scale, offset).reshape(c, n, h, w).permute(1, 0, 2, 3).contiguous()


def flat(t):
    return t.permute(1, 0, 2, 3).contiguous().reshape(-1).tolist()


out = []


def emit(name, values):
    body = ", ".join(repr(float(v)) for v in values)
    out.append(f"\t{name!r}: {{{body}}},".replace("'", '"'))


# ---------------------------------------------------------------- VGG
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def vgg_weights(blocks, widths):
    """Tiny VGG weights: conv at torchvision's indices, He-scaled hseq values.
    Weight of features.i: hseq(out*in*9, 100+i, sqrt(6/(in*9))); bias hseq(out, 200+i, 0.1);
    both rounded to float32, as the test's weights file stores them."""
    ws, i, cin, k = {}, 0, 3, 0
    for b, n in enumerate(blocks):
        for _ in range(n):
            co = widths[k]
            ws[i] = (hseq(co * cin * 9, 100 + i, math.sqrt(6 / (cin * 9))).reshape(co, cin, 3, 3).float().double(),
                     hseq(co, 200 + i, 0.1).float().double())
            cin, i, k = co, i + 2, k + 1
        i += 1
    return ws


def vgg(x, blocks, ws, layers):
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    feats, i = {}, 0
    for b, n in enumerate(blocks):
        for k in range(n):
            w, bias = ws[i]
            x = F.relu(F.conv2d(x, w, bias, padding=1))
            feats[f"relu{b + 1}_{k + 1}"] = x
            i += 2
        x = F.max_pool2d(x, 2)
        feats[f"pool{b + 1}"] = x
        i += 1
    return [feats[l] for l in layers]


V19 = ([2, 2, 4], [4, 4, 8, 8, 8, 8, 8, 8])
V16 = ([2, 2, 3], [4, 4, 8, 8, 8, 8, 8])
rgb = cnhw((3, 2, 8, 8), 1, 0.5, 0.5)
gray = cnhw((1, 2, 8, 8), 2, 0.5, 0.5)
w19, w16 = vgg_weights(*V19), vgg_weights(*V16)
for name, x, blocks, ws, layers in [
    ("vgg19/rgb", rgb, V19[0], w19, ["relu1_2", "relu2_2", "relu3_4"]),
    ("vgg19/gray", gray, V19[0], w19, ["relu1_2", "relu2_2", "relu3_4"]),
    ("vgg19/rgb_pick", rgb, V19[0], w19, ["relu1_1", "pool2"]),
    ("vgg16/gray", gray, V16[0], w16, ["relu1_2", "relu2_2", "relu3_3"]),
]:
    for layer, f in zip(layers, vgg(x, blocks, ws, layers)):
        emit(f"{name}/{layer}", flat(f))

# ---------------------------------------------------------------- edges
sx = torch.tensor([[-1., 0, 1], [-2, 0, 2], [-1, 0, 1]])
d1 = torch.tensor([[0., 1, 2], [-1, 0, 1], [-2, -1, 0]])
bank = torch.stack([sx, sx.t(), d1, d1.flip(1)]).unsqueeze(1) / 4.0  # (4,1,3,3)


def edges(x):
    c = x.shape[1]
    w = bank.repeat(c, 1, 1, 1)  # grouped: output 4i+k is kernel k on channel i
    return [F.conv2d(x, w, padding=1, groups=c), F.conv2d(F.avg_pool2d(x, 2), w, padding=1, groups=c)]


for name, x in [("edges/gray", gray), ("edges/rgb", cnhw((3, 1, 6, 6), 3, 0.5, 0.5))]:
    for layer, f in zip(["edges1", "edges2"], edges(x)):
        emit(f"{name}/{layer}", flat(f))


# ---------------------------------------------------------------- random
def read_safetensors(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    n = struct.unpack("<Q", raw[:8])[0]
    hdr = json.loads(raw[8:8 + n])
    ts = {}
    for k, v in hdr.items():
        if k == "__metadata__":
            continue
        assert v["dtype"] == "F32"
        b, e = v["data_offsets"]
        vals = struct.unpack(f"<{(e - b) // 4}f", raw[8 + n + b:8 + n + e])
        ts[k] = torch.tensor(vals).reshape(v["shape"])
    return ts


rw = read_safetensors("testdata/random_seed1234.safetensors")
for name, x in [("random/gray", gray), ("random/rgb", rgb)]:
    c = x.shape[1]
    f1 = F.relu(F.conv2d(x, rw[f"w1.{c}"], padding=1))
    f2 = F.relu(F.conv2d(f1, rw[f"w2.{c}"], stride=2, padding=1))
    emit(f"{name}/relu1", flat(f1))
    emit(f"{name}/relu2", flat(f2))

print(f"// Code generated by testdata/torchref.py with PyTorch {torch.__version__}; DO NOT EDIT.\n")
print("package features\n")
print("// torchRef holds PyTorch's feature maps for the extractor tests, CNHW order;")
print("// see testdata/torchref.py for how each was made.")
print("var torchRef = map[string][]float64{")
print("\n".join(out))
print("}")
