package evaluate

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// SaveOptions control Report.Save.
type SaveOptions struct {
	Force bool // replace existing files
	Plot  PlotOptions
}

// Save writes the report into folder dir as stem.txt (WriteText),
// stem.json (WriteJSON), stem.csv (WriteCSV) and stem.png (WritePlot), and
// returns their paths. Everything is rendered first; then each file is
// written atomically (see the package documentation). Without opts.Force
// it writes nothing if any of the four exists.
func (r *Report) Save(dir, stem string, opts SaveOptions) ([]string, error) {
	if stem == "" || stem != filepath.Base(stem) || stem == "." || stem == ".." {
		return nil, fmt.Errorf("evaluate: save: %q is not a plain file name stem", stem)
	}
	outputs := []struct {
		ext   string
		write func(io.Writer) error
	}{
		{".txt", r.WriteText},
		{".json", r.WriteJSON},
		{".csv", r.WriteCSV},
		{".png", func(w io.Writer) error { return r.WritePlot(w, opts.Plot) }},
	}
	paths := make([]string, len(outputs))
	data := make([][]byte, len(outputs))
	for i, o := range outputs {
		paths[i] = filepath.Join(dir, stem+o.ext)
		var b bytes.Buffer
		if err := o.write(&b); err != nil {
			return nil, err
		}
		data[i] = b.Bytes()
		if !opts.Force {
			if err := checkAbsent(paths[i]); err != nil {
				return nil, err
			}
		}
	}
	for i, p := range paths {
		if err := writeFile(p, data[i], opts.Force); err != nil {
			return paths[:i], err
		}
	}
	return paths, nil
}

// SaveLossPlot writes WriteLossPlot's PNG to path atomically, replacing an
// existing file only if force is set.
func SaveLossPlot(path string, curves []LossCurve, opts LossPlotOptions, force bool) error {
	var b bytes.Buffer
	if err := WriteLossPlot(&b, curves, opts); err != nil {
		return err
	}
	return writeFile(path, b.Bytes(), force)
}

// checkAbsent fails if path exists.
func checkAbsent(path string) error {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return fmt.Errorf("evaluate: %s already exists (ask to replace it): %w", path, fs.ErrExist)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	default:
		return fmt.Errorf("evaluate: cannot write %s: %w", path, err)
	}
}

// writeFile writes data to path through a temporary file in the same
// folder that is synced, closed and then renamed (with force) or linked
// (without, so an existing file is never replaced) into place. On error
// path is untouched and the temporary file is gone.
func writeFile(path string, data []byte, force bool) (err error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return fmt.Errorf("evaluate: %q names a folder, not a file", path)
	}
	if dir == "" {
		dir = "."
	}
	if !force {
		if err := checkAbsent(path); err != nil {
			return err
		}
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("evaluate: cannot write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // a second Close only returns an error
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("evaluate: write %s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("evaluate: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("evaluate: sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("evaluate: write %s: %w", path, err)
	}
	if force {
		if err = os.Rename(tmp, path); err != nil {
			return fmt.Errorf("evaluate: %w", err)
		}
	} else {
		err = os.Link(tmp, path)
		switch {
		case err == nil:
			os.Remove(tmp) // path holds the data; a leftover temporary name is harmless
		case errors.Is(err, fs.ErrExist):
			return fmt.Errorf("evaluate: %s already exists (ask to replace it): %w", path, fs.ErrExist)
		default: // no hard links here: check, then rename
			if err = checkAbsent(path); err != nil {
				return err
			}
			if err = os.Rename(tmp, path); err != nil {
				return fmt.Errorf("evaluate: %w", err)
			}
		}
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. File systems that cannot sync a
// folder (EINVAL) are let be.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	if err != nil {
		err = fmt.Errorf("evaluate: sync folder %s: %w", dir, err)
	}
	return errors.Join(err, d.Close())
}
