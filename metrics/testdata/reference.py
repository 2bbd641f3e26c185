#!/usr/bin/python3
"""Reference values for framepred's metrics tests, computed independently.

Run with Debian's Python (numpy, torch): /usr/bin/python3 metrics/testdata/reference.py
It prints the values that metrics/reference_test.go cites. The fixtures are
integer formulas (values k/255, exact in float32 in both languages) that
fixtures_test.go builds the same way.

Gaussian SSIM is computed twice, each without framepred's approach:
  - numpy, brute force: every valid 11x11 window weighted by the 2-D Gaussian;
  - torch: conv2d with the 11x11 kernel (as pytorch-msssim and most papers'
    code do, no padding).
Sharpness and the two-futures metrics use numpy.
"""
import numpy as np
import torch

F32 = np.float32


def scene(h, w, seed):
    """Textured gradient with a bright rectangle; seed shifts the pattern."""
    y, x = np.mgrid[0:h, 0:w].astype(np.int64)
    k = (37 * x + 11 * y + ((x * y + seed) % 13) * 5 + 17 * seed) % 256
    k[(y >= 8) & (y < 18) & (x >= 10 + seed) & (x < 22 + seed)] = 255
    return k


def degraded(h, w, seed):
    """The scene with its rectangle moved by 2 px and a fixed ripple."""
    y, x = np.mgrid[0:h, 0:w].astype(np.int64)
    k = scene(h, w, seed + 2) + (x * 7 + y * 13) % 11 - 5
    return np.clip(k, 0, 255)


def to_float(k):
    return k.astype(F32) / F32(255)


def luma(f):
    f = f.astype(np.float64)
    if f.shape[0] == 1:
        return f[0]
    return 0.299 * f[0] + 0.587 * f[1] + 0.114 * f[2]


