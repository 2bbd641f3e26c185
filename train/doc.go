// Package train trains framepred's predictor, alone on reconstruction
// losses or against a discriminator, in runs a user can leave for hours
// and trust: every step is logged, checkpoints are written atomically, a
// run stopped by Ctrl-C, SIGTERM or a kill resumes exactly where it was,
// and a loss or weight that turns NaN stops the run with the last good
// checkpoint intact.
//
// # A run
//
// [New] starts a run from a [Config] (what is computed; saved in every
// checkpoint) and [Options] (where it writes, how it reports), [Resume]
// continues the run in a folder, and [Trainer.Run] trains to the last
// step. Steps go through up to three phases:
//
//   - recon (Config.ReconWarmup steps): the predictor learns from the
//     reconstruction terms only, every term of Config.Losses but adv, as
//     Mathieu et al. do before the adversarial term starts;
//   - disc (Config.DWarmup steps): the discriminator learns alone, against
//     the predictions of the frozen predictor (with DWarmupTrainsG the
//     predictor keeps learning from the reconstruction terms meanwhile,
//     as the reference recipe does);
//   - joint: each step runs the predictor's whole objective forward and
//     backward (the adversarial term scores the clamped prediction with
//     the discriminator's current weights), then the discriminator's loss
//     on that same prediction, real next frames and mismatched pairs (real
//     next frames shown with another sample's context, rotated by a random
//     offset), and then applies both Adam updates. No extra forward pass.
//
// A run without an adversarial term is all recon. Config.Init starts the
// predictor from another run's checkpoint (its weights only), the usual
// way to add the adversarial term to an MSE-trained predictor.
//
// Each network has its own Adam (learning rate, betas, weight decay) and
// schedule: constant or cosine, with an optional linear warm-up
// ([Optimizer.Rate]). Validation runs every Config.ValEvery steps and at
// the end, on synth's held-out split or on the video clips whose (file,
// first frame) hash falls in Video.ValShare.
//
// # Determinism
//
// Everything random derives from Config.Seed: both networks' initial
// weights, the training samples (synthetic data: a seed-derived offset
// into the generator's training split; video: a per-epoch shuffle seed),
// and the mismatched pairs' offsets, drawn from a PCG generator whose state
// is saved in every checkpoint with the optimisers' moments and the data
// position. The kernels of package ops give the same bits for any number
// of workers, so a resumed run repeats what the uninterrupted run would
// have done, bit for bit, on this machine or another with the same
// instruction set (TestResumeExact interrupts and resumes with different
// worker counts).
//
// # Stopping
//
// When Run's context is cancelled (the CLI cancels it on SIGINT and
// SIGTERM) it finishes the step under way, writes a checkpoint and returns
// an error wrapping context.Canceled. After each step the losses are
// checked before any update and the weights after it; a NaN or infinite
// value returns a [*NonFiniteError] ("train: step 412: term adv is NaN;
// stopped, last good checkpoint ckpt/step-000400.safetensors") and nothing
// of the bad step is saved. Checkpoints (package checkpoint) are kept as
// the newest Config.Keep step files plus best.safetensors, the lowest
// validation loss so far. Note that for an adversarial run the lowest
// reconstruction loss usually belongs to a blurrier predictor: the best
// checkpoint is best by that measure, not the sharpest.
//
// # Execution
//
// The passes of a step (predictor objective, predictor forward only,
// discriminator loss, the Adam updates, evaluation) sit behind a small
// internal interface; the CPU implementation compiles one gorgonia graph
// per pass over the networks' live weights (ops.Needed, vm.Reset before
// each run). With Options.Device a CUDA device, framepred/gpu runs the
// same graphs there, weights, gradients and Adam's moments staying in
// device memory; before a checkpoint or a validation (which runs on the
// CPU) they are copied back. A GPU run follows the CPU run to float32
// rounding, not bit for bit, and resumes exactly on the GPU.
//
// # Log
//
// Options.LogPath (by default train.jsonl in the checkpoint folder) gets
// one JSON object per line, appended across resumes. Every record has
// "type", "step" (steps done) and "wall" (training seconds so far, across
// resumes). By type:
//
//	start       a run (re)starts at step: "resumed" (the checkpoint path, or
//	            absent for a fresh run), "config" (the Config)
//	step        one step: "phase" (recon, disc, joint), "terms" (each
//	            generator term by name, unweighted, e.g. {"mse":0.0123,
//	            "adv":0.41}; absent when the predictor was frozen), "total"
//	            (their weighted sum), "d_loss" (the discriminator's loss,
//	            when it trained), "lr_g", "lr_d" (rates of the updates
//	            made), "images_per_s"
//	val         a validation: "val" {"loss", each reconstruction term,
//	            "psnr" (mean of per-clip PSNR), "psnr_of_mean_mse", "ssim",
//	            "peak", "sharpness", and on synthetic data
//	            "averaging_index" and "committed"}, "best" (true when it
//	            set a new best checkpoint)
//	checkpoint  a step checkpoint was written: "path"
//	stop        the run stopped early: "error"
//
// Numbers that could not be measured (NaN) are left out, as are zero
// fields. [ReadLog] reads a log back as the run's history: after a resume,
// the records of steps the killed process had done past its checkpoint,
// which the resumed run repeats, are dropped.
package train
