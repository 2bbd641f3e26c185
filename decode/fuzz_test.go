package decode

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// FuzzOpenDecode feeds arbitrary bytes through Probe, Open and a few
// frames of Next: any input may fail, but with an error naming the file,
// never a panic or a hang, and every frame returned must be well formed.
// Seeds are tiny videos in several containers and codecs, whole and cut.
func FuzzOpenDecode(f *testing.F) {
	src := "testsrc2=s=32x24:r=10:d=0.5"
	seeds := []struct {
		name string
		args []string
	}{
		{"seed.mp4", []string{"-c:v", "libx264", "-preset", "ultrafast", "-g", "3"}},
		{"seed-faststart.mp4", []string{"-c:v", "libx264", "-preset", "ultrafast", "-movflags", "+faststart"}},
		{"seed.webm", []string{"-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"}},
		{"seed.avi", []string{"-c:v", "mjpeg"}},
		{"seed.mkv", []string{"-c:v", "ffv1"}},
	}
	for _, s := range seeds {
		b, err := os.ReadFile(fixture(f, s.name, append([]string{"-f", "lavfi", "-i", src}, s.args...)...))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte{})
	f.Add([]byte("not a video\n"))

	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		tmp, err := os.CreateTemp(fixDir, "fuzz-*.bin")
		if err != nil {
			t.Fatal(err)
		}
		path := tmp.Name()
		defer os.Remove(path)
		if _, err := tmp.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := tmp.Close(); err != nil {
			t.Fatal(err)
		}
		checkErr := func(err error) {
			if err != nil && !(strings.HasPrefix(err.Error(), "decode: ") && strings.Contains(err.Error(), path)) {
				t.Fatalf("error %q does not start with decode: and name the file", err)
			}
		}
		_, err = Probe(path)
		checkErr(err)
		// Frame threading (Threads 0) on odd lengths, one thread on even.
		r, err := Open(path, Options{Width: 16, Height: 12, MaxFrames: 6, FPS: 20, Threads: 1 - len(data)%2})
		checkErr(err)
		if err != nil {
			return
		}
		defer r.Close()
		for {
			fr, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				checkErr(err)
				return
			}
			if fr.C != 3 || fr.H != 12 || fr.W != 16 || fr.Validate() != nil {
				t.Fatalf("bad frame %s with %d values", fr.Shape(), len(fr.Pix))
			}
			if lo, hi := minMax(fr.Pix); lo < 0 || hi > 1 {
				t.Fatalf("values in [%v, %v], want [0, 1]", lo, hi)
			}
		}
	})
}