def gauss2d():
    g = np.exp(-((np.arange(11) - 5.0) ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    return np.outer(g, g)


def ssim_numpy(a, b):
    x, y = luma(a), luma(b)
    wnd = gauss2d()
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    h, w = x.shape
    vals = []
    for i in range(h - 10):
        for j in range(w - 10):
            px, py = x[i:i + 11, j:j + 11], y[i:i + 11, j:j + 11]
            mx, my = (wnd * px).sum(), (wnd * py).sum()
            vx = (wnd * px * px).sum() - mx * mx
            vy = (wnd * py * py).sum() - my * my
            cxy = (wnd * px * py).sum() - mx * my
            vals.append((2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2)))
    return float(np.mean(vals))


def ssim_torch(a, b):
    x = torch.from_numpy(luma(a))[None, None]
    y = torch.from_numpy(luma(b))[None, None]
    k = torch.from_numpy(gauss2d())[None, None]
    conv = lambda t: torch.nn.functional.conv2d(t, k)
    mx, my = conv(x), conv(y)
    vx, vy, cxy = conv(x * x) - mx * mx, conv(y * y) - my * my, conv(x * y) - mx * my
    c1, c2 = 0.01 ** 2, 0.03 ** 2
    m = (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return float(m.mean())


def grad_mag(f):
    f = f.astype(np.float64)
    return np.abs(np.diff(f, axis=2)).mean() + np.abs(np.diff(f, axis=1)).mean()


def sharp_diff(p, t):
    def g(f):
        f = f.astype(np.float64)
        dx = np.zeros_like(f)
        dy = np.zeros_like(f)
        dx[:, :, :-1] = np.abs(np.diff(f, axis=2))
        dy[:, :-1, :] = np.abs(np.diff(f, axis=1))
        return dx + dy
    return 10 * np.log10(1 / np.abs(g(t) - g(p)).mean())


def fixtures():
    a = to_float(scene(32, 40, 0))[None]
    b = to_float(degraded(32, 40, 0))[None]
    rgb_a = np.stack([to_float(scene(24, 36, s)) for s in (0, 1, 3)])
    rgb_b = np.stack([to_float(degraded(24, 36, s)) for s in (0, 1, 3)])
    # A ghost: the mean of the scene and the scene with its rectangle moved,
    # in float32 as Go computes it.
    ghost = (F32(0.5) * a + F32(0.5) * to_float(scene(32, 40, 2))[None]).astype(F32)
    return a, b, rgb_a, rgb_b, ghost


def two_futures():
    """32x32 black frames with a white 4x4 square at one of two places."""
    def square(x0):
        f = np.zeros((1, 32, 32), F32)
        f[0, 14:18, x0:x0 + 4] = 1
        return f
    a, b = square(6), square(20)
    return a, b, box_blur(a, 3), box_blur(a, 5)


def box_blur(f, n):
    """n x n box blur of a 0/1 frame, zero outside: counts/n², as float32."""
    r = n // 2
    pad = np.pad(f[0].astype(np.int64), r)
    h, w = f.shape[1:]
    counts = sum(pad[dy:dy + h, dx:dx + w] for dy in range(n) for dx in range(n))
    return (counts.astype(F32) / F32(n * n))[None]


def averaging(pred, branches):
    """The reference evaluation's formulas, per sample."""
    per = lambda u, v: float(((u.astype(np.float64) - v.astype(np.float64)) ** 2).mean())
    m_near = min(per(pred, br) for br in branches)
    m_mean = per(pred, np.mean(np.stack(branches), axis=0))
    return m_near / (m_near + m_mean + 1e-12), m_near < m_mean


def blur3_float(f):
    """3x3 box blur of any frame in float32, zero outside (the examples' blur3)."""
    pad = np.pad(f[0], 1)
    h, w = f.shape[1:]
    s = np.zeros((h, w), F32)
    for dy in range(3):
        for dx in range(3):
            s = (s + pad[dy:dy + h, dx:dx + w]).astype(F32)
    return (s / F32(9))[None]


def examples():
    """Values the Example functions print."""
    a, b, blur3, _ = two_futures()
    mse = lambda p, t: float(((p.astype(np.float64) - t.astype(np.float64)) ** 2).mean())
    twice = blur3_float(blur3)
    dim = (a * F32(0.9)).astype(F32)
    print(f"examples: SSIM blur3 {ssim_numpy(blur3, a)!r} other place {ssim_numpy(b, a)!r}"
          f" dimmed vs a {ssim_numpy(dim, a)!r} dimmed vs b {ssim_numpy(dim, b)!r}"
          f" mean vs a {ssim_numpy((a + b) / 2, a)!r} mean vs b {ssim_numpy((a + b) / 2, b)!r}")
    print(f"examples: PSNR blur3 {10 * np.log10(1 / mse(blur3, a))!r} MSE blur3(b) vs b {mse(box_blur(b, 3), b)!r}")
    print(f"examples: twice blurred SharpnessRatio {grad_mag(twice) / grad_mag(a)!r}"
          f" SharpnessDiff {sharp_diff(twice, a)!r} blank SharpnessDiff {sharp_diff(np.zeros_like(a), a)!r}")


def main():
    examples()
    a, b, blur3, blur5 = two_futures()
    for name, p in [("3x3", blur3), ("5x5", blur5)]:
        idx, committed = averaging(p, [a, b])
        print(f"two futures, {name} box-blurred branch: AveragingIndex {idx!r} Committed {committed}"
              f" peak {float(p.max())!r} SharpnessRatio {grad_mag(p) / grad_mag(a)!r}"
              f" SharpnessDiff {sharp_diff(p, a)!r}")

    a, b, rgb_a, rgb_b, ghost = fixtures()
    for name, p, t in [("gray scene vs degraded", b, a),
                       ("rgb scene vs degraded", rgb_b, rgb_a),
                       ("gray ghost vs scene", ghost, a)]:
        n, th = ssim_numpy(p, t), ssim_torch(p, t)
        assert abs(n - th) < 1e-12, (n, th)
        print(f"{name}: SSIM numpy {n!r} torch {th!r}")
        print(f"{name}: GradientMagnitude pred {grad_mag(p)!r} truth {grad_mag(t)!r}"
              f" SharpnessDiff {sharp_diff(p, t)!r}")


if __name__ == "__main__":
    main()
