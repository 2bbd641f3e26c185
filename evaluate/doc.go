// Package evaluate measures trained predictors side by side: every model
// forecasts the same clips over the same horizon, and the report gives each
// model's metrics at every horizon step, as text for the terminal, JSON and
// CSV for machines, and PNG charts.
//
// # What is measured
//
// [Run] reads Options.Samples clips from a [Data] (the held-out split of the
// built-in generator, [Synth], or clips of video files, [Video]) in batches of
// Options.Batch, and asks every [Model] for Options.Horizon frames from each
// clip's context: one RolloutBatch call per model and batch, so a horizon
// above 1 is an autoregressive rollout (each prediction becomes the newest
// context frame). Every prediction is scored against the clip's future frame
// of the same step with framepred/metrics:
//
//   - MSE and MAE, means over the samples;
//   - PSNR two ways: the mean of per-sample PSNR, and the PSNR of the mean
//     MSE (see metrics.MeanPSNR and metrics.PSNROfMeanMSE);
//   - SSIM (Gaussian window, on luma), mean over the samples, for frames of
//     at least 11×11 pixels;
//   - the sharpness ratio (mean gradient of the predictions over that of the
//     truths) and the mean sharpness difference of Mathieu et al. in dB;
//   - the mean peak intensity of the predictions;
//   - where the clip knows all its possible futures (synthetic clips,
//     frame.Clip.Branches): the mean averaging index and the committed share.
//
// Step 1 is the branch point of the built-in data: there the averaging index,
// the committed share and the peak intensity say which model averages the
// possible futures and which commits to one. The same figures are given for
// later steps too, where each branch simply keeps moving.
//
// PSNR and the sharpness difference are capped at Options.PSNRCap (100 dB
// unless set): a prediction that equals its truth has an infinite PSNR, and
// one such sample would make a mean of per-sample PSNR infinite. The cap is
// recorded in the report.
//
// # Notes
//
// The report carries plain-language notes on step 1 that compare every
// model with the baseline, the model trained with MSE alone (see
// Options.Baseline): when the two PSNR averages rank a model and the
// baseline differently, the one-line reason (metrics.Summary.ExplainPSNR);
// and whether the model beats the baseline on sharpness, saying so plainly
// when it does not. On the built-in data the gradient-based measures do not separate
// averaging from committing (two half-bright copies of a square have as much
// gradient as one); the averaging index and the peak intensity do.
//
// # Reproducing a table
//
// The report names everything a table depends on: for each model its config,
// checkpoint and training step, loss, feature extractor and seed
// ([ModelInfo]); the data (the generator's whole config with its seed and
// split, or the files with the decoding and clip options, [DataInfo]); and
// the horizon, sample count, batch size, seed and PSNR cap. They appear in
// the JSON and at the top of the text.
//
// # JSON
//
// [Report.WriteJSON] writes one object; [ReadJSON] reads it back. Field
// names are stable within a schema version ("version", now 1). A metric
// that could not be measured (no branches, frames too small for SSIM) is
// null; an infinite one is the string "+Inf" or "-Inf".
//
//	{
//	  "version": 1,
//	  "horizon": 3, "samples": 512, "batch": 32, "seed": 0, "psnr_cap_db": 100,
//	  "baseline": "mse",
//	  "data": {"kind": "synth", "description": "...",
//	           "synth": {"seed": 7, "split": "heldout", "height": 32, ...},
//	           "video": null},
//	  "models": [
//	    {"name": "mse",
//	     "info": {"config": {...model.Config...}, "checkpoint": "runs/mse.ckpt",
//	              "step": 1000, "loss": "mse=1", "extractor": "", "seed": 1},
//	     "steps": [
//	       {"step": 1, "n": 512, "mse": 0.0125, "mae": 0.0251,
//	        "psnr_mean_db": 19.3, "psnr_of_mean_mse_db": 19.0, "ssim": 0.71,
//	        "sharpness_ratio": 1.2, "sharpness_diff_db": 17.5, "peak": 0.54,
//	        "branched": 512, "averaging_index": 0.985, "committed_share": 0},
//	       ...]}],
//	  "notes": ["...", "..."]
//	}
//
// # CSV
//
// [Report.WriteCSV] writes one header row and then one row per model and
// horizon step, models in report order and steps ascending:
//
//	model,step,n,mse,mae,psnr_mean_db,psnr_of_mean_mse_db,ssim,sharpness_ratio,sharpness_diff_db,peak,branched,averaging_index,committed_share
//
// Numbers are written in full precision; a metric that could not be measured
// is an empty field, an infinite one +Inf or -Inf. Provenance is in the JSON
// only.
//
// # Charts
//
// [Report.WritePlot] draws one small chart per metric, the metric against the
// horizon step with one line per model, in a grid on one PNG.
// [WriteLossPlot] draws training loss curves ([LossCurve]): one chart per
// loss term, the term against the training step with one line per model.
//
// # Files
//
// [Report.Save] and [SaveLossPlot] write their files atomically: each goes
// to a temporary file in the same folder, is synced and closed, and then
// takes its final name, so a killed run never leaves half a file under it.
// Existing files are replaced only when asked to, not even one that
// appears while the file is being written.
package evaluate
