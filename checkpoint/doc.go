// Package checkpoint saves and restores framepred training runs: the
// predictor, the discriminator, both optimisers and everything else a run
// needs to continue exactly where it stopped, in one safetensors file.
//
// # File layout
//
// A checkpoint is a safetensors file (package safetensors) of float32
// tensors, readable by any safetensors reader, PyTorch's included:
//
//	predictor/<param>               the predictor's weights ("predictor/enc1.conv1.weight")
//	discriminator/<param>           the discriminator's, when the run has one
//	adam/predictor/m/<param>        Adam's first moment of each predictor parameter
//	adam/predictor/v/<param>        and its second moment
//	adam/discriminator/m/<param>    the same for the discriminator
//	adam/discriminator/v/<param>
//
// Parameter names are PyTorch's state_dict names for the same network (see
// package model), so stripping the "predictor/" prefix gives a state_dict
// that loads into the PyTorch network of the same architecture. The Adam
// moments are absent before an optimiser's first step.
//
// The header's __metadata__ holds strings:
//
//	format                  "framepred checkpoint"
//	format_version          "1" (FormatVersion)
//	step                    optimisation steps done, decimal
//	predictor_config        model.Config as JSON
//	discriminator_config    model.DiscriminatorConfig as JSON, when there is a discriminator
//	losses                  the generator's loss weights, losses.ParseWeights syntax
//	loss_label              their label for reels ("MSE + adversarial")
//	extractor               the perceptual extractor's spec ("edges"), "" for none
//	extractor_name          what that extractor is, its Name()
//	train_config            the trainer's configuration as JSON (opaque here)
//	optim/predictor         Adam's scalars as JSON: {"step","lr","beta1","beta2","eps","weight_decay"}
//	optim/discriminator     the same for the discriminator's Adam
//	rng                     the trainer's random generator state, base64
//	data_position           where the data stream stands, JSON (opaque here)
//	best_val_loss           lowest validation loss so far ("+Inf" before any)
//	val_loss                this step's validation loss ("NaN" when not evaluated)
//	elapsed_s               training seconds so far
//
// Floats are written in their shortest exact form, so a loaded checkpoint
// holds bit for bit what was saved.
//
// # Safety
//
// Files are written atomically (safetensors.WriteFile: a temporary file in
// the same folder, synced, then renamed), so a killed run leaves either the
// old checkpoint or the whole new one. Loading checks everything: the
// format, every config, every tensor's name, type and shape, and that every
// weight is finite. A damaged file is an error that names it, never a
// panic.
//
// # A run's folder
//
// [Dir] keeps a run's checkpoints in one folder: step-000400.safetensors
// and so on, the newest Keep of them, plus best.safetensors, the one with
// the lowest validation loss. [Latest] finds where to resume. Other commands
// load only the predictor with [LoadPredictor].
package checkpoint
