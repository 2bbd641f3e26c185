#!/usr/bin/python3
"""PyTorch reference timings for framepred's training-step benchmarks.

A benchmark tool only (run with Debian's /usr/bin/python3 and torch 1.13);
nothing in framepred needs Python at run time. It times the same networks,
batches, losses and optimisers as bench/nets.go (bench/doc.go lists them):

  probe      batch 8 of 4x64x64, convs 4->32->32->1 (3x3, pad 1, bias), ReLU,
             ReLU, linear, MSE, Adam lr 1e-3
  unet       model.DefaultConfig: U-Net width 16 depth 2, batch 32 of
             4x32x32 -> 1x32x32, MSE, Adam
  unet+d     unet and model.DefaultDiscriminatorConfig's patch discriminator
             (4x4 stride-2 convs 5->32->64->64, 3x3 -> 1): one discriminator
             step (LSGAN on real, fake and mismatched pairs) and one
             predictor step (MSE + 0.05 LSGAN), Adam betas (0.5, 0.999)
  unet+perc  unet with MSE + the edge-bank perceptual loss (4 oriented 3x3
             edge filters at full and half resolution, features.Edges)
  rgb64      model.RGB64Config: U-Net width 16 depth 3, batch 16 of
             12x64x64 -> 3x64x64, MSE, Adam

The U-Net and the discriminator are the twins of model.Predictor and
model.Discriminator, layer for layer (the same as the two-futures
experiment's UNet and 4x4-patch PatchD for the demo sizes).

Prints one line: "<model> threads=T steps=S params=P median_s=...
steps_per_s=... cpu_ms_per_step=..."
"""
import argparse, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv(ci, co, stride=1):
    return nn.Conv2d(ci, co, 3, stride, 1)


def act():
    return nn.LeakyReLU(0.2)


class UNet(nn.Module):
    """model.Predictor: Depth+1 levels of two 3x3 convs (the first of each
    level below the top with stride 2), decoder levels of nearest 2x
    upsampling + 3x3 conv, skip concatenation and a 3x3 merge conv, and a
    linear 1x1 head."""

    def __init__(self, cin, cout, width, depth):
        super().__init__()
        w = lambda l: width << (l - 1)
        self.enc = nn.ModuleList()
        c = cin
        for l in range(1, depth + 2):
            s = 1 if l == 1 else 2
            self.enc.append(nn.Sequential(conv(c, w(l), s), act(), conv(w(l), w(l)), act()))
            c = w(l)
        self.up = nn.ModuleList()
        self.merge = nn.ModuleList()
        for l in range(depth, 0, -1):
            self.up.append(nn.Sequential(conv(w(l + 1), w(l)), act()))
            self.merge.append(nn.Sequential(conv(2 * w(l), w(l)), act()))
        self.head = nn.Conv2d(width, cout, 1)
        nn.init.constant_(self.head.bias, 0.0)

    def forward(self, x):
        skips = []
        for e in self.enc:
            x = e(x)
            skips.append(x)
        skips.pop()
        for up, merge in zip(self.up, self.merge):
            x = up(F.interpolate(x, scale_factor=2, mode="nearest"))
            x = merge(torch.cat([x, skips.pop()], 1))
        return self.head(x)


class PatchD(nn.Module):
    """model.Discriminator: 4x4 stride-2 convs with LeakyReLU, widths
    doubling up to max_width, then a linear 3x3 conv to one score per
    patch."""

    def __init__(self, cin, width=32, max_width=64, downs=3):
        super().__init__()
        layers, c, w = [], cin, width
        for _ in range(downs):
            layers += [nn.Conv2d(c, w, 4, 2, 1), act()]
            c, w = w, min(2 * w, max_width)
        layers.append(nn.Conv2d(c, 1, 3, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, ctx, frame):
        return self.net(torch.cat([ctx, frame], 1))


def edge_bank():
    sx = torch.tensor([[-1., 0, 1], [-2, 0, 2], [-1, 0, 1]])
    d1 = torch.tensor([[0., 1, 2], [-1, 0, 1], [-2, -1, 0]])
    return torch.stack([sx, sx.t(), d1, d1.flip(1)]).unsqueeze(1) / 4.0


def edges(x, bank):
    return [F.conv2d(x, bank, padding=1), F.conv2d(F.avg_pool2d(x, 2), bank, padding=1)]


def build(name):
    """Returns (parameter count, step function)."""
    if name == "probe":
        m = nn.Sequential(conv(4, 32), nn.ReLU(), conv(32, 32), nn.ReLU(), conv(32, 1))
        x, y = torch.rand(8, 4, 64, 64), torch.rand(8, 1, 64, 64)
        return simple(m, x, y)
    if name in ("unet", "unet+perc"):
        m = UNet(4, 1, 16, 2)
        x, y = torch.rand(32, 4, 32, 32), torch.rand(32, 1, 32, 32)
        if name == "unet":
            return simple(m, x, y)
        bank = edge_bank()
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)

        def step():
            opt.zero_grad(set_to_none=True)
            pred = m(x)
            loss = F.mse_loss(pred, y) + sum(F.mse_loss(a, b) for a, b in zip(edges(pred, bank), edges(y, bank)))
            loss.backward()
            opt.step()
        return count(m), step
    if name == "rgb64":
        return simple(UNet(12, 3, 16, 3), torch.rand(16, 12, 64, 64), torch.rand(16, 3, 64, 64))
    if name == "unet+d":
        g, d = UNet(4, 1, 16, 2), PatchD(5)
        ctx, nxt = torch.rand(32, 4, 32, 32), torch.rand(32, 1, 32, 32)
        opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(d.parameters(), lr=1e-3, betas=(0.5, 0.999))

        def step():  # the two-futures experiment's joint step
            pred = g(ctx)
            pred01 = pred.clamp(0, 1)
            loss_d = 0.5 * ((d(ctx, nxt) - 1) ** 2).mean() + 0.5 * (d(ctx, pred01.detach()) ** 2).mean() \
                + 0.5 * (d(ctx, nxt.roll(1, 0)) ** 2).mean()
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            loss = F.mse_loss(pred, nxt) + 0.05 * ((d(ctx, pred01) - 1) ** 2).mean()
            opt_g.zero_grad(set_to_none=True)
            loss.backward()
            opt_g.step()
        return count(g) + count(d), step
    raise SystemExit(f"bench.py: unknown model {name!r}")


def count(m):
    return sum(p.numel() for p in m.parameters())


def simple(m, x, y):
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        F.mse_loss(m(x), y).backward()
        opt.step()
    return count(m), step


MODELS = ["probe", "unet", "unet+d", "unet+perc", "rgb64"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model", choices=MODELS)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--warmup", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    params, step = build(a.model)
    for _ in range(a.warmup):
        step()
    ts = []
    c0 = time.process_time()
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        ts.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / a.steps
    med = statistics.median(ts)
    # cpu_ms_per_step: the process's CPU time per step, which contention
    # from other processes inflates less than wall time (with more than one
    # thread it includes OpenMP's spin-waiting, so compare it at 1 thread).
    print(f"{a.model} threads={torch.get_num_threads()} steps={a.steps} params={params} median_s={med:.6f} "
          f"steps_per_s={1/med:.3f} cpu_ms_per_step={cpu*1e3:.2f}")


if __name__ == "__main__":
    main()
