// Package features provides frozen feature extractors for framepred's
// perceptual loss: networks whose feature maps of a prediction and of the
// truth are compared (losses.Perceptual) instead of, or besides, their
// pixels. Their weights are constants; gradients flow through them to the
// prediction only.
//
// Every Extractor builds onto a gorgonia graph from a CNHW batch of frames
// in [0, 1] (gray or RGB), returns one feature map per layer and says in
// Name exactly what it is, so every report of a perceptual loss can name the
// extractor it used.
//
// # Extractors
//
// "edges" (Edges, the default) is built in and needs no file: a fixed bank
// of four oriented 3×3 edge filters (Sobel's kernel at 0°, 90°, 45° and
// 135°, scaled by 1/4) on every channel, at full resolution and after a
// 2×2 average pool. It compares where and how strongly the two frames have
// edges.
//
// "random" (Random) is a seeded two-layer convolutional network with random
// He-scaled weights and ReLUs, the other weight-free extractor the reference
// experiment tried.
//
// "vgg19" and "vgg16" (LoadVGG19, LoadVGG16) are the ImageNet-trained VGG
// stacks of the perceptual-loss literature, default layers relu1_2, relu2_2
// and relu3_4 (relu3_3 for VGG16), with ImageNet input normalisation. Their
// weights come from a file (below); only the convolutions up to the deepest
// chosen layer are read.
//
// # What to expect
//
// In framepred's reference experiment (a square that moves on one of two
// futures), adding either weight-free extractor's perceptual term to MSE at
// weight 1 did NOT stop the predictor from averaging the two futures: the
// averaging index went from 0.985 with MSE alone to 0.959 (edges) and 0.955
// (random), with no sample committed to one future, while the adversarial
// term took it to 0.033 with every sample committed. A perceptual term is a
// regulariser that keeps edges and textures alike; it does not by itself
// make a predictor choose one future. framepred reports that as measured.
//
// # VGG weights
//
// framepred downloads nothing. A VGG19 weights file in the expected form is
// timm's vgg19.tv_in1k model.safetensors, on the Hugging Face hub
// (timm/vgg19.tv_in1k); the same weights can be converted from
// torchvision's vgg19(weights="IMAGENET1K_V1").state_dict() with
// safetensors.torch.save_file. Both use torchvision's names,
// features.{i}.weight (Out×In×3×3) and features.{i}.bias; VGG19's
// convolutions are features.0, 2, 5, 7, 10, 12, 14, 16, 19, ... and the
// default layers need the first eight of them. F32, F16, BF16 and F64 files
// load. A missing tensor, a wrong shape, a tensor of another VGG variant or a
// malformed file is an error that names the file and the tensor.
//
// # Cost
//
// BenchmarkPerceptual times one forward and backward pass of a perceptual
// loss on the demo batch (32 gray 32×32 frames, float32) for each
// extractor; testdata/bench.py times the same in PyTorch. On a shared
// 2-core machine, next to the demo predictor's whole training step (about
// 150 ms), the edge bank added about 1.5 ms (1%), the random stack about
// 19 ms (13%), and VGG19's first three blocks about 1 s, 6–7 times the step
// itself (PyTorch took 1.5, 8 and 780 ms for the three).
package features
