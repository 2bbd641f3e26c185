package gpu

import (
	"errors"
	"fmt"

	"framepred/cuda"
	"framepred/model"
	"framepred/optim"
)

// arena holds one network's parameters on the device as flat buffers of
// values, gradients and Adam's two moments, each parameter a slice of
// them in Params order: one kernel updates them all.
type arena struct {
	name   string
	params []model.Param
	offs   []int // parameter i is [offs[i], offs[i+1])

	val, grad, m, v cuda.Buffer

	adam  bool // the moments are on the device
	step  int  // Adam steps taken, as optim.Adam counts them
	fresh bool // the device's values are newer than the tensors'
}

func newArena(c *cuda.Context, name string, params []model.Param) (a *arena, err error) {
	a = &arena{name: name, params: params, offs: []int{0}}
	for _, p := range params {
		a.offs = append(a.offs, a.offs[len(a.offs)-1]+p.Value.DataSize())
	}
	total := a.offs[len(a.offs)-1]
	for _, b := range []*cuda.Buffer{&a.val, &a.grad, &a.m, &a.v} {
		if *b, err = c.Alloc(total); err != nil {
			return nil, errors.Join(fmt.Errorf("gpu: %s parameters: %w", name, err), a.close(c))
		}
	}
	flat := make([]float32, 0, total)
	for _, p := range params {
		flat = append(flat, p.Value.Float32s()...)
	}
	if err := c.CopyIn(a.val, flat); err != nil {
		return nil, errors.Join(err, a.close(c))
	}
	if err := c.Zero(a.grad); err != nil {
		return nil, errors.Join(err, a.close(c))
	}
	return a, nil
}

// slice is parameter i's part of one of the arena's buffers.
func (a *arena) slice(b cuda.Buffer, i int) cuda.Buffer { return b.Slice(a.offs[i], a.offs[i+1]) }

// split downloads one of the arena's buffers, one slice per parameter.
func (a *arena) split(c *cuda.Context, b cuda.Buffer) ([][]float32, error) {
	flat := make([]float32, b.Len())
	if err := c.CopyOut(flat, b); err != nil {
		return nil, err
	}
	out := make([][]float32, len(a.params))
	for i := range a.params {
		out[i] = flat[a.offs[i]:a.offs[i+1]:a.offs[i+1]]
	}
	return out, nil
}

// download copies the device's values into the parameters' tensors.
func (a *arena) download(c *cuda.Context) error {
	vals, err := a.split(c, a.val)
	if err != nil {
		return err
	}
	for i, p := range a.params {
		copy(p.Value.Float32s(), vals[i])
	}
	return nil
}

// loadAdam puts an optimiser's state on the device: its moments when it
// has taken steps (they must fit the parameters), zeros otherwise.
func (a *arena) loadAdam(c *cuda.Context, st optim.AdamState) error {
	a.step = st.Step
	a.adam = true
	if st.Step == 0 && len(st.M) == 0 {
		return errors.Join(c.Zero(a.m), c.Zero(a.v))
	}
	if len(st.M) != len(a.params) || len(st.V) != len(a.params) {
		return fmt.Errorf("gpu: %s: Adam state for %d parameters, the network has %d", a.name, len(st.M), len(a.params))
	}
	for _, x := range []struct {
		dst cuda.Buffer
		src [][]float32
	}{{a.m, st.M}, {a.v, st.V}} {
		flat := make([]float32, 0, x.dst.Len())
		for i, s := range x.src {
			if len(s) != a.offs[i+1]-a.offs[i] {
				return fmt.Errorf("gpu: %s: Adam state of parameter %s has %d values, the parameter %d", a.name, a.params[i].Name, len(s), a.offs[i+1]-a.offs[i])
			}
			flat = append(flat, s...)
		}
		if err := c.CopyIn(x.dst, flat); err != nil {
			return err
		}
	}
	return nil
}

// adamState downloads the moments, as optim.Adam keeps them.
func (a *arena) adamState(c *cuda.Context) (optim.AdamState, error) {
	m, err := a.split(c, a.m)
	if err != nil {
		return optim.AdamState{}, err
	}
	v, err := a.split(c, a.v)
	if err != nil {
		return optim.AdamState{}, err
	}
	return optim.AdamState{Step: a.step, M: m, V: v}, nil
}

func (a *arena) close(c *cuda.Context) error {
	var errs []error
	for _, b := range []*cuda.Buffer{&a.val, &a.grad, &a.m, &a.v} {
		errs = append(errs, c.Free(*b))
		*b = cuda.Buffer{}
	}
	return errors.Join(errs...)
}
