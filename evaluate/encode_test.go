package evaluate

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestValueJSON(t *testing.T) {
	tests := []struct {
		v    float64
		json string
	}{
		{0.25, "0.25"},
		{19.404249545509803, "19.404249545509803"},
		{-3, "-3"},
		{1e-300, "1e-300"},
		{math.NaN(), "null"},
		{math.Inf(1), `"+Inf"`},
		{math.Inf(-1), `"-Inf"`},
	}
	for _, tc := range tests {
		b, err := json.Marshal(Value(tc.v))
		if err != nil || string(b) != tc.json {
			t.Errorf("Marshal(%v) = %s, %v; want %s", tc.v, b, err, tc.json)
			continue
		}
		var back Value
		if err := json.Unmarshal(b, &back); err != nil {
			t.Errorf("Unmarshal(%s): %v", b, err)
			continue
		}
		if !(float64(back) == tc.v || math.IsNaN(tc.v) && math.IsNaN(float64(back))) {
			t.Errorf("%s reads back as %v, want %v", b, back, tc.v)
		}
	}
	for _, bad := range []string{`"1.5"`, `"NaN"`, `true`, `"inf"`, `1e999`} {
		var v Value
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("Unmarshal(%s) = %v, want an error", bad, v)
		}
	}
}

// TestJSONRoundTrip writes a report, reads it back and writes it again:
// the two outputs match byte for byte, and a generic decoder sees the
// documented field names.
func TestJSONRoundTrip(t *testing.T) {
	r := constructedReport(t)
	var a bytes.Buffer
	if err := r.WriteJSON(&a); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(bytes.NewReader(a.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := back.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("JSON changes on a round trip:\n%s\n---\n%s", a.String(), b.String())
	}
	if got := modelStep(t, back, "mean", 1).AveragingIndex; got != modelStep(t, r, "mean", 1).AveragingIndex {
		t.Errorf("averaging index reads back as %v", got)
	}

	var generic map[string]any
	if err := json.Unmarshal(a.Bytes(), &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "horizon", "samples", "batch", "seed", "psnr_cap_db", "baseline", "data", "models", "notes"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("no top-level field %q", k)
		}
	}
	models := generic["models"].([]any)
	if len(models) != 4 {
		t.Fatalf("%d models in the JSON, want 4", len(models))
	}
	m0 := models[0].(map[string]any)
	info := m0["info"].(map[string]any)
	if info["checkpoint"] != "runs/mean.ckpt" || info["loss"] != "mse" || info["seed"] != 1.0 || info["step"] != 1000.0 {
		t.Errorf("model info %v", info)
	}
	step := m0["steps"].([]any)[0].(map[string]any)
	for _, k := range []string{"step", "n", "mse", "mae", "psnr_mean_db", "psnr_of_mean_mse_db", "ssim",
		"sharpness_ratio", "sharpness_diff_db", "peak", "branched", "averaging_index", "committed_share"} {
		if _, ok := step[k]; !ok {
			t.Errorf("no step field %q", k)
		}
	}
	if step["averaging_index"] != 1.0 || step["peak"] != 0.5 {
		t.Errorf("mean model's step 1: %v", step)
	}
	data := generic["data"].(map[string]any)
	if s := data["synth"].(map[string]any); s["seed"] != 11.0 || s["split"] != "heldout" || data["video"] != nil {
		t.Errorf("data %v", data)
	}
}

func TestReadJSONRefuses(t *testing.T) {
	r := constructedReport(t)
	var good bytes.Buffer
	if err := r.WriteJSON(&good); err != nil {
		t.Fatal(err)
	}
	g := good.String()
	tests := []struct {
		name, json, want string
	}{
		{"version", strings.Replace(g, `"version": 1`, `"version": 2`, 1), "schema version 2"},
		{"unknown field", strings.Replace(g, `"horizon": 1`, `"horizon": 1, "extra": 0`, 1), `unknown field "extra"`},
		{"steps", strings.Replace(g, `"horizon": 1`, `"horizon": 2`, 1), `has 1 steps, the horizon is 2`},
		{"trailing", g + "{}", "trailing data"},
		{"truncated", g[:len(g)/2], "unexpected EOF"},
	}
	for _, tc := range tests {
		_, err := ReadJSON(strings.NewReader(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

// TestCSV checks the header, one row per model and step in order, and
// that every number reads back as the report's value.
func TestCSV(t *testing.T) {
	r := constructedReport(t)
	// Make a three-step report from it to check the row order.
	r.Horizon = 3
	for i := range r.Models {
		s := r.Models[i].Steps[0]
		for k := 2; k <= 3; k++ {
			s.Step, s.Branched, s.AveragingIndex, s.CommittedShare = k, 0, Value(math.NaN()), Value(math.NaN())
			r.Models[i].Steps = append(r.Models[i].Steps, s)
		}
	}
	r.Models[3].Steps[2].SharpnessRatio = Value(math.Inf(1))
	var b bytes.Buffer
	if err := r.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+4*3 {
		t.Fatalf("%d rows, want a header and 12", len(rows))
	}
	if strings.Join(rows[0], ",") != "model,step,n,mse,mae,psnr_mean_db,psnr_of_mean_mse_db,ssim,sharpness_ratio,sharpness_diff_db,peak,branched,averaging_index,committed_share" {
		t.Errorf("header %v", rows[0])
	}
	for k, row := range rows[1:] {
		m, s := r.Models[k/3], r.Models[k/3].Steps[k%3]
		if row[0] != m.Name || row[1] != strconv.Itoa(s.Step) || row[2] != strconv.Itoa(s.N) || row[11] != strconv.Itoa(s.Branched) {
			t.Errorf("row %d = %v, want model %s step %d", k+1, row, m.Name, s.Step)
		}
		vals := []Value{s.MSE, s.MAE, s.PSNRMean, s.PSNROfMeanMSE, s.SSIM, s.SharpnessRatio, s.SharpnessDiff, s.Peak}
		cells := row[3:11]
		vals = append(vals, s.AveragingIndex, s.CommittedShare)
		cells = append(append([]string(nil), cells...), row[12:]...)
		for j, v := range vals {
			if math.IsNaN(float64(v)) {
				if cells[j] != "" {
					t.Errorf("row %d column %d = %q for a missing value, want empty", k+1, j, cells[j])
				}
				continue
			}
			got, err := strconv.ParseFloat(cells[j], 64)
			if err != nil || got != float64(v) {
				t.Errorf("row %d column %d = %q, want %v", k+1, j, cells[j], v)
			}
		}
	}
	if rows[12][8] != "+Inf" {
		t.Errorf("infinite ratio written as %q", rows[12][8])
	}
}
