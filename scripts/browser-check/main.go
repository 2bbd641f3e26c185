// Command browser-check shows that framepred's reels play in a real
// browser. It writes a small comparison reel with package encode, serves it
// over HTTP on 127.0.0.1, opens a page that plays it in headless Chromium,
// and collects what the page reports: H.264 support, readyState while
// playing, whether currentTime advances, and the frame the browser decoded
// (drawn on a canvas), which it compares with the reel's own rendering.
// It also saves a screenshot of the page. Run it through run.sh.
package main

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"framepred/encode"
	"framepred/frame"
)

//go:embed index.html
var page []byte

const (
	reelFPS    = 5
	reelFrames = 16
)

func main() {
	out := flag.String("out", "", "folder for reel.mp4, still.png, result.json, frame.png, page.png")
	browser := flag.String("chromium", "chromium", "Chromium binary")
	timeout := flag.Duration("timeout", 60*time.Second, "how long to wait for the page")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: browser-check -out DIR [-chromium PATH]")
		os.Exit(2)
	}
	if err := run(*out, *browser, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "browser-check:", err)
		os.Exit(1)
	}
}

// report is what the page posts to /result.
type report struct {
	Verdict                string            `json:"verdict"`
	UserAgent              string            `json:"userAgent"`
	CanPlayType            map[string]string `json:"canPlayType"`
	Events                 []string          `json:"events"`
	ReadyState             int               `json:"readyState"`
	ReadyStateWhilePlaying int               `json:"readyStateWhilePlaying"`
	CurrentTimeStart       float64           `json:"currentTimeStart"`
	CurrentTimeLater       float64           `json:"currentTimeLater"`
	Duration               float64           `json:"duration"`
	VideoWidth             int               `json:"videoWidth"`
	VideoHeight            int               `json:"videoHeight"`
	Error                  *string           `json:"error"`
	FrameTime              float64           `json:"frameTime"`
	PlayRejected           string            `json:"playRejected"`
}

