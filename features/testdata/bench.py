#!/usr/bin/python3
"""PyTorch timing of what BenchmarkPerceptual times in Go: a perceptual loss on
the demo batch (32 gray 32x32 frames, float32), forward on prediction and
truth, MSE of the feature maps, backward to the prediction.

Run with Debian's torch 1.13:  /usr/bin/python3 testdata/bench.py [threads]
Compare with:  go test -run '^$' -bench Perceptual -benchtime 20x ./features
on the same machine at the same time; the ratio is the useful number.
"""
import math
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
g = torch.Generator().manual_seed(0)

sx = torch.tensor([[-1., 0, 1], [-2, 0, 2], [-1, 0, 1]])
d1 = torch.tensor([[0., 1, 2], [-1, 0, 1], [-2, -1, 0]])
bank = torch.stack([sx, sx.t(), d1, d1.flip(1)]).unsqueeze(1) / 4.0
w1 = torch.randn(16, 1, 3, 3, generator=g) * math.sqrt(2 / 9)
w2 = torch.randn(32, 16, 3, 3, generator=g) * math.sqrt(2 / 144)
vw, cin = [], 3
for co in [64, 64, "M", 128, 128, "M", 256, 256, 256, 256]:
    if co == "M":
        vw.append(None)
        continue
    vw.append((torch.randn(co, cin, 3, 3, generator=g) * math.sqrt(2 / (cin * 9)), torch.zeros(co)))
    cin = co
mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def edges(x):
    return [F.conv2d(x, bank, padding=1), F.conv2d(F.avg_pool2d(x, 2), bank, padding=1)]


def random(x):
    f1 = F.relu(F.conv2d(x, w1, padding=1))
    return [f1, F.relu(F.conv2d(f1, w2, stride=2, padding=1))]


def vgg19(x):
    x = (x.repeat(1, 3, 1, 1) - mean) / std
    out = []
    for i, w in enumerate(vw):
        x = F.max_pool2d(x, 2) if w is None else F.relu(F.conv2d(x, w[0], w[1], padding=1))
        if i in (1, 4, 9):  # relu1_2, relu2_2, relu3_4
            out.append(x)
    return out


pred0 = torch.rand(32, 1, 32, 32, generator=g)
truth = torch.rand(32, 1, 32, 32, generator=g)
for name, ext in [("pixels", None), ("edges", edges), ("random", random), ("vgg19", vgg19)]:
    def step():
        pred = pred0.clone().requires_grad_()
        if ext is None:
            loss = F.mse_loss(pred, truth)
        else:
            with torch.no_grad():
                ft = ext(truth)
            loss = sum(F.mse_loss(a, b) for a, b in zip(ext(pred), ft))
        loss.backward()
    for _ in range(3):
        step()
    n = 20 if name == "vgg19" else 200
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    print(f"{name:8s} {1000 * (time.perf_counter() - t0) / n:9.3f} ms/step")
