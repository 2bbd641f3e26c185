package checkpoint

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"framepred/model"
	"framepred/optim"
	"framepred/safetensors"
)

// FormatVersion is the checkpoint layout this package writes. Load reads
// this version and refuses newer ones.
const FormatVersion = 1

// formatName marks a safetensors file as a framepred checkpoint.
const formatName = "framepred checkpoint"

// ErrFormat is wrapped by every error about a checkpoint's content: a file
// that is not a checkpoint, is damaged, or does not fit together.
var ErrFormat = errors.New("not a valid framepred checkpoint")

// Metadata keys.
const (
	keyFormat        = "format"
	keyVersion       = "format_version"
	keyStep          = "step"
	keyPredictor     = "predictor_config"
	keyDiscriminator = "discriminator_config"
	keyLosses        = "losses"
	keyLossLabel     = "loss_label"
	keyExtractor     = "extractor"
	keyExtractorName = "extractor_name"
	keyTrain         = "train_config"
	keyOptimG        = "optim/predictor"
	keyOptimD        = "optim/discriminator"
	keyRNG           = "rng"
	keyData          = "data_position"
	keyBestVal       = "best_val_loss"
	keyVal           = "val_loss"
	keyElapsed       = "elapsed_s"
	keyChecksum      = "crc32c/" // + a tensor prefix without its slash
)

// Tensor name prefixes.
const (
	prefixG     = "predictor/"
	prefixD     = "discriminator/"
	prefixAdamG = "adam/predictor/"
	prefixAdamD = "adam/discriminator/"
)

// Checkpoint is the whole state of a training run at one step.
type Checkpoint struct {
	Step int64 // optimisation steps done

	Predictor     *model.Predictor
	Discriminator *model.Discriminator // nil when the run has none
	// AdamG and AdamD are the optimisers of the predictor and the
	// discriminator, nil when not saved. Their parameters are the
	// networks' Params, in that order.
	AdamG, AdamD *optim.Adam

	Losses        string // generator loss weights (losses.Weights.String)
	LossLabel     string // their label (losses.Weights.Label)
	Extractor     string // perceptual extractor spec ("edges"), "" for none
	ExtractorName string // what it is (features.Extractor.Name)

	Train json.RawMessage // the trainer's config; stored as given
	RNG   []byte          // the trainer's random state
	Data  json.RawMessage // the data stream's position; stored as given

	BestVal float64       // lowest validation loss so far; +Inf before any
	Val     float64       // validation loss at this step; NaN when not evaluated
	Elapsed time.Duration // training time so far
}

// adamJSON is the metadata form of Adam's scalars.
type adamJSON struct {
	Step        int     `json:"step"`
	LR          float64 `json:"lr"`
	Beta1       float64 `json:"beta1"`
	Beta2       float64 `json:"beta2"`
	Eps         float64 `json:"eps"`
	WeightDecay float64 `json:"weight_decay"`
}

// Save writes c to path atomically: a reader of path sees the old file or
// the whole new one, never part of it.
func Save(path string, c *Checkpoint) error {
	tensors, meta, err := c.encode()
	if err != nil {
		return fmt.Errorf("checkpoint: save %s: %w", path, err)
	}
	if err := safetensors.WriteFile(path, tensors, meta); err != nil {
		return fmt.Errorf("checkpoint: save %s: %w", path, err)
	}
	return nil
}

