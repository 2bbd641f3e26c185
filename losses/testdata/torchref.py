#!/usr/bin/python3
"""Reference values and gradients for framepred's losses tests, from PyTorch.

Run with Debian's torch 1.13 from the losses folder:
    /usr/bin/python3 testdata/torchref.py | gofmt > torchref_data_test.go
(go generate in package losses does exactly that). It writes a Go file of
float64 literals: every loss's value ("<case>/value") and its gradient with
respect to each input ("<case>/grad<i>", in the order the Go test passes them).

Inputs are made by hseq(n, seed, scale, offset), an integer hash (splitmix64)
the Go tests repeat bit for bit, laid out CNHW (channels, batch, height,
width) as framepred's ops are; PyTorch gets the NCHW view. The losses follow
the two-futures reference experiment: F.mse_loss, F.l1_loss, its gdl (here
with an exponent), its FixedFeatures("sobel") bank, its LSGAN losses; the
non-saturating losses use F.binary_cross_entropy_with_logits.
"""
import math

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
    return torch.tensor([((splitmix((seed << 32) | i) >> 11) / 2.0**53 * 2 - 1) * scale + offset for i in range(n)])


def cnhw(shape, seed, scale=1.0, offset=0.0):
    c, n, h, w = shape
    t = hseq(c * n * h * w, seed, scale, offset).reshape(c, n, h, w).permute(1, 0, 2, 3).contiguous()
    return t.requires_grad_()


def flat(t):
    if t.dim() == 4:
        t = t.permute(1, 0, 2, 3)
    return t.detach().contiguous().reshape(-1).tolist()


out = []


def emit(name, values):
    body = ", ".join(repr(float(v)) for v in values)
    out.append(f"\t{name!r}: {{{body}}},".replace("'", '"'))


def case(name, loss, inputs):
    emit(name + "/value", [loss.item()])
    for i, g in enumerate(torch.autograd.grad(loss, inputs, allow_unused=True)):
        emit(f"{name}/grad{i}", flat(g if g is not None else torch.zeros_like(inputs[i])))


# ------------------------------------------------------------- pixel losses
def gdl(pred, tgt, alpha=1.0):
    dxp, dyp = (pred[..., :, 1:] - pred[..., :, :-1]).abs(), (pred[..., 1:, :] - pred[..., :-1, :]).abs()
    dxt, dyt = (tgt[..., :, 1:] - tgt[..., :, :-1]).abs(), (tgt[..., 1:, :] - tgt[..., :-1, :]).abs()
    return ((dxt - dxp).abs() ** alpha).mean() + ((dyt - dyp).abs() ** alpha).mean()


P, T = (1, 2, 6, 7), 1
pred, truth = cnhw(P, 1, 0.5, 0.5), cnhw(P, 2, 0.5, 0.5)
case("mse", F.mse_loss(pred, truth), (pred, truth))
case("l1", F.l1_loss(pred, truth), (pred, truth))
case("gdl1", gdl(pred, truth), (pred, truth))
case("gdl2", gdl(pred, truth, 2.0), (pred, truth))
case("gdl1.5", gdl(pred, truth, 1.5), (pred, truth))

# ------------------------------------------------------------- perceptual
sx = torch.tensor([[-1., 0, 1], [-2, 0, 2], [-1, 0, 1]])
d1 = torch.tensor([[0., 1, 2], [-1, 0, 1], [-2, -1, 0]])
bank = torch.stack([sx, sx.t(), d1, d1.flip(1)]).unsqueeze(1) / 4.0


def edges(x):  # FixedFeatures("sobel") of the reference
    return [F.conv2d(x, bank, padding=1), F.conv2d(F.avg_pool2d(x, 2), bank, padding=1)]


MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
BLOCKS, WIDTHS = [2, 2, 4], [4, 4, 8, 8, 8, 8, 8, 8]


def vgg_weights():
    """features.i weight hseq(out*in*9, 100+i, sqrt(6/(in*9))), bias hseq(out, 200+i, 0.1), float32-rounded."""
    ws, i, cin, k = {}, 0, 3, 0
    for n in BLOCKS:
        for _ in range(n):
            co = WIDTHS[k]
            ws[i] = (hseq(co * cin * 9, 100 + i, math.sqrt(6 / (cin * 9))).reshape(co, cin, 3, 3).float().double(),
                     hseq(co, 200 + i, 0.1).float().double())
            cin, i, k = co, i + 2, k + 1
        i += 1
    return ws


VW = vgg_weights()


def vgg(x):  # relu1_2, relu2_2, relu3_4 of a tiny VGG19
    x = (x.repeat(1, 3, 1, 1) - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    feats, i = [], 0
    for b, n in enumerate(BLOCKS):
        for k in range(n):
            x = F.relu(F.conv2d(x, VW[i][0], VW[i][1], padding=1))
            if k == n - 1:
                feats.append(x)
            i += 2
        x = F.max_pool2d(x, 2)
        i += 1
    return feats


def perceptual(ext, p, t, weights):
    return sum(w * F.mse_loss(a, b) for w, a, b in zip(weights, ext(p), ext(t)))


P8 = (1, 2, 8, 8)
pred8, truth8 = cnhw(P8, 3, 0.5, 0.5), cnhw(P8, 4, 0.5, 0.5)
case("perceptual_edges", perceptual(edges, pred8, truth8, [1.0, 0.5]), (pred8, truth8))
case("perceptual_vgg", perceptual(vgg, pred8, truth8, [1.0, 1.0, 1.0]), (pred8, truth8))

# ------------------------------------------------------------- adversarial
S = (1, 2, 4, 4)  # a 4x4 patch grid of scores per sample
real, fake, mis = cnhw(S, 10, 2.0), cnhw(S, 11, 2.0), cnhw(S, 12, 2.0)
case("lsgan_d", 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake ** 2).mean() + 1.0 * 0.5 * (mis ** 2).mean(), (real, fake, mis))
case("lsgan_d_nomis", 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake ** 2).mean(), (real, fake))
case("lsgan_g", ((fake - 1) ** 2).mean(), (fake,))
bce = F.binary_cross_entropy_with_logits
case("bce_d", 0.5 * bce(real, torch.ones_like(real)) + 0.5 * bce(fake, torch.zeros_like(fake))
     + 0.5 * 0.5 * bce(mis, torch.zeros_like(mis)), (real, fake, mis))
case("bce_g", bce(fake, torch.ones_like(fake)), (fake,))

# ------------------------------------------------------------- combination
# "mse=1,gdl=1,perceptual=0.01,adv=0.05" with the edge bank (unit layer
# weights) and LSGAN; the scores stand for D(clamp(pred)) and are an input.
total = (F.mse_loss(pred8, truth8) + gdl(pred8, truth8) + 0.01 * perceptual(edges, pred8, truth8, [1.0, 1.0])
         + 0.05 * ((fake - 1) ** 2).mean())
case("combined", total, (pred8, truth8, fake))
emit("combined/parts", [F.mse_loss(pred8, truth8).item(), gdl(pred8, truth8).item(),
                        perceptual(edges, pred8, truth8, [1.0, 1.0]).item(), ((fake - 1) ** 2).mean().item()])

print(f"// Code generated by testdata/torchref.py with PyTorch {torch.__version__}; DO NOT EDIT.\n")
print("package losses\n")
print("// torchRef holds PyTorch's loss values and gradients for the losses tests,")
print("// CNHW order; see testdata/torchref.py for how each was made.")
print("var torchRef = map[string][]float64{")
print("\n".join(out))
print("}")
