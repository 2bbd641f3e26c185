package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadLog reads the log of a run killed after step 6 (its last line
// cut off) and resumed from the checkpoint of step 4: the history has
// steps 1–8 once each, the resumed run's steps 5 and 6, and both starts.
func TestReadLog(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"start","step":0,"wall":0}` + "\n")
	for s := 1; s <= 6; s++ {
		fmt.Fprintf(&b, `{"type":"step","step":%d,"phase":"recon","terms":{"mse":0.%d},"total":0.%d,"wall":%d}`+"\n", s, s, s, s)
		if s == 4 {
			b.WriteString(`{"type":"val","step":4,"val":{"loss":0.5},"best":true,"wall":4}` + "\n")
			b.WriteString(`{"type":"checkpoint","step":4,"path":"ckpt/step-000004.safetensors","wall":4}` + "\n")
		}
	}
	b.WriteString(`{"type":"step","step":7,"pha`) // killed mid-write
	path := filepath.Join(t.TempDir(), LogName)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// The resumed run appends, after starting a new line.
	w, err := openLog(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{
		{Type: RecordStart, Step: 4, Resumed: "ckpt/step-000004.safetensors", Wall: 4},
		{Type: RecordStep, Step: 5, Phase: PhaseRecon, Terms: map[string]float64{"mse": 0.55}, Wall: 5},
		{Type: RecordStep, Step: 6, Phase: PhaseRecon, Terms: map[string]float64{"mse": 0.66}, Wall: 6},
		{Type: RecordStep, Step: 7, Phase: PhaseRecon, Terms: map[string]float64{"mse": 0.77}, Wall: 7},
		{Type: RecordStep, Step: 8, Phase: PhaseRecon, Terms: map[string]float64{"mse": 0.88}, Wall: 8},
	} {
		if err := w.write(r); err != nil {
			t.Fatal(err)
		}
	}
	w.close()

	recs, err := ReadLog(path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		s := fmt.Sprintf("%s %d", r.Type, r.Step)
		if r.Type == RecordStep {
			s += fmt.Sprintf(" %v", r.Terms["mse"])
		}
		got = append(got, s)
	}
	want := []string{"start 0", "step 1 0.1", "step 2 0.2", "step 3 0.3", "step 4 0.4", "val 4", "checkpoint 4",
		"start 4", "step 5 0.55", "step 6 0.66", "step 7 0.77", "step 8 0.88"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("history\n%s\nwant\n%s", strings.Join(got, "; "), strings.Join(want, "; "))
	}

	// A damaged line elsewhere is an error that names it.
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(`{"type":"start","step":0,"wall":0}`+"\nnot json\n"+`{"type":"step","step":1,"wall":1}`+"\n"), 0o644)
	if _, err := ReadLog(bad); err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), bad) {
		t.Errorf("damaged log: %v", err)
	}
}

