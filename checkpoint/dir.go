package checkpoint

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"framepred/internal/atomicfile"
)

// BestName is the file name of a run's best checkpoint by validation loss.
const BestName = "best.safetensors"

// ErrNone is wrapped by Latest when a folder holds no step checkpoint.
var ErrNone = errors.New("no checkpoint")

// StepName returns the file name of the checkpoint at step:
// step-000400.safetensors (more digits past 999,999).
func StepName(step int64) string { return fmt.Sprintf("step-%06d.safetensors", step) }

// parseStepName returns the step of a StepName, or false.
func parseStepName(name string) (int64, bool) {
	num, ok := strings.CutPrefix(name, "step-")
	if !ok {
		return 0, false
	}
	if num, ok = strings.CutSuffix(num, ".safetensors"); !ok || len(num) < 6 {
		return 0, false
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	step, err := strconv.ParseInt(num, 10, 64)
	return step, err == nil
}

// Entry is one step checkpoint in a folder.
type Entry struct {
	Path string
	Step int64
}

// List returns the step checkpoints in dir, oldest step first. It reads
// names only; a missing folder has none.
func List(dir string) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var es []Entry
	for _, de := range des {
		if step, ok := parseStepName(de.Name()); ok && de.Type().IsRegular() {
			es = append(es, Entry{Path: filepath.Join(dir, de.Name()), Step: step})
		}
	}
	slices.SortFunc(es, func(a, b Entry) int { return cmpInt(a.Step, b.Step) })
	return es, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Latest returns the path of the checkpoint with the highest step in dir,
// where a run resumes. With none it returns an error wrapping ErrNone.
func Latest(dir string) (string, error) {
	es, err := List(dir)
	if err != nil {
		return "", err
	}
	if len(es) == 0 {
		return "", fmt.Errorf("checkpoint: %s: %w (no step-NNNNNN.safetensors)", dir, ErrNone)
	}
	return es[len(es)-1].Path, nil
}

// Dir is the folder of one run's checkpoints.
type Dir struct {
	Path string
	// Keep is how many step checkpoints Save keeps, the newest; 0 keeps
	// them all. best.safetensors is kept apart from them.
	Keep int
}

// Save writes c as StepName(c.Step), then removes the oldest step
// checkpoints beyond Keep. It makes the folder if needed.
func (d Dir) Save(c *Checkpoint) (string, error) {
	if err := d.prepare(); err != nil {
		return "", err
	}
	path := filepath.Join(d.Path, StepName(c.Step))
	if err := Save(path, c); err != nil {
		return "", err
	}
	return path, d.prune()
}

// SaveBest writes c as best.safetensors, replacing the previous best.
func (d Dir) SaveBest(c *Checkpoint) (string, error) {
	if err := d.prepare(); err != nil {
		return "", err
	}
	path := filepath.Join(d.Path, BestName)
	return path, Save(path, c)
}

// prepare makes the folder and removes the temporary files of checkpoints
// that a killed writer left behind.
func (d Dir) prepare() error {
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	des, err := os.ReadDir(d.Path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	for _, de := range des {
		name, ok := tempTarget(de.Name())
		if !ok || !de.Type().IsRegular() {
			continue
		}
		if _, isStep := parseStepName(name); isStep || name == BestName {
			if err := os.Remove(filepath.Join(d.Path, de.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("checkpoint: remove a stale temporary file: %w", err)
			}
		}
	}
	return nil
}

// tempTarget returns the file name that the temporary file named name was
// written for: safetensors.WriteFile names them .NAME.<digits>.tmp, and
// earlier versions named them .NAME.tmp<digits>.
func tempTarget(name string) (string, bool) {
	if target, ok := atomicfile.Target(name); ok {
		return target, true
	}
	base, tmp, ok := strings.Cut(name, ".safetensors.tmp")
	base, hidden := strings.CutPrefix(base, ".")
	if !ok || !hidden || strings.ContainsAny(tmp, ".") {
		return "", false
	}
	return base + ".safetensors", true
}

func (d Dir) prune() error {
	if d.Keep <= 0 {
		return nil
	}
	es, err := List(d.Path)
	if err != nil {
		return err
	}
	for len(es) > d.Keep {
		if err := os.Remove(es[0].Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checkpoint: remove an old checkpoint: %w", err)
		}
		es = es[1:]
	}
	return nil
}
