// Command decode is the framepred side of bench/decode/run.sh: it decodes
// a video with decode.Reader into 64x64 RGB float32 tensors (the size a
// training run uses) and prints how many frames it decoded.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"framepred/decode"
)

func main() {
	w := flag.Int("w", 64, "output width")
	h := flag.Int("h", 64, "output height")
	gray := flag.Bool("gray", false, "gray instead of RGB")
	threads := flag.Int("threads", 0, "decoder threads (0: automatic)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: decode [-w 64 -h 64 -gray -threads 0] VIDEO")
		os.Exit(2)
	}
	n, sum, err := run(flag.Arg(0), decode.Options{Width: *w, Height: *h, Gray: *gray, Threads: *threads})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// The checksum keeps the conversion from being optimised away and
	// lets runs be compared.
	fmt.Printf("frames %d checksum %.4f\n", n, sum)
}

func run(path string, o decode.Options) (n int, sum float64, err error) {
	r, err := decode.Open(path, o)
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n, sum, nil
		}
		if err != nil {
			return n, sum, err
		}
		n++
		sum += float64(f.Pix[len(f.Pix)/2])
	}
}