// encode turns c into tensors and metadata.
func (c *Checkpoint) encode() (map[string]safetensors.Tensor, map[string]string, error) {
	if c.Predictor == nil {
		return nil, nil, errors.New("no predictor")
	}
	if c.Step < 0 {
		return nil, nil, fmt.Errorf("negative step %d", c.Step)
	}
	tensors := map[string]safetensors.Tensor{}
	meta := map[string]string{
		keyFormat:        formatName,
		keyVersion:       strconv.Itoa(FormatVersion),
		keyStep:          strconv.FormatInt(c.Step, 10),
		keyLosses:        c.Losses,
		keyLossLabel:     c.LossLabel,
		keyExtractor:     c.Extractor,
		keyExtractorName: c.ExtractorName,
		keyRNG:           base64.StdEncoding.EncodeToString(c.RNG),
		keyBestVal:       formatFloat(c.BestVal),
		keyVal:           formatFloat(c.Val),
		keyElapsed:       formatFloat(c.Elapsed.Seconds()),
	}
	if len(c.Train) > 0 {
		meta[keyTrain] = string(c.Train)
	}
	if len(c.Data) > 0 {
		meta[keyData] = string(c.Data)
	}
	if err := putNetwork(tensors, meta, predictorKeys, c.Predictor.Config(), c.Predictor.Params(), c.AdamG); err != nil {
		return nil, nil, err
	}
	if c.Discriminator != nil {
		if err := putNetwork(tensors, meta, discriminatorKeys, c.Discriminator.Config(), c.Discriminator.Params(), c.AdamD); err != nil {
			return nil, nil, err
		}
	} else if c.AdamD != nil {
		return nil, nil, errors.New("a discriminator optimiser without a discriminator")
	}
	for _, prefix := range sections {
		if sum, ok := checksum(tensors, prefix); ok {
			meta[checksumKey(prefix)] = sum
		}
	}
	return tensors, meta, nil
}

// sections are the tensor groups that each carry a checksum, so a reader
// of one group (LoadPredictor) can check it alone.
var sections = []string{prefixG, prefixD, prefixAdamG, prefixAdamD}

func checksumKey(prefix string) string { return keyChecksum + strings.TrimSuffix(prefix, "/") }

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum returns the CRC-32C, in hex, of the names, types, shapes and
// bytes of the tensors whose names start with prefix, in name order; false
// when there are none.
func checksum(tensors map[string]safetensors.Tensor, prefix string) (string, bool) {
	var names []string
	for name := range tensors {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return "", false
	}
	sort.Strings(names)
	h := crc32.New(castagnoli)
	for _, name := range names {
		t := tensors[name]
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write([]byte(t.DType))
		for _, d := range t.Shape {
			h.Write(binary.LittleEndian.AppendUint64(nil, uint64(d)))
		}
		h.Write(t.Data)
	}
	return fmt.Sprintf("%08x", h.Sum32()), true
}

// verify checks the checksum of the loaded tensors under prefix.
func verify(f *safetensors.File, meta map[string]string, prefix string) error {
	tensors := map[string]safetensors.Tensor{}
	for _, name := range f.Names() {
		if strings.HasPrefix(name, prefix) {
			t, err := f.Tensor(name)
			if err != nil {
				return err
			}
			tensors[name] = t
		}
	}
	got, ok := checksum(tensors, prefix)
	want, hasSum := meta[checksumKey(prefix)]
	switch {
	case !ok && !hasSum:
		return nil
	case !hasSum:
		return formatError("no checksum of the %q tensors", prefix)
	case got != want:
		return formatError("checksum mismatch in the %q tensors (CRC-32C %s, the header says %s): the file is damaged", prefix, got, want)
	}
	return nil
}

// networkKeys are where one network's parts go in a checkpoint.
type networkKeys struct {
	name           string // "predictor", for messages
	config, optim  string // metadata keys
	params, moment string // tensor name prefixes
}

var (
	predictorKeys     = networkKeys{"predictor", keyPredictor, keyOptimG, prefixG, prefixAdamG}
	discriminatorKeys = networkKeys{"discriminator", keyDiscriminator, keyOptimD, prefixD, prefixAdamD}
)

// putNetwork stores one network: its config, its parameters and, when a
// is not nil, its optimiser.
func putNetwork(tensors map[string]safetensors.Tensor, meta map[string]string, k networkKeys, cfg any, ps []model.Param, a *optim.Adam) error {
	j, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	meta[k.config] = string(j)
	putParams(tensors, k.params, ps)
	if a != nil {
		if err := putAdam(tensors, meta, k.optim, k.moment, a, ps); err != nil {
			return fmt.Errorf("%s optimiser: %w", k.name, err)
		}
	}
	return nil
}

