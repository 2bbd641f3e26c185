package evaluate

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// WriteJSON writes the report as one indented JSON object (see the package
// documentation for the fields).
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("evaluate: write JSON: %w", err)
	}
	return nil
}

// ReadJSON reads a report written by WriteJSON. It refuses another schema
// version, unknown fields, and a report whose models do not each have one
// entry per horizon step.
func ReadJSON(rd io.Reader) (*Report, error) {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	var r Report
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("evaluate: read report: %w", err)
	}
	if dec.More() {
		return nil, errors.New("evaluate: read report: trailing data after the JSON object")
	}
	if r.Version != SchemaVersion {
		return nil, fmt.Errorf("evaluate: read report: schema version %d, this build reads version %d", r.Version, SchemaVersion)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("evaluate: read report: %w", err)
	}
	return &r, nil
}

// check reports a report that the writers cannot print.
func (r *Report) check() error {
	if r.Horizon < 1 {
		return fmt.Errorf("horizon %d is not positive", r.Horizon)
	}
	if len(r.Models) == 0 {
		return errors.New("no models")
	}
	for _, m := range r.Models {
		if len(m.Steps) != r.Horizon {
			return fmt.Errorf("model %q has %d steps, the horizon is %d", m.Name, len(m.Steps), r.Horizon)
		}
		for t, s := range m.Steps {
			if s.Step != t+1 {
				return fmt.Errorf("model %q: entry %d is step %d", m.Name, t+1, s.Step)
			}
		}
	}
	return nil
}

// CSVHeader is the header row of WriteCSV.
var CSVHeader = []string{
	"model", "step", "n", "mse", "mae", "psnr_mean_db", "psnr_of_mean_mse_db", "ssim",
	"sharpness_ratio", "sharpness_diff_db", "peak", "branched", "averaging_index", "committed_share",
}

// WriteCSV writes a header row (CSVHeader) and one row per model and horizon
// step, models in report order and steps ascending. A metric that was not
// measured is an empty field.
func (r *Report) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("evaluate: write CSV: %w", err)
	}
	for _, m := range r.Models {
		for _, s := range m.Steps {
			row := []string{
				m.Name, strconv.Itoa(s.Step), strconv.Itoa(s.N),
				s.MSE.csv(), s.MAE.csv(), s.PSNRMean.csv(), s.PSNROfMeanMSE.csv(), s.SSIM.csv(),
				s.SharpnessRatio.csv(), s.SharpnessDiff.csv(), s.Peak.csv(),
				strconv.Itoa(s.Branched), s.AveragingIndex.csv(), s.CommittedShare.csv(),
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("evaluate: write CSV: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("evaluate: write CSV: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("evaluate: write CSV: %w", err)
	}
	return nil
}
