package checkpoint

import (
	"encoding/json"
	"fmt"
	"strings"

	"framepred/model"
	"framepred/safetensors"
)

// Info describes the predictor of a checkpoint: what evaluation, prediction
// and reels need to label and rebuild it.
type Info struct {
	Path   string
	Step   int64
	Config model.Config

	Losses        string // generator loss weights, losses.ParseWeights syntax
	LossLabel     string // "MSE + adversarial"
	Extractor     string // perceptual extractor spec, "" for none
	ExtractorName string // what it is

	// Train is the config of the run that trained the predictor, as the
	// trainer saved it (Checkpoint.Train); nil when the checkpoint has
	// none, or one that is not valid JSON (LoadPredictor reads past damage
	// outside the predictor).
	Train json.RawMessage

	Val     float64 // validation loss at this step; NaN when not evaluated
	BestVal float64 // lowest validation loss of the run so far; +Inf before any
}

// LoadPredictor reads only the predictor of a checkpoint, with its config
// and labels; the discriminator and the optimisers' state are not read.
func LoadPredictor(path string) (*model.Predictor, Info, error) {
	fail := func(err error) (*model.Predictor, Info, error) {
		return nil, Info{}, fmt.Errorf("checkpoint: load predictor from %s: %w", path, err)
	}
	hf, err := safetensors.ReadHeader(path)
	if err != nil {
		return fail(err)
	}
	h, err := readHeader(hf)
	if err != nil {
		return fail(err)
	}
	if err := checkSize(hf, prefixG, predictorFloor(h.predictor)); err != nil {
		return fail(err)
	}
	p, err := model.NewPredictor(h.predictor, 0)
	if err != nil {
		return fail(formatError("predictor: %v", err))
	}
	var names []string
	for _, name := range hf.Names() {
		if strings.HasPrefix(name, prefixG) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return fail(formatError("no %q tensors", prefixG))
	}
	f, err := safetensors.ReadFile(path, names...)
	if err != nil {
		return fail(err)
	}
	if err := verify(f, h.meta, prefixG); err != nil {
		return fail(err)
	}
	used := map[string]bool{}
	if err := loadParams(f, prefixG, p.Params(), p.SetParams, used); err != nil {
		return fail(err)
	}
	for _, name := range names {
		if !used[name] {
			return fail(formatError("unexpected tensor %q", name))
		}
	}
	in := Info{
		Path: path, Step: h.step, Config: h.predictor,
		Losses: h.meta[keyLosses], LossLabel: h.meta[keyLossLabel],
		Extractor: h.meta[keyExtractor], ExtractorName: h.meta[keyExtractorName],
		Train: h.train,
	}
	if in.Val, err = parseFloat(h.meta, keyVal); err != nil {
		return fail(err)
	}
	if in.BestVal, err = parseFloat(h.meta, keyBestVal); err != nil {
		return fail(err)
	}
	return p, in, nil
}