func putParams(tensors map[string]safetensors.Tensor, prefix string, ps []model.Param) {
	for _, p := range ps {
		tensors[prefix+p.Name] = safetensors.FromFloat32(p.Value.Shape(), p.Value.Float32s())
	}
}

func putAdam(tensors map[string]safetensors.Tensor, meta map[string]string, key, prefix string, a *optim.Adam, ps []model.Param) error {
	st := a.State()
	j, err := json.Marshal(adamJSON{Step: st.Step, LR: a.LR, Beta1: a.Beta1, Beta2: a.Beta2, Eps: a.Eps, WeightDecay: a.WeightDecay})
	if err != nil {
		return err
	}
	meta[key] = string(j)
	if len(st.M) == 0 {
		return nil // no step taken yet: no moments
	}
	if len(st.M) != len(ps) {
		return fmt.Errorf("the optimiser holds moments of %d parameters, the network has %d", len(st.M), len(ps))
	}
	for i, p := range ps {
		if len(st.M[i]) != p.Value.DataSize() {
			return fmt.Errorf("the optimiser's moments of %s have %d values, the parameter %d", p.Name, len(st.M[i]), p.Value.DataSize())
		}
		tensors[prefix+"m/"+p.Name] = safetensors.FromFloat32(p.Value.Shape(), st.M[i])
		tensors[prefix+"v/"+p.Name] = safetensors.FromFloat32(p.Value.Shape(), st.V[i])
	}
	return nil
}

// formatFloat writes x in its shortest exact form; ±Inf and NaN as
// strconv.ParseFloat reads them.
func formatFloat(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// Load reads a whole checkpoint. Every problem with the file is an error
// that names it and, for content problems, wraps ErrFormat.
func Load(path string) (*Checkpoint, error) {
	f, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load %s: %w", path, err)
	}
	c, err := decode(f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: load %s: %w", path, err)
	}
	return c, nil
}

// formatError wraps ErrFormat with a description.
func formatError(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, a...))
}

// header is the metadata every reader needs.
type header struct {
	step      int64
	predictor model.Config
	train     json.RawMessage // nil when there is none or it is not JSON
	meta      map[string]string
}

func readHeader(f *safetensors.File) (header, error) {
	m := f.Metadata
	if m == nil || m[keyFormat] != formatName {
		return header{}, formatError("no %q marker in the metadata: a safetensors file, but not a framepred checkpoint", formatName)
	}
	v, err := strconv.Atoi(m[keyVersion])
	if err != nil || v < 1 {
		return header{}, formatError("format version %q is not a positive number", m[keyVersion])
	}
	if v > FormatVersion {
		return header{}, formatError("format version %d is newer than this build reads (%d); update framepred", v, FormatVersion)
	}
	step, err := strconv.ParseInt(m[keyStep], 10, 64)
	if err != nil || step < 0 {
		return header{}, formatError("step %q is not a number ≥ 0", m[keyStep])
	}
	cfg, err := model.ParseConfig([]byte(m[keyPredictor]))
	if err != nil {
		return header{}, formatError("predictor config: %v", err)
	}
	h := header{step: step, predictor: cfg, meta: m}
	if s := m[keyTrain]; json.Valid([]byte(s)) {
		h.train = json.RawMessage(s)
	}
	return h, nil
}

