// Package torchref holds what framepred's tests share to compare their
// results with reference values computed by PyTorch.
//
// # Inputs
//
// The reference scripts (<pkg>/testdata/torchref.py) make every input from a
// formula the Go tests repeat exactly: [Hseq], an integer hash, for the
// features and losses tests, and [Seq], a sine, for the ops and model
// tests. [VGG] gives the tiny VGG weights those scripts build from Hseq.
//
// # Comparing
//
// The generated files <pkg>/torchref_data_test.go hold the values as a map
// from case name to float64s; [Relative] and [Absolute] check a result
// against one entry and fail the test on the first value out of tolerance.
//
// # Running PyTorch
//
// [Run] runs a Python script with Debian's /usr/bin/python3 from a test, for
// checks that need PyTorch at test time (loading a checkpoint, exchanging
// safetensors files). Machines without Python or torch skip those tests.
//
// Only tests import this package.
package torchref
