package evaluate

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"

	"framepred/internal/atomicfile"
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
			if err := atomicfile.CheckNew(paths[i]); err != nil {
				return nil, fileError(err)
			}
		}
	}
	for i, p := range paths {
		if err := atomicfile.WriteFile(p, data[i], opts.Force); err != nil {
			return paths[:i], fileError(err)
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
	return fileError(atomicfile.WriteFile(path, b.Bytes(), force))
}

// fileError words an error from writing a file for evaluate's callers.
func fileError(err error) error { return atomicfile.Explain(err, "evaluate", "ask to replace it") }
