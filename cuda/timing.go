package cuda

/*
#include "bind.h"
*/
import "C"

import (
	"errors"
	"time"
)

// Event marks a point in the context's stream; two of them time the GPU
// work between them, without the host's launch and copy overheads.
type Event struct {
	c *Context
	e C.CUevent
}

// NewEvent creates an event. Destroy releases it.
func (c *Context) NewEvent() (*Event, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	ev := &Event{c: c}
	if err := c.check("cuEventCreate", C.fp_event_create(c.rt.drv, c.ctx, &ev.e)); err != nil {
		return nil, err
	}
	return ev, nil
}

// Record queues the event on the stream: it completes when the work queued
// before it has.
func (e *Event) Record() error {
	if err := e.c.usable(); err != nil {
		return err
	}
	return e.c.check("cuEventRecord", C.fp_event_record(e.c.rt.drv, e.c.ctx, e.e, e.c.stream))
}

// Destroy releases the event.
func (e *Event) Destroy() error {
	if e.e == nil || e.c.closed {
		return nil
	}
	err := e.c.check("cuEventDestroy_v2", C.fp_event_destroy(e.c.rt.drv, e.c.ctx, e.e))
	e.e = nil
	return err
}

// Elapsed waits for end and returns the GPU time from start to end, with
// the driver's resolution of about half a microsecond.
func (c *Context) Elapsed(start, end *Event) (time.Duration, error) {
	if err := c.usable(); err != nil {
		return 0, err
	}
	var ms C.float
	if err := c.check("cuEventElapsedTime_v2", C.fp_event_elapsed(c.rt.drv, c.ctx, &ms, start.e, end.e)); err != nil {
		return 0, err
	}
	return time.Duration(float64(ms) * float64(time.Millisecond)), nil
}

// Timing splits the time of some GPU work: GPU is what the device spent
// between the work's first and last operation; Wall is the host's time from
// before queuing the work until it finished. Their difference is the
// overhead of launching and copying that the GPU did not hide.
type Timing struct {
	GPU, Wall time.Duration
}

// Overhead is Wall − GPU.
func (t Timing) Overhead() time.Duration { return t.Wall - t.GPU }

// Time runs fn, which queues work on the context, between two events and
// waits for the work to finish.
func (c *Context) Time(fn func() error) (t Timing, err error) {
	start, err := c.NewEvent()
	if err != nil {
		return t, err
	}
	defer func() { err = errors.Join(err, start.Destroy()) }()
	end, err := c.NewEvent()
	if err != nil {
		return t, err
	}
	defer func() { err = errors.Join(err, end.Destroy()) }()
	if err := c.Synchronize(); err != nil { // earlier work must not count
		return t, err
	}
	t0 := time.Now()
	if err := start.Record(); err != nil {
		return t, err
	}
	if err := fn(); err != nil {
		return t, err
	}
	if err := end.Record(); err != nil {
		return t, err
	}
	if t.GPU, err = c.Elapsed(start, end); err != nil {
		return t, err
	}
	t.Wall = time.Since(t0)
	return t, nil
}
