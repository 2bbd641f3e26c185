// Command encode is the framepred side of bench/encode/run.sh: it reads raw
// rgb24 frames, turns each into a frame.Frame (float32 CHW, as framepred's
// code holds frames) and encodes them with encode.Writer.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"framepred/encode"
	"framepred/frame"
)

func main() {
	in := flag.String("in", "", "raw rgb24 frames")
	out := flag.String("out", "", "MP4 to write (replaced if present)")
	w := flag.Int("w", 0, "frame width")
	h := flag.Int("h", 0, "frame height")
	fps := flag.Int("fps", encode.DefaultFPS, "frame rate")
	preset := flag.String("preset", encode.DefaultPreset, "libx264 preset")
	crf := flag.Int("crf", encode.DefaultCRF, "libx264 CRF")
	flag.Parse()
	if err := run(*in, *out, *w, *h, encode.Options{FPS: *fps, Preset: *preset, CRF: *crf, Force: true}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(in, out string, w, h int, o encode.Options) (err error) {
	if in == "" || out == "" || w <= 0 || h <= 0 {
		return errors.New("usage: encode -in frames.rgb -w W -h H -out out.mp4 [-fps N -preset P -crf N]")
	}
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	wr, err := encode.Create(out, o)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, wr.Abort())
		}
	}()
	r := bufio.NewReaderSize(src, 1<<20)
	buf := make([]byte, 3*w*h)
	f := frame.New(3, h, w)
	var unit [256]float32 // byte to [0,1], without a division per value
	for i := range unit {
		unit[i] = float32(i) / 255
	}
	for {
		if _, err := io.ReadFull(r, buf); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("%s: %w", in, err)
		}
		r, g, b := f.Plane(0), f.Plane(1), f.Plane(2)
		for p := range r {
			px := buf[3*p : 3*p+3 : 3*p+3]
			r[p], g[p], b[p] = unit[px[0]], unit[px[1]], unit[px[2]]
		}
		if err := wr.Write(f); err != nil {
			return err
		}
	}
	return wr.Close()
}