func decode(f *safetensors.File) (*Checkpoint, error) {
	h, err := readHeader(f)
	if err != nil {
		return nil, err
	}
	m := h.meta
	c := &Checkpoint{
		Step:          h.step,
		Losses:        m[keyLosses],
		LossLabel:     m[keyLossLabel],
		Extractor:     m[keyExtractor],
		ExtractorName: m[keyExtractorName],
		Train:         h.train,
	}
	if m[keyTrain] != "" && h.train == nil {
		return nil, formatError("train config is not valid JSON")
	}
	if s := m[keyData]; s != "" {
		if !json.Valid([]byte(s)) {
			return nil, formatError("data position is not valid JSON")
		}
		c.Data = json.RawMessage(s)
	}
	if c.RNG, err = base64.StdEncoding.DecodeString(m[keyRNG]); err != nil {
		return nil, formatError("random state: %v", err)
	}
	if c.BestVal, err = parseFloat(m, keyBestVal); err != nil {
		return nil, err
	}
	if c.Val, err = parseFloat(m, keyVal); err != nil {
		return nil, err
	}
	secs, err := parseFloat(m, keyElapsed)
	if err != nil {
		return nil, err
	}
	if !(secs >= 0 && secs < 1e12) {
		return nil, formatError("elapsed time %v s is out of range", secs)
	}
	c.Elapsed = time.Duration(secs * float64(time.Second))

	for _, prefix := range sections {
		if err := verify(f, m, prefix); err != nil {
			return nil, err
		}
	}
	used := map[string]bool{}
	if err := checkSize(f, prefixG, predictorFloor(h.predictor)); err != nil {
		return nil, err
	}
	if c.Predictor, err = model.NewPredictor(h.predictor, 0); err != nil {
		return nil, formatError("predictor: %v", err)
	}
	if c.AdamG, err = loadNetwork(f, m, predictorKeys, c.Predictor.Params(), c.Predictor.SetParams, used); err != nil {
		return nil, err
	}
	if s, ok := m[keyDiscriminator]; ok {
		dc, err := model.ParseDiscriminatorConfig([]byte(s))
		if err != nil {
			return nil, formatError("discriminator config: %v", err)
		}
		if err := checkSize(f, prefixD, discriminatorFloor(dc)); err != nil {
			return nil, err
		}
		if c.Discriminator, err = model.NewDiscriminator(dc, 0); err != nil {
			return nil, formatError("discriminator: %v", err)
		}
		if c.AdamD, err = loadNetwork(f, m, discriminatorKeys, c.Discriminator.Params(), c.Discriminator.SetParams, used); err != nil {
			return nil, err
		}
	} else if _, ok := m[keyOptimD]; ok {
		return nil, formatError("a discriminator optimiser but no discriminator config")
	}
	for _, name := range f.Names() {
		if !used[name] {
			return nil, formatError("unexpected tensor %q", name)
		}
	}
	return c, nil
}

// A damaged or hostile header could ask for a network of billions of
// parameters; the networks are only made once the file is known to hold at
// least the values of their largest layer. The floors follow the
// architectures package model documents.

// predictorFloor is the size of the U-Net's deepest second convolution,
// (W·2^D)²·3·3, a lower bound on its parameter count.
func predictorFloor(c model.Config) int64 {
	w := int64(c.Width) << c.Depth
	return w * w * 9
}

// discriminatorFloor is the size of the patch discriminator's first
// convolution, (K+1)·C·Width·4·4, a lower bound on its parameter count.
func discriminatorFloor(c model.DiscriminatorConfig) int64 {
	return int64(c.Context+1) * int64(c.Channels) * int64(c.Width) * 16
}

// checkSize checks that the file's tensors under prefix hold at least floor
// values.
func checkSize(f *safetensors.File, prefix string, floor int64) error {
	var n int64
	for _, name := range f.Names() {
		if in, ok := f.Info(name); ok && strings.HasPrefix(name, prefix) {
			n += (in.End - in.Begin) / 4
		}
	}
	if n < floor {
		return formatError("its %s config needs at least %d parameters, the file holds %d values under %q", strings.TrimSuffix(prefix, "/"), floor, n, prefix)
	}
	return nil
}

func parseFloat(m map[string]string, key string) (float64, error) {
	x, err := strconv.ParseFloat(m[key], 64)
	if err != nil {
		return 0, formatError("%s %q is not a number", key, m[key])
	}
	return x, nil
}

