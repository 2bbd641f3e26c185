// Package safetensors reads and writes the safetensors tensor file format,
// used for framepred's checkpoints and for pretrained weights such as VGG19's.
//
// # Format
//
// A file is an 8-byte little-endian unsigned header length N, then N bytes
// of UTF-8 JSON, then a byte buffer. The JSON is an object that maps each
// tensor name to {"dtype": "F32", "shape": [..], "data_offsets": [begin,
// end]} and may hold a "__metadata__" object of string values. Offsets are
// relative to the start of the buffer; a tensor's bytes are its elements
// packed row-major ('C' order), little-endian.
//
// # Validation
//
// Reading follows the format's rules and checks every number before using
// it, so a corrupt or hostile file gives an error, never a panic or an
// allocation larger than the file:
//   - the header is at most [MaxHeaderSize] bytes and fits in the file;
//   - it is valid UTF-8, starts with '{', may be padded with trailing
//     whitespace, and has no duplicate keys;
//   - every dtype is known, and shape × element size equals end − begin;
//   - sorted by offset, the tensors cover the buffer exactly: no gap, no
//     overlap, nothing after the last one.
//
// Errors about the file's content wrap [ErrFormat]; a requested tensor the
// file lacks wraps [ErrNotFound].
//
// # Writing
//
// [Write] and [WriteFile] order tensors as the reference implementation
// does (larger elements first, then by name), pad the header with spaces to
// a multiple of 8 bytes so every tensor is aligned, and write the same
// bytes for the same tensors. WriteFile writes a temporary file in the
// target folder, syncs it and renames it into place.
package safetensors
