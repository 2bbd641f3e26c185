#!/usr/bin/python3
"""PyTorch reference timings for framepred's training-step benchmarks.

A benchmark tool only (run with Debian's /usr/bin/python3 and torch 1.13);
nothing in framepred needs Python at run time. It times the same networks,
batches and optimiser as bench/train_test.go:

  probe  batch 8 of 4x64x64, convs 4->32->32->1 (3x3, pad 1, bias), ReLU,
         ReLU, linear, MSE, Adam lr 1e-3
  unet   the demo predictor: 2-level U-Net width 16 (3x3 convs, LeakyReLU 0.2,
         stride-2 down, nearest-up + conv, skip concat, linear 1x1 head),
         batch 32 of 4x32x32 -> 1x32x32, MSE, Adam lr 1e-3

Prints one line: "<model> threads=T steps=S median_s=... steps_per_s=..."
"""
import argparse, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv(ci, co, stride=1):
    return nn.Conv2d(ci, co, 3, stride, 1)


class UNet(nn.Module):
    def __init__(self, c=16, cin=4):
        super().__init__()
        a = lambda: nn.LeakyReLU(0.2)
        self.e1 = nn.Sequential(conv(cin, c), a(), conv(c, c), a())
        self.e2 = nn.Sequential(conv(c, 2 * c, 2), a(), conv(2 * c, 2 * c), a())
        self.e3 = nn.Sequential(conv(2 * c, 4 * c, 2), a(), conv(4 * c, 4 * c), a())
        self.u2 = nn.Sequential(conv(4 * c, 2 * c), a())
        self.m2 = nn.Sequential(conv(4 * c, 2 * c), a())
        self.u1 = nn.Sequential(conv(2 * c, c), a())
        self.m1 = nn.Sequential(conv(2 * c, c), a())
        self.out = nn.Conv2d(c, 1, 1)

    def forward(self, x):
        e1 = self.e1(x)
        e2 = self.e2(e1)
        e3 = self.e3(e2)
        d2 = self.m2(torch.cat([self.u2(F.interpolate(e3, scale_factor=2, mode="nearest")), e2], 1))
        d1 = self.m1(torch.cat([self.u1(F.interpolate(d2, scale_factor=2, mode="nearest")), e1], 1))
        return self.out(d1)


def build(name):
    if name == "probe":
        m = nn.Sequential(conv(4, 32), nn.ReLU(), conv(32, 32), nn.ReLU(), conv(32, 1))
        return m, torch.rand(8, 4, 64, 64), torch.rand(8, 1, 64, 64)
    if name == "unet":
        return UNet(), torch.rand(32, 4, 32, 32), torch.rand(32, 1, 32, 32)
    raise SystemExit(f"bench.py: unknown model {name!r} (want probe or unet)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model", choices=["probe", "unet"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--warmup", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    m, x, y = build(a.model)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(m(x), y)
        loss.backward()
        opt.step()
        return loss.item()

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
    print(f"{a.model} threads={torch.get_num_threads()} steps={a.steps} median_s={med:.6f} "
          f"steps_per_s={1/med:.3f} cpu_ms_per_step={cpu*1e3:.2f}")


if __name__ == "__main__":
    main()
