#!/usr/bin/env python3
"""PyTorch twin of gpustep's training step, for speed comparisons on a GPU.

A benchmark tool only: nothing in framepred needs Python. It times the same
networks, batches, losses and optimisers as gpu/cmd/gpustep, in eager mode:

  demo   model.DefaultConfig's U-Net (4 gray context frames, width 16,
         depth 2) and model.DefaultDiscriminatorConfig's patch
         discriminator (4x4 stride-2 convs 5->32->64->64, 3x3 -> 1),
         batch 32 of 32x32
  large  8 RGB context frames at 128x128: a width-16, depth-3 U-Net
         (24 -> 3 channels) and the same discriminator on 27 channels,
         batch 32

One step is framepred/train's joint step: the predictor's objective
MSE + GDL + 0.01 * edge-bank perceptual + 0.05 * LSGAN through the
discriminator, its gradients; the discriminator's LSGAN loss on real
frames, the detached clamped prediction and mismatched pairs (the next
frames rolled by 1 + i mod (batch-1)), its gradients; then both Adam
updates (lr 1e-3, betas (0.5, 0.999)). The batch is copied from host
memory every step, as gpustep and training do.

--tf32 off (the default) keeps cuDNN and matmuls in full float32, as
framepred computes; --tf32 on is PyTorch's default for convolutions.

Prints one line: "torch net=... batch=... steps=... steps_per_s=...
ms_per_step=... tf32=... params=... max_mem_mib=... loss=..."
"""
import argparse
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SLOPE = 0.2


def conv3(ci, co, stride=1):
    return nn.Conv2d(ci, co, 3, stride, 1)


class UNet(nn.Module):
    """model.Predictor: Depth+1 encoder levels of two 3x3 convs (stride 2
    first below the top level), decoder levels of nearest 2x upsampling and a
    3x3 conv, concatenation with the encoder's skip and a 3x3 merge conv,
    LeakyReLU(0.2) after each, and a linear 1x1 head with zero bias."""

    def __init__(self, cin, cout, width, depth):
        super().__init__()
        w = lambda level: width << (level - 1)
        self.enc = nn.ModuleList()
        c = cin
        for level in range(1, depth + 2):
            self.enc.append(nn.ModuleList([conv3(c, w(level), 1 if level == 1 else 2), conv3(w(level), w(level))]))
            c = w(level)
        self.up = nn.ModuleList([conv3(w(level + 1), w(level)) for level in range(depth, 0, -1)])
        self.merge = nn.ModuleList([conv3(2 * w(level), w(level)) for level in range(depth, 0, -1)])
        self.head = nn.Conv2d(width, cout, 1)
        nn.init.zeros_(self.head.bias)

    def forward(self, x):
        skips = []
        for a, b in self.enc:
            x = F.leaky_relu(b(F.leaky_relu(a(x), SLOPE)), SLOPE)
            skips.append(x)
        skips.pop()
        for up, merge in zip(self.up, self.merge):
            x = F.leaky_relu(up(F.interpolate(x, scale_factor=2, mode="nearest")), SLOPE)
            x = F.leaky_relu(merge(torch.cat([x, skips.pop()], 1)), SLOPE)
        return self.head(x)


