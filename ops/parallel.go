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

// parallelRange splits [0, n) into contiguous chunks, one per worker, and
// runs fn on each; small ranges run on the calling goroutine.
func parallelRange(n int, fn func(lo, hi int)) { parallelUnits(n, 1, fn) }

// parallelUnits is parallelRange over n units of size elements each (rows of
// an image, say): chunks never split a unit.
func parallelUnits(n, size int, fn func(lo, hi int)) {
	w := min(Workers(), n, max(1, n*size/minChunk))
	if w <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		lo, hi := n*i/w, n*(i+1)/w
		if i == w-1 {
			fn(lo, hi) // the calling goroutine takes the last chunk
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}

// parallelTasks runs fn(task, worker, scratch) for the tasks first,
// first+step, ... below end, spread over the workers, which take tasks in
// order from a shared counter. Each worker owns one scratch slice of
// scratchLen elements (from a pool, not zeroed) for the whole call; worker is
// its index, 0 to Workers()-1.
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
	var next atomic.Int32
	run := func(worker int) {
		s := getScratch[T](scratchLen)
		for {
			i := int(next.Add(1)) - 1
			if i >= n {
				break
			}
			fn(first+i*step, worker, s)
		}
		putScratch(s)
	}
	var wg sync.WaitGroup
	for i := 1; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(i)
		}()
	}
	run(0)
	wg.Wait()
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