// TestLogRecords checks the records a short adversarial run writes.
func TestLogRecords(t *testing.T) {
	cfg := smallConfig(true)
	cfg.Steps = 6
	dir := t.TempDir()
	if _, err := train(t, cfg, dir, nil); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadLog(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range recs {
		count[r.Type]++
		switch r.Type {
		case RecordStart:
			if r.Step != 0 || r.Resumed != "" || len(r.Config) == 0 {
				t.Errorf("start record %+v", r)
			}
		case RecordStep:
			ph := cfg.phase(r.Step)
			trainsG := ph != PhaseDisc
			if r.Phase != ph || (r.Terms != nil) != trainsG || (r.DLoss > 0) != (ph != PhaseRecon) ||
				(r.LRG > 0) != trainsG || (r.LRD > 0) != (ph != PhaseRecon) || !(r.ImagesPerSec > 0) || !(r.Wall > 0) {
				t.Errorf("step record %+v", r)
			}
			// The total is summed in float32 by the graph: tol 1e-7.
			if ph == PhaseJoint && (len(r.Terms) != 2 || !(r.Terms["adv"] > 0) || math.Abs(r.Total-(r.Terms["mse"]+0.05*r.Terms["adv"])) > 1e-7) {
				t.Errorf("joint step record %+v: want terms mse and adv, total mse + 0.05·adv", r)
			}
		case RecordVal:
			if _, ok := r.Val["loss"]; !ok || r.Step != 4 && r.Step != 6 {
				t.Errorf("val record %+v", r)
			}
		case RecordCheckpoint:
			if r.Path != filepath.Join(dir, fmt.Sprintf("step-%06d.safetensors", r.Step)) {
				t.Errorf("checkpoint record %+v", r)
			}
		}
	}
	if count[RecordStart] != 1 || count[RecordStep] != 6 || count[RecordVal] != 2 || count[RecordCheckpoint] != 2 {
		t.Errorf("record counts %v", count)
	}
}

// logRecords decodes the lines a slog.JSONHandler wrote.
func logRecords(t *testing.T, b *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// TestNaNLog checks that a NaN stop is left to the caller to report: no
// record at Error level (the command line would print the error twice),
// and one stop record in train.jsonl that carries the error.
func TestNaNLog(t *testing.T) {
	cfg := smallConfig(false)
	dir := t.TempDir()
	var b bytes.Buffer
	tr, err := New(cfg, Options{Dir: dir, Logger: slog.New(slog.NewJSONHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	tr.beforeStep = func(s int64) {
		if s == 2 {
			tr.Predictor().Params()[0].Value.Float32s()[0] = float32(math.NaN())
		}
	}
	_, err = tr.Run(context.Background())
	var nf *NonFiniteError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v, want a NonFiniteError", err)
	}
	for _, rec := range logRecords(t, &b) {
		if rec["level"] == slog.LevelError.String() {
			t.Errorf("record at Error level %v: the error is the caller's to report", rec)
		}
	}
	recs, err := ReadLog(filepath.Join(dir, LogName))
	if err != nil {
		t.Fatal(err)
	}
	var stops []Record
	for _, r := range recs {
		if r.Type == RecordStop {
			stops = append(stops, r)
		}
	}
	if len(stops) != 1 || stops[0].Step != 2 || stops[0].Error != nf.Error() {
		t.Errorf("stop records %+v, want one at step 2 with the error %q", stops, nf.Error())
	}
}

// TestBranchMetricsLog checks that the averaging index and the committed
// share are logged, in both logs, where the clips' possible futures are
// known (synthetic data) and left out on video, where they cannot be
// measured.
func TestBranchMetricsLog(t *testing.T) {
	synthCfg := smallConfig(false)
	videoCfg := videoConfig(videos(t))
	for _, cfg := range []*Config{&synthCfg, &videoCfg} {
		cfg.Steps, cfg.Epochs, cfg.ValEvery, cfg.Data.ValSamples = 2, 0, 1, 4
	}
	for _, tc := range []struct {
		name     string
		cfg      Config
		branched bool
	}{
		{"synth", synthCfg, true},
		{"video", videoCfg, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			var b bytes.Buffer
			tr, err := New(tc.cfg, Options{Dir: dir, Logger: slog.New(slog.NewJSONHandler(&b, nil))})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if _, err := tr.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			recs, err := ReadLog(filepath.Join(dir, LogName))
			if err != nil {
				t.Fatal(err)
			}
			var vals []map[string]float64
			for _, r := range recs {
				if r.Type == RecordVal {
					vals = append(vals, r.Val)
				}
			}
			var logged []map[string]any
			for _, rec := range logRecords(t, &b) {
				if rec["msg"] == "validation" {
					logged = append(logged, rec)
				}
			}
			if len(vals) != 2 || len(logged) != 2 {
				t.Fatalf("%d val records in %s and %d validation log records, want 2 each", len(vals), LogName, len(logged))
			}
			for i := range vals {
				for _, k := range []string{"psnr", "averaging_index", "committed"} {
					want := k == "psnr" || tc.branched
					if _, ok := vals[i][k]; ok != want {
						t.Errorf("%s val record %v: has %s %v, want %v", LogName, vals[i], k, ok, want)
					}
					v, ok := logged[i][k]
					if _, number := v.(float64); ok != want || ok && !number {
						t.Errorf("validation log record %v: has %s %v (%v), want %v and a number", logged[i], k, ok, v, want)
					}
				}
			}
		})
	}
}