class PatchD(nn.Module):
    """model.Discriminator: context and candidate frame concatenated, 4x4
    stride-2 convs with LeakyReLU(0.2), widths doubling up to max_width,
    then a linear 3x3 conv to one score per patch."""

    def __init__(self, cin, width=32, max_width=64, downs=3):
        super().__init__()
        layers, c, w = [], cin, width
        for _ in range(downs):
            layers += [nn.Conv2d(c, w, 4, 2, 1), nn.LeakyReLU(SLOPE)]
            c, w = w, min(2 * w, max_width)
        layers.append(nn.Conv2d(c, 1, 3, 1, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, ctx, frame):
        return self.net(torch.cat([ctx, frame], 1))


def edge_bank(c, device):
    """features.Edges: Sobel's 0 and 90 degree kernels and the 45 and 135
    degree ones, /4, applied to each of c channels on its own (output 4i+k
    is kernel k on channel i)."""
    k = torch.tensor([
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        [[0, 1, 2], [-1, 0, 1], [-2, -1, 0]],
        [[2, 1, 0], [1, 0, -1], [0, -1, -2]],
    ], dtype=torch.float32) / 4
    w = torch.zeros(4 * c, c, 3, 3)
    for i in range(c):
        for j in range(4):
            w[4 * i + j, i] = k[j]
    return w.to(device)


def edges(x, bank):
    return [F.conv2d(x, bank, padding=1), F.conv2d(F.avg_pool2d(x, 2), bank, padding=1)]


def gdl(pred, truth):
    """losses.GDL with alpha 1: forward differences inside each plane."""
    dxp, dxt = pred[..., :, 1:] - pred[..., :, :-1], truth[..., :, 1:] - truth[..., :, :-1]
    dyp, dyt = pred[..., 1:, :] - pred[..., :-1, :], truth[..., 1:, :] - truth[..., :-1, :]
    return (dxt.abs() - dxp.abs()).abs().mean() + (dyt.abs() - dyp.abs()).abs().mean()


NETS = {
    # name: (context, channels, width, depth, batch, size)
    "demo": (4, 1, 16, 2, 32, 32),
    "large": (8, 3, 16, 3, 32, 128),
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("net", choices=sorted(NETS))
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--tf32", choices=["off", "on"], default="off")
    p.add_argument("--device", default="cuda", help="cpu only to check the script where no GPU is")
    a = p.parse_args()
    torch.backends.cudnn.allow_tf32 = a.tf32 == "on"
    torch.backends.cuda.matmul.allow_tf32 = a.tf32 == "on"
    dev = torch.device(a.device)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    torch.manual_seed(1)
    k, c, width, depth, n, size = NETS[a.net]
    g = UNet(k * c, c, width, depth).to(dev)
    d = PatchD((k + 1) * c).to(dev)
    gp, dp = list(g.parameters()), list(d.parameters())
    opt_g = torch.optim.Adam(gp, lr=1e-3, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(dp, lr=1e-3, betas=(0.5, 0.999))
    bank = edge_bank(c, dev)
    # The batch lives in host memory, as a decoded batch does.
    ctx_host, next_host = torch.rand(n, k * c, size, size), torch.rand(n, c, size, size)

    def step(i):
        ctx, nxt = ctx_host.to(dev), next_host.to(dev)
        pred = g(ctx)
        fake = pred.clamp(0, 1)
        perc = sum(F.mse_loss(a_, b_) for a_, b_ in zip(edges(pred, bank), edges(nxt, bank)))
        loss = F.mse_loss(pred, nxt) + gdl(pred, nxt) + 0.01 * perc + 0.05 * ((d(ctx, fake) - 1) ** 2).mean()
        grads_g = torch.autograd.grad(loss, gp)
        mis = nxt.roll(1 + i % (n - 1), 0)
        loss_d = 0.5 * ((d(ctx, nxt) - 1) ** 2).mean() + 0.5 * (d(ctx, fake.detach()) ** 2).mean() \
            + 0.5 * (d(ctx, mis) ** 2).mean()
        grads_d = torch.autograd.grad(loss_d, dp)
        for q, gr in zip(gp, grads_g):
            q.grad = gr
        for q, gr in zip(dp, grads_d):
            q.grad = gr
        opt_g.step()
        opt_d.step()
        return loss

    for i in range(a.warmup):
        step(i)
    sync()
    t0 = time.perf_counter()
    for i in range(a.steps):
        loss = step(i)
    sync()
    wall = time.perf_counter() - t0
    params = sum(q.numel() for q in gp + dp)
    print(f"torch net={a.net} batch={n} steps={a.steps} steps_per_s={a.steps / wall:.3f} "
          f"ms_per_step={1e3 * wall / a.steps:.3f} tf32={a.tf32} params={params} "
          f"max_mem_mib={torch.cuda.max_memory_allocated() / 2**20 if dev.type == 'cuda' else 0:.1f} loss={loss.item():.5g} "
          f"torch={torch.__version__} cuda={torch.version.cuda}")


if __name__ == "__main__":
    main()
