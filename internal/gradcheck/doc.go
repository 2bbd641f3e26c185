// Package gradcheck checks a graph's symbolic gradients against central
// finite differences in float64.
//
// A check builds the function under test twice from the same inputs: once
// with gorgonia's Grad to read the analytic gradient of every input, once as a
// plain forward graph that is re-run with one input element moved by ±h. For
// each checked element it compares the analytic value a with the numeric
// n = (f(x+h) - f(x-h)) / 2h by the relative error
//
//	|a - n| / max(Floor, |a|, |n|)
//
// and reports the worst one. With the default h = 1e-5 in float64 the
// truncation error (h²/6 times the third derivative) vanishes for the
// piecewise-linear and bilinear ops (convolution, pooling, LeakyReLU) and is
// below 1e-10 for the smooth losses; rounding leaves roughly 1e-10 to 1e-7
// absolute, growing with the size of f and the depth of the graph
// (framepred's op tests see worst relative errors from 1e-10 on single ops
// to 3e-7 on a small U-Net). The default tolerance of 1e-6, with a floor of
// 1e-2 below which gradients are compared absolutely, sits above that noise,
// while a real error (a wrong sign, factor or index) is off by orders of
// magnitude more. Functions with kinks (ReLU, max, abs, clamp) are exact away
// from them; random normal inputs land within h of a kink with probability
// ~1e-5 per element and path.
package gradcheck