// float32Tensor returns the named F32 tensor's values, checking its shape.
func float32Tensor(f *safetensors.File, name string, shape []int) ([]float32, error) {
	t, err := f.Tensor(name)
	if err != nil {
		if errors.Is(err, safetensors.ErrNotFound) {
			return nil, formatError("missing tensor %q", name)
		}
		return nil, err
	}
	if t.DType != safetensors.F32 {
		return nil, formatError("tensor %q is %s, want F32", name, t.DType)
	}
	if !slices.Equal(t.Shape, shape) {
		return nil, formatError("tensor %q has shape %v, want %v", name, t.Shape, shape)
	}
	return t.Float32s()
}

// loadNetwork reads one network's parameters (through set) and its
// optimiser, nil when the checkpoint has none.
func loadNetwork(f *safetensors.File, m map[string]string, k networkKeys, ps []model.Param, set func(map[string][]float32) error, used map[string]bool) (*optim.Adam, error) {
	if err := loadParams(f, k.params, ps, set, used); err != nil {
		return nil, err
	}
	a, err := loadAdam(f, m, k.optim, k.moment, ps, used)
	if err != nil {
		return nil, fmt.Errorf("%s optimiser: %w", k.name, err)
	}
	return a, nil
}

func loadParams(f *safetensors.File, prefix string, ps []model.Param, set func(map[string][]float32) error, used map[string]bool) error {
	vals := make(map[string][]float32, len(ps))
	for _, p := range ps {
		v, err := float32Tensor(f, prefix+p.Name, p.Value.Shape())
		if err != nil {
			return err
		}
		vals[p.Name] = v
		used[prefix+p.Name] = true
	}
	if err := set(vals); err != nil {
		return formatError("%v", err)
	}
	return nil
}

func loadAdam(f *safetensors.File, m map[string]string, key, prefix string, ps []model.Param, used map[string]bool) (*optim.Adam, error) {
	s, ok := m[key]
	if !ok {
		return nil, nil
	}
	var j adamJSON
	if err := decodeAdamJSON([]byte(s), &j); err != nil {
		return nil, formatError("Adam settings %q: %v", s, err)
	}
	for _, x := range []float64{j.LR, j.Beta1, j.Beta2, j.Eps, j.WeightDecay} {
		if !(x >= 0) || math.IsInf(x, 0) {
			return nil, formatError("Adam settings %q: every value must be a finite number ≥ 0", s)
		}
	}
	if j.Beta1 >= 1 || j.Beta2 >= 1 || j.Step < 0 {
		return nil, formatError("Adam settings %q: betas must be below 1 and the step ≥ 0", s)
	}
	a := &optim.Adam{LR: j.LR, Beta1: j.Beta1, Beta2: j.Beta2, Eps: j.Eps, WeightDecay: j.WeightDecay}
	_, hasMoments := f.Info(prefix + "m/" + ps[0].Name)
	if j.Step == 0 && !hasMoments {
		return a, nil
	}
	st := optim.AdamState{Step: j.Step, M: make([][]float32, len(ps)), V: make([][]float32, len(ps))}
	for i, p := range ps {
		var err error
		for _, mv := range []struct {
			kind string
			dst  *[]float32
		}{{"m/", &st.M[i]}, {"v/", &st.V[i]}} {
			name := prefix + mv.kind + p.Name
			if *mv.dst, err = float32Tensor(f, name, p.Value.Shape()); err != nil {
				return nil, err
			}
			used[name] = true
			for k, x := range *mv.dst {
				if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) || (mv.kind == "v/" && x < 0) {
					return nil, formatError("tensor %q[%d] is %v", name, k, x)
				}
			}
		}
	}
	if err := a.SetState(st); err != nil {
		return nil, formatError("%v", err)
	}
	return a, nil
}

// decodeAdamJSON reads Adam's scalars, every field required, no other.
func decodeAdamJSON(data []byte, v *adamJSON) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	for _, k := range []string{"step", "lr", "beta1", "beta2", "eps", "weight_decay"} {
		if _, ok := raw[k]; !ok {
			return fmt.Errorf("no %q", k)
		}
	}
	if len(raw) != 6 {
		return errors.New("unknown fields")
	}
	return json.Unmarshal(data, v)
}
