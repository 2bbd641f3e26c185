package evaluate

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"framepred/decode"
	"framepred/metrics"
)

// testVideo makes a 1.5 s, 10 fps moving test pattern with the ffmpeg
// command; the test fails without it, since skipping would hide that the
// video path went untested.
func testVideo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatalf("the ffmpeg command is needed to make a test video but was not found (%v); `make deps` installs it", err)
	}
	path := filepath.Join(t.TempDir(), "pattern.mp4")
	cmd := exec.Command("ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x64:rate=10:duration=1.5",
		"-c:v", "libx264", "-pix_fmt", "yuv420p", path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v\n%s", err, out)
	}
	return path
}

// TestVideo evaluates a still-frame forecaster on every clip of a video:
// the clips have no known futures, so the branch metrics are missing in
// every output, and the errors match a direct computation.
func TestVideo(t *testing.T) {
	path := testVideo(t)
	opts := decode.Options{Width: 32, Height: 32, Gray: true}
	copts := decode.ClipOptions{Context: 2, Future: 2}
	d, err := Video([]string{path}, opts, copts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), []Model{{Name: "still", Predictor: copyLast{}}}, d, Options{Horizon: 2, Batch: 5})
	if err != nil {
		t.Fatal(err)
	}
	// 15 frames give 12 clips of 4.
	if r.Samples != 12 {
		t.Fatalf("%d clips, want 12", r.Samples)
	}

	clips, err := decode.NewClips([]string{path}, opts, copts)
	if err != nil {
		t.Fatal(err)
	}
	defer clips.Close()
	var mse [2]float64
	for {
		c, err := clips.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for s := range 2 {
			mse[s] += metrics.MSE(c.Context[1], c.Future[s]) / 12
		}
	}
	for s, st := range r.Models[0].Steps {
		if st.N != 12 || st.Branched != 0 {
			t.Errorf("step %d: n=%d branched=%d, want 12 and 0", s+1, st.N, st.Branched)
		}
		if !near(st.MSE, mse[s], 1e-12) {
			t.Errorf("step %d: MSE %v, direct computation %v", s+1, st.MSE, mse[s])
		}
		if !math.IsNaN(float64(st.AveragingIndex)) || !math.IsNaN(float64(st.CommittedShare)) {
			t.Errorf("step %d: branch metrics %v, %v without branches", s+1, st.AveragingIndex, st.CommittedShare)
		}
	}
	if !(r.Models[0].Steps[1].MSE > r.Models[0].Steps[0].MSE) {
		t.Errorf("a still frame should be further from the truth two steps ahead: MSE %v then %v",
			r.Models[0].Steps[0].MSE, r.Models[0].Steps[1].MSE)
	}

	var js, cs, tx bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteCSV(&cs); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteText(&tx); err != nil {
		t.Fatal(err)
	}
	var generic struct {
		Data struct {
			Kind  string
			Video struct {
				Files   []string
				Gray    bool
				Context int
				Future  int
			}
			Synth any
		}
		Models []struct{ Steps []map[string]any }
	}
	if err := json.Unmarshal(js.Bytes(), &generic); err != nil {
		t.Fatal(err)
	}
	v := generic.Data.Video
	if generic.Data.Kind != "video" || len(v.Files) != 1 || v.Files[0] != path || !v.Gray || v.Context != 2 || v.Future != 2 || generic.Data.Synth != nil {
		t.Errorf("data %+v", generic.Data)
	}
	if st := generic.Models[0].Steps[0]; st["averaging_index"] != nil || st["committed_share"] != nil {
		t.Errorf("branch metrics in JSON: %v", st)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][12] != "" || rows[1][13] != "" || rows[1][11] != "0" {
		t.Errorf("CSV %v", rows)
	}
	if !strings.Contains(tx.String(), "the possible futures of these clips are not known") ||
		!strings.Contains(tx.String(), "data: video, 1 file ("+path+"): 32×32 stretch gray, 2 context + 2 future frames, stride 1") {
		t.Errorf("text:\n%s", tx.String())
	}

	// A horizon beyond the clips' future is refused, naming the file.
	_, err = Run(context.Background(), []Model{{Name: "still", Predictor: copyLast{}}}, d, Options{Horizon: 3})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "has 2 future frames, the horizon is 3") {
		t.Errorf("horizon 3: %v", err)
	}
}

func TestVideoErrors(t *testing.T) {
	if _, err := Video(nil, decode.Options{}, decode.ClipOptions{Context: 2, Future: 1}); err == nil {
		t.Error("no files accepted")
	}
	if _, err := Video([]string{"x.mp4"}, decode.Options{}, decode.ClipOptions{Context: 0}); err == nil {
		t.Error("a clip without context accepted")
	}
	d, err := Video([]string{filepath.Join(t.TempDir(), "missing.mp4")}, decode.Options{}, decode.ClipOptions{Context: 2, Future: 1})
	if err != nil {
		t.Fatal(err) // files are opened as they are reached
	}
	_, err = Run(context.Background(), []Model{{Name: "still", Predictor: copyLast{}}}, d, Options{})
	if err == nil || !strings.Contains(err.Error(), "missing.mp4") {
		t.Errorf("missing file: %v", err)
	}
}
