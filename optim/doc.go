// Package optim updates a model's float32 parameters from their gradients:
// Adam with PyTorch's semantics (torch.optim.Adam: bias-corrected moments,
// eps added after the square root, optional L2 weight decay) and plain SGD.
//
// Parameters are gorgonia tensors paired with their gradients, usually the
// nodes a tape machine was built with G.BindDualValues for ([FromNodes]).
// That machine adds each run's gradient into the bound gradient, so Step
// zeroes every gradient after using it, as gorgonia's own solvers do.
//
// Adam's state (the step count and both moment vectors) can be read and
// restored exactly with [Adam.State] and [Adam.SetState], so a checkpointed
// run continues as if it had never stopped.
package optim