func run(dir, browser string, timeout time.Duration) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	reel := demoReel()
	mp4 := filepath.Join(dir, "reel.mp4")
	if err := encode.WriteReel(mp4, reel, encode.Options{FPS: reelFPS, Force: true}); err != nil {
		return err
	}
	if err := encode.WriteReelStill(filepath.Join(dir, "still.png"), reel, reelFrames/2, true); err != nil {
		return err
	}

	var (
		mu      sync.Mutex
		rep     *report
		gotRep  = make(chan struct{})
		gotShot = make(chan struct{})
		once    [2]sync.Once
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	})
	mux.HandleFunc("GET /reel.mp4", func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, mp4) // answers Range requests, as browsers use for video
	})
	mux.HandleFunc("POST /result", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var rp report
		if err := json.Unmarshal(b, &rp); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		once[0].Do(func() {
			mu.Lock()
			rep = &rp
			mu.Unlock()
			os.WriteFile(filepath.Join(dir, "result.json"), b, 0o644)
			close(gotRep)
		})
	})
	mux.HandleFunc("POST /frame", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		data, ok := strings.CutPrefix(string(b), "data:image/png;base64,")
		png, err := base64.StdEncoding.DecodeString(data)
		if !ok || err != nil {
			http.Error(w, "want a PNG data URL", http.StatusBadRequest)
			return
		}
		once[1].Do(func() {
			os.WriteFile(filepath.Join(dir, "frame.png"), png, 0o644)
			close(gotShot)
		})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/"
	fmt.Println("serving", url)

	profile, err := os.MkdirTemp("", "framepred-chromium-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(profile)
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-crash-reporter", "--autoplay-policy=no-user-gesture-required", "--user-data-dir=" + profile}

	// 1. Play the reel and wait for the page's report and decoded frame.
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	logf, err := os.Create(filepath.Join(dir, "chromium.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(browser, append(flags, "--window-size=1280,1000", url)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers share its group
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", browser, err)
	}
	stopBrowser := func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // the group this program started
		cmd.Wait()
	}
	select {
	case <-gotRep:
	case <-ctx.Done():
		stopBrowser()
		return fmt.Errorf("no report from the page within %v (see %s)", timeout, logf.Name())
	}
	select {
	case <-gotShot:
	case <-time.After(5 * time.Second):
	}
	stopBrowser()

	// 2. A screenshot of the page, results included.
	shot := exec.CommandContext(ctx, browser, append(flags, "--screenshot="+filepath.Join(dir, "page.png"),
		"--window-size=1200,1000", "--virtual-time-budget=8000", url)...)
	shot.Stdout, shot.Stderr = logf, logf
	shot.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := shot.Run(); err != nil {
		fmt.Println("page screenshot failed:", err)
	}
	if shot.Process != nil {
		syscall.Kill(-shot.Process.Pid, syscall.SIGKILL) // helpers it left, if any
	}

	mu.Lock()
	defer mu.Unlock()
	return judge(dir, reel, rep)
}

// judge prints the page's report and compares the frame it decoded with
// the reel's own rendering of that moment.
func judge(dir string, reel encode.Reel, rep *report) error {
	fmt.Printf("user agent: %s\n", rep.UserAgent)
	for k, v := range rep.CanPlayType {
		fmt.Printf("canPlayType(%s) = %q\n", k, v)
	}
	fmt.Printf("events: %s\n", strings.Join(rep.Events, ", "))
	fmt.Printf("verdict %s: readyState while playing %d, currentTime %.3f -> %.3f over 1.5 s, duration %.3f s, %dx%d",
		rep.Verdict, rep.ReadyStateWhilePlaying, rep.CurrentTimeStart, rep.CurrentTimeLater, rep.Duration, rep.VideoWidth, rep.VideoHeight)
	if rep.Error != nil {
		fmt.Printf(", error %s", *rep.Error)
	}
	fmt.Println()
	if rep.Verdict != "plays" {
		return fmt.Errorf("the reel does not play in %s (verdict %q)", rep.UserAgent, rep.Verdict)
	}
	got, err := readPNG(filepath.Join(dir, "frame.png"))
	if err != nil {
		return fmt.Errorf("decoded frame: %w", err)
	}
	// The frame on screen at time t is frame floor(t*fps); allow one either way.
	i0 := int(math.Floor(rep.FrameTime*reelFPS + 1e-6))
	best, bestI := math.Inf(-1), -1
	for i := i0 - 1; i <= i0+1; i++ {
		j := (i + reelFrames) % reelFrames
		want, err := reel.RenderFrame(j)
		if err != nil {
			return err
		}
		if !want.SameShape(got) {
			return fmt.Errorf("browser decoded %s, reel is %s", got.Shape(), want.Shape())
		}
		if p := psnr(want, got); p > best {
			best, bestI = p, j
		}
	}
	fmt.Printf("decoded frame at t=%.3f s matches reel frame %d: PSNR %.1f dB\n", rep.FrameTime, bestI, best)
	if best < 30 {
		return fmt.Errorf("the browser's picture differs from the reel (PSNR %.1f dB < 30): colours or geometry are off", best)
	}
	return nil
}

func readPNG(path string) (frame.Frame, error) {
	fh, err := os.Open(path)
	if err != nil {
		return frame.Frame{}, err
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		return frame.Frame{}, err
	}
	return toFrame(img), nil
}

func toFrame(img image.Image) frame.Frame {
	b := img.Bounds()
	f := frame.New(3, b.Dy(), b.Dx())
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			f.Set(0, y, x, float32(r)/0xffff)
			f.Set(1, y, x, float32(g)/0xffff)
			f.Set(2, y, x, float32(bl)/0xffff)
		}
	}
	return f
}

func psnr(a, b frame.Frame) float64 {
	var se float64
	for i := range a.Pix {
		d := float64(a.Pix[i] - b.Pix[i])
		se += d * d
	}
	return 10 * math.Log10(float64(len(a.Pix))/se)
}
