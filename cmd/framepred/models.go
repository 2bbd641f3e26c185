package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"framepred/checkpoint"
	"framepred/decode"
	"framepred/model"
	"framepred/synth"
	"framepred/train"
)

// loadedModel is a predictor read from a checkpoint, with what the
// commands need to know about it.
type loadedModel struct {
	label string // name in reels and tables
	pred  *model.Predictor
	info  checkpoint.Info
	// run is the config of the run that trained it; hasRun is false for a
	// checkpoint that does not carry one.
	run    train.Config
	hasRun bool
}

// checkpointPath turns a --checkpoint value into a file: a run's folder
// stands for its newest step checkpoint.
func checkpointPath(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("checkpoint %s: %w", p, cause(err))
	}
	if !st.IsDir() {
		return p, nil
	}
	latest, err := checkpoint.Latest(p)
	if errors.Is(err, checkpoint.ErrNone) || errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("checkpoint %s: the folder holds no step checkpoint (step-NNNNNN.safetensors)", p)
	}
	return latest, err
}

// loadModel reads the predictor of the checkpoint at p (a file or a run's
// folder) and the config of the run that trained it.
func loadModel(p string) (*loadedModel, error) {
	path, err := checkpointPath(p)
	if err != nil {
		return nil, err
	}
	pred, info, err := checkpoint.LoadPredictor(path)
	if err != nil {
		return nil, err
	}
	m := &loadedModel{label: info.LossLabel, pred: pred, info: info}
	if m.label == "" {
		m.label = filepath.Base(path)
	}
	if info.Train != nil {
		if cfg, err := train.ParseConfig(info.Train); err == nil {
			m.run, m.hasRun = cfg, true
		}
	}
	return m, nil
}

// frameSize returns the frame size the model was trained on, from its
// run's data; ok is false when the checkpoint does not say.
func (m *loadedModel) frameSize() (w, h int, ok bool) {
	if !m.hasRun {
		return 0, 0, false
	}
	switch d := m.run.Data; {
	case d.Synth != nil:
		return d.Synth.Width, d.Synth.Height, true
	case d.Video != nil && d.Video.Options.Width > 0 && d.Video.Options.Height > 0:
		return d.Video.Options.Width, d.Video.Options.Height, true
	}
	return 0, 0, false
}

// close releases the predictor's compiled graphs.
func (m *loadedModel) close() {
	if m != nil && m.pred != nil {
		m.pred.Close()
	}
}

// modelSet is the checkpoints of one reel or evaluation: they see the same
// clips, so they must agree on context length and channels.
type modelSet []*loadedModel

// loadModels reads every --checkpoint and names the models, --label
// values first, in order, then each checkpoint's loss label; names are
// made unique.
func loadModels(paths, labels []string) (modelSet, error) {
	if len(paths) == 0 {
		return nil, usagef("no --checkpoint given")
	}
	if len(labels) > len(paths) {
		return nil, usagef("%d --label values for %d checkpoints", len(labels), len(paths))
	}
	var ms modelSet
	for i, p := range paths {
		m, err := loadModel(p)
		if err != nil {
			ms.close()
			return nil, err
		}
		if i < len(labels) {
			m.label = labels[i]
		}
		ms = append(ms, m)
	}
	seen := map[string]int{}
	for _, m := range ms {
		seen[m.label]++
		if n := seen[m.label]; n > 1 {
			m.label = fmt.Sprintf("%s (%d)", m.label, n)
		}
	}
	first := ms[0].info.Config
	for _, m := range ms[1:] {
		c := m.info.Config
		if c.Context != first.Context || c.Channels != first.Channels {
			ms.close()
			return nil, fmt.Errorf("%s takes %d frames of %d channels, %s %d of %d: models compared on the same clips must agree",
				m.info.Path, c.Context, c.Channels, ms[0].info.Path, first.Context, first.Channels)
		}
	}
	return ms, nil
}

func (ms modelSet) close() {
	for _, m := range ms {
		m.close()
	}
}

// context returns the models' context length and channels.
func (ms modelSet) context() (k, channels int) {
	c := ms[0].info.Config
	return c.Context, c.Channels
}

// size returns the frame size for the models: --size when given, else the
// first model's training size. Every model must take frames of that size
// (a usage error if one does not).
func (ms modelSet) size(c *cli.Context) (w, h int, err error) {
	w, h, ok := ms.trainedSize()
	if c.IsSet("size") {
		w, h, ok = c.Int("size"), c.Int("size"), true
	}
	if !ok {
		return 0, 0, usagef("%s does not say what frame size it was trained on: give --size", ms[0].info.Path)
	}
	for _, m := range ms {
		if err := m.info.Config.CheckSize(h, w); err != nil {
			return 0, 0, usageError{fmt.Errorf("%s: frames of %dx%d: %w", m.info.Path, w, h, err)}
		}
	}
	return w, h, nil
}

// trainedSize returns the frame size of the first model whose checkpoint
// says what it was trained on.
func (ms modelSet) trainedSize() (w, h int, ok bool) {
	for _, m := range ms {
		if w, h, ok := m.frameSize(); ok {
			return w, h, true
		}
	}
	return 0, 0, false
}

// synthConfig returns the built-in data set the models are compared on:
// the first model's training data when it was the built-in one, else the
// default data set at the models' context, channels and frame size; its
// future is horizon frames long.
func (ms modelSet) synthConfig(w, h, horizon int) synth.Config {
	k, ch := ms.context()
	cfg := synth.DefaultConfig()
	for _, m := range ms {
		if m.hasRun && m.run.Data.Synth != nil {
			cfg = *m.run.Data.Synth
			break
		}
	}
	cfg.Context, cfg.Channels, cfg.Width, cfg.Height, cfg.Future = k, ch, w, h, horizon
	return cfg
}

// videoOptions returns how the models' video is decoded: at w×h, gray or
// RGB as the models take it, with the aspect mode and frame rate of the
// first model trained on video.
func (ms modelSet) videoOptions(w, h int) decode.Options {
	_, ch := ms.context()
	o := decode.Options{Width: w, Height: h, Gray: ch == 1, Aspect: decode.Crop}
	for _, m := range ms {
		if m.hasRun && m.run.Data.Video != nil {
			o.Aspect, o.FPS = m.run.Data.Video.Options.Aspect, m.run.Data.Video.Options.FPS
			break
		}
	}
	return o
}
