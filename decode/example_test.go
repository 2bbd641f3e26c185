package decode

import (
	"errors"
	"fmt"
	"io"
)

// ExampleOpen shows the decoding loop.
func ExampleOpen() {
	r, err := Open("clip.mp4", Options{Width: 64, Height: 64, Gray: true, FPS: 15})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for {
		f, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Println(err) // for a damaged file, after its good frames
			break
		}
		_ = f // f.Pix holds 64*64 values in [0,1]
	}
}
