package ops

import (
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"
)

// workers overrides the number of goroutines a kernel splits its work over;
// 0 means GOMAXPROCS.
var workers atomic.Int32

// SetWorkers sets how many goroutines each kernel splits its work over
// (0 restores the default, GOMAXPROCS) and returns the previous setting.
func SetWorkers(n int) int { return int(workers.Swap(int32(max(0, n)))) }

// Workers reports how many goroutines each kernel splits its work over.
func Workers() int {
	if n := workers.Load(); n > 0 {
		return int(n)
	}
	return runtime.GOMAXPROCS(0)
}

// minChunk is the smallest slice of an elementwise loop worth a goroutine.
const minChunk = 1 << 15

// parallelRange splits [0, n) into contiguous chunks and runs fn on each,
// spread over the workers; small ranges run on the calling goroutine.
func parallelRange(n int, fn func(lo, hi int)) { parallelUnits(n, 1, fn) }

// parallelUnits is parallelRange over n units of size elements each (rows of
// an image, say): chunks never split a unit. There are a few chunks per
// worker, so the calling goroutine takes over a late worker's share.
func parallelUnits(n, size int, fn func(lo, hi int)) {
	chunks := min(4*Workers(), n, max(1, n*size/minChunk))
	if chunks <= 1 {
		fn(0, n)
		return
	}
	parallelTasks[float32](0, chunks, 1, 0, func(i, _ int, _ []float32) {
		fn(n*i/chunks, n*(i+1)/chunks)
	})
}

// parallelTasks runs fn(task, worker, scratch) for the tasks first,
// first+step, ... below end, spread over the workers, which take tasks in
// order from a shared counter. Each worker owns one scratch slice of
// scratchLen elements (from a pool, not zeroed) for the whole call; worker is
// its index, 0 to Workers()-1.
//
// The call returns when every task is done, not when every goroutine is: a
// goroutine that starts late (its core busy with another process, or just
// the wake-up latency) finds no tasks left and leaves, and the caller, which
// works through the tasks itself meanwhile, never waits for it. On a shared
// machine that wait was the cost of a parallel section, not the work.
func parallelTasks[T Float](first, end, step, scratchLen int, fn func(task, worker int, scratch []T)) {
	n := (end - first + step - 1) / step
	w := min(Workers(), n)
	if w <= 1 {
		s := getScratch[T](scratchLen)
		for t := first; t < end; t += step {
			fn(t, 0, s)
		}
		putScratch(s)
		return
	}
	var next, done atomic.Int32
	finished := make(chan struct{})
	run := func(worker int) {
		var s []T
		for {
			i := int(next.Add(1)) - 1
			if i >= n {
				break
			}
			if s == nil && scratchLen > 0 {
				s = getScratch[T](scratchLen)
			}
			fn(first+i*step, worker, s)
			if int(done.Add(1)) == n {
				close(finished)
			}
		}
		putScratch(s)
	}
	for i := 1; i < w; i++ {
		go run(i)
	}
	run(0)
	<-finished
}

// Scratch buffers are shared by every kernel through two free lists, so the
// few that a training step needs are allocated once and stay warm in cache.
var (
	scratchMu sync.Mutex
	free32    [][]float32
	free64    [][]float64
)

func getScratch[T Float](n int) []T {
	var zero T
	scratchMu.Lock()
	defer scratchMu.Unlock()
	if unsafe.Sizeof(zero) == 4 {
		return as[T](takeFree(&free32, n))
	}
	return as[T](takeFree(&free64, n))
}

func putScratch[T Float](s []T) {
	if cap(s) == 0 {
		return
	}
	var zero T
	scratchMu.Lock()
	defer scratchMu.Unlock()
	if unsafe.Sizeof(zero) == 4 {
		free32 = append(free32, as[float32](s))
	} else {
		free64 = append(free64, as[float64](s))
	}
}

// takeFree pops the smallest free buffer that holds n elements, or makes one.
func takeFree[E float32 | float64](list *[][]E, n int) []E {
	best := -1
	for i, b := range *list {
		if cap(b) >= n && (best < 0 || cap(b) < cap((*list)[best])) {
			best = i
		}
	}
	if best < 0 {
		return make([]E, n)
	}
	b := (*list)[best]
	last := len(*list) - 1
	(*list)[best] = (*list)[last]
	*list = (*list)[:last]
	return b[:n]
}

// as reinterprets a slice between element types of the same size.
func as[U, T Float](s []T) []U {
	if cap(s) == 0 {
		return nil
	}
	return unsafe.Slice((*U)(unsafe.Pointer(unsafe.SliceData(s))), cap(s))[:len(s)]
}
