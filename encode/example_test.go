package encode_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"framepred/encode"
	"framepred/frame"
)

// A gray square moving right, written as a 10-frame MP4.
func ExampleCreate() {
	dir, err := os.MkdirTemp("", "encode-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	w, err := encode.Create(filepath.Join(dir, "square.mp4"), encode.Options{FPS: 10})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // drops the file if we return early; nothing after Close
	for t := range 10 {
		f := frame.New(1, 45, 64) // odd height: padded to 46
		for y := 20; y < 30; y++ {
			for x := 4 * t; x < 4*t+10; x++ {
				f.Set(0, y, x, 1)
			}
		}
		if err := w.Write(f); err != nil {
			log.Fatal(err)
		}
	}
	width, height := w.Size()
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d frames, %dx%d\n", w.Frames(), width, height)
	// Output: 10 frames, 64x46
}

// A reel comparing ground truth with a prediction, one row, and a still of
// its third frame.
func ExampleWriteReel() {
	dir, err := os.MkdirTemp("", "encode-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	var truth, pred []frame.Frame
	for t := range 4 {
		f := frame.New(3, 32, 32)
		f.Set(0, 16, 8*t, 1) // one red dot moving right
		truth = append(truth, f)
		pred = append(pred, f.Clone())
	}
	kinds := []encode.Kind{encode.Context, encode.Context, encode.Predicted, encode.Predicted}
	reel := encode.Reel{
		Title: "example",
		Rows: [][]encode.Panel{{
			{Label: "ground truth", Frames: truth},
			{Label: "model", Frames: pred, Kinds: kinds, Captions: []string{"", "", "PSNR inf", "PSNR inf"}},
		}},
	}
	if err := encode.WriteReel(filepath.Join(dir, "reel.mp4"), reel, encode.Options{}); err != nil {
		log.Fatal(err)
	}
	if err := encode.WriteReelStill(filepath.Join(dir, "reel.png"), reel, 2, false); err != nil {
		log.Fatal(err)
	}
	still, err := reel.RenderFrame(2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d frames; still %s\n", reel.Len(), still.Shape())
	// Output: 4 frames; still 3x398x564
}
