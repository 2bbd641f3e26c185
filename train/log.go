package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Record types of the log (see the package documentation for the schema).
const (
	RecordStart      = "start"
	RecordStep       = "step"
	RecordVal        = "val"
	RecordCheckpoint = "checkpoint"
	RecordStop       = "stop"
)

// Record is one line of a run's JSON-lines log. Which fields are set
// depends on Type; the package documentation lists them.
type Record struct {
	Type string `json:"type"`
	Step int64  `json:"step"`

	// step records
	Phase        string             `json:"phase,omitempty"`
	Terms        map[string]float64 `json:"terms,omitempty"`
	Total        float64            `json:"total,omitempty"`
	DLoss        float64            `json:"d_loss,omitempty"`
	LRG          float64            `json:"lr_g,omitempty"`
	LRD          float64            `json:"lr_d,omitempty"`
	ImagesPerSec float64            `json:"images_per_s,omitempty"`

	// val records
	Val  map[string]float64 `json:"val,omitempty"`
	Best bool               `json:"best,omitempty"`

	// checkpoint records: the file; start records: the checkpoint resumed
	// from ("" for a fresh run) and the run's config
	Path    string          `json:"path,omitempty"`
	Resumed string          `json:"resumed,omitempty"`
	Config  json.RawMessage `json:"config,omitempty"`

	// stop records: why the run stopped early
	Error string `json:"error,omitempty"`

	// Wall is the training time so far in seconds, counted across
	// resumes.
	Wall float64 `json:"wall"`
}

// logWriter appends records to a log file, one JSON object a line.
type logWriter struct {
	f *os.File
}

// openLog opens path for appending, starting a new line if a killed run
// left a partial one.
func openLog(path string) (*logWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("train: log: %w", err)
	}
	st, err := f.Stat()
	if err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err = f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			_, err = f.Write([]byte{'\n'})
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("train: log %s: %w", path, err)
	}
	return &logWriter{f: f}, nil
}

func (w *logWriter) write(r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("train: log: %w", err)
	}
	if _, err := w.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("train: log: %w", err)
	}
	return nil
}

func (w *logWriter) sync() error { return w.f.Sync() }

func (w *logWriter) close() error { return w.f.Close() }

// finiteOnly drops the NaN and infinite values of a map (JSON has no such
// numbers; a metric that could not be measured is left out).
func finiteOnly(m map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(m))
	for k, v := range m {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[k] = v
		}
	}
	return out
}

// ReadLog reads a run's log and returns the run's history as it stands: a
// start record at step s (a resume, or a fresh start) drops the step, val
// and checkpoint records after s that an interrupted process had written
// and the resumed run repeats. A line cut off by a killed process (the
// last line, or one followed by a start record) is ignored; any other line
// that is not a record is an error naming it.
func ReadLog(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: read log: %w", err)
	}
	var recs []Record
	bad := 0 // the line number of an unreadable line not yet excused
	r := bufio.NewReader(bytes.NewReader(data))
	for line := 1; ; line++ {
		b, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(b)) > 0 {
			var rec Record
			if jerr := json.Unmarshal(b, &rec); jerr != nil || rec.Type == "" {
				if bad != 0 {
					break
				}
				bad = line
			} else {
				if bad != 0 && rec.Type != RecordStart {
					break
				}
				bad = 0
				recs = add(recs, rec)
			}
		}
		if errors.Is(err, io.EOF) {
			return recs, nil
		}
	}
	return nil, fmt.Errorf("train: log %s: line %d is not a log record: %.80q", path, bad, lineAt(data, bad))
}

// lineAt returns line n (1 for the first) of data.
func lineAt(data []byte, n int) []byte {
	lines := bytes.SplitN(data, []byte{'\n'}, n+1)
	if n-1 < len(lines) {
		return lines[n-1]
	}
	return nil
}

// add appends rec; a start record first drops the records it supersedes.
func add(recs []Record, rec Record) []Record {
	if rec.Type == RecordStart {
		kept := recs[:0]
		for _, r := range recs {
			if r.Step <= rec.Step || r.Type == RecordStart || r.Type == RecordStop {
				kept = append(kept, r)
			}
		}
		recs = kept
	}
	return append(recs, rec)
}
