package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxHeaderSize is the largest JSON header accepted, in bytes; the
// reference implementation uses the same limit.
const MaxHeaderSize = 100_000_000

const metadataKey = "__metadata__"

var (
	// ErrFormat is wrapped by every error about a file's content.
	ErrFormat = errors.New("invalid safetensors file")
	// ErrNotFound is wrapped when a requested tensor is not in the file.
	ErrNotFound = errors.New("no such tensor")
)

// Info describes one tensor of a file's header.
type Info struct {
	DType      DType
	Shape      []int
	Begin, End int64 // byte range in the buffer after the header
}

// File is a read safetensors file: its header and the tensors loaded.
type File struct {
	Metadata map[string]string // the header's __metadata__; nil when absent

	name    string // for error messages
	infos   map[string]Info
	tensors map[string]Tensor
}

// Names returns every tensor name in the header, sorted, whether loaded or
// not.
func (f *File) Names() []string {
	names := make([]string, 0, len(f.infos))
	for n := range f.infos {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Info returns the header entry of a tensor.
func (f *File) Info(name string) (Info, bool) {
	in, ok := f.infos[name]
	in.Shape = slices.Clone(in.Shape)
	return in, ok
}

// Tensor returns a loaded tensor. It is an error if the file has no such
// tensor or it was not among the names given to ReadFile.
func (f *File) Tensor(name string) (Tensor, error) {
	if t, ok := f.tensors[name]; ok {
		return t, nil
	}
	if _, ok := f.infos[name]; ok {
		return Tensor{}, fmt.Errorf("safetensors: %s: tensor %q was not loaded (not among the names read)", f.name, name)
	}
	return Tensor{}, fmt.Errorf("safetensors: %s: %w %q (the file has %d tensors)", f.name, ErrNotFound, name, len(f.infos))
}

// ReadFile reads a safetensors file. With names, it reads only those
// tensors' bytes, seeking past the rest; it is an error if one is missing.
// Without names it reads every tensor.
func ReadFile(path string, names ...string) (*File, error) {
	if len(names) == 0 {
		return readFile(path, nil, true)
	}
	return readFile(path, names, false)
}

// ReadHeader reads and checks a safetensors file's header and loads no
// tensor: File.Names, File.Info and File.Metadata work, File.Tensor does not.
func ReadHeader(path string) (*File, error) {
	return readFile(path, nil, false)
}

func readFile(path string, names []string, all bool) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("safetensors: %s: not a regular file", path)
	}
	return read(path, fh, st.Size(), names, all)
}

// Read reads a safetensors file of size bytes from r, like ReadFile.
func Read(r io.ReaderAt, size int64, names ...string) (*File, error) {
	return read("input", r, size, names, len(names) == 0)
}

func read(name string, r io.ReaderAt, size int64, names []string, all bool) (*File, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("safetensors: %s: %w: %s", name, ErrFormat, fmt.Sprintf(format, a...))
	}
	var lenBuf [8]byte
	if size < 8 {
		return nil, bad("truncated: %d bytes, shorter than the 8-byte header length", size)
	}
	if err := readAt(r, lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("safetensors: %s: read header length: %w", name, err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderSize {
		return nil, bad("header length %d is over the %d-byte limit", n, MaxHeaderSize)
	}
	if n > uint64(size-8) {
		return nil, bad("header length %d runs past the end of the %d-byte file (truncated?)", n, size)
	}
	hdr := make([]byte, n)
	if err := readAt(r, hdr, 8); err != nil {
		return nil, fmt.Errorf("safetensors: %s: read header: %w", name, err)
	}
	bufLen := uint64(size-8) - n
	f, err := parseHeader(hdr, bufLen)
	if err != nil {
		return nil, bad("%v", err)
	}
	f.name = name

	if all {
		names = f.Names()
	}
	var missing []string
	for _, tn := range names {
		if _, ok := f.infos[tn]; !ok {
			missing = append(missing, fmt.Sprintf("%q", tn))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("safetensors: %s: %w %s (the file has %d tensors)",
			name, ErrNotFound, strings.Join(missing, ", "), len(f.infos))
	}
	f.tensors = make(map[string]Tensor, len(names))
	for _, tn := range names {
		if _, done := f.tensors[tn]; done {
			continue
		}
		in := f.infos[tn]
		// parseHeader checked End ≤ bufLen, so the allocation is bounded by
		// the file size.
		data := make([]byte, in.End-in.Begin)
		if err := readAt(r, data, 8+int64(n)+in.Begin); err != nil {
			return nil, fmt.Errorf("safetensors: %s: read tensor %q: %w", name, tn, err)
		}
		f.tensors[tn] = Tensor{DType: in.DType, Shape: slices.Clone(in.Shape), Data: data}
	}
	return f, nil
}

// readAt fills p from offset off. A ReaderAt may report io.EOF with a full
// read at the end of its data; that is success. A short read is
// io.ErrUnexpectedEOF: the file shrank after its size was taken.
func readAt(r io.ReaderAt, p []byte, off int64) error {
	if len(p) == 0 {
		return nil
	}
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// parseHeader parses and checks the JSON header of a file whose byte
// buffer has bufLen bytes.
func parseHeader(hdr []byte, bufLen uint64) (*File, error) {
	if !utf8.Valid(hdr) {
		return nil, errors.New("header is not valid UTF-8")
	}
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, errors.New("header does not start with '{'")
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	if _, err := dec.Token(); err != nil { // the '{' checked above
		return nil, fmt.Errorf("header JSON: %w", err)
	}
	f := &File{infos: map[string]Info{}}
	seenMeta := false
	type span struct {
		name       string
		begin, end uint64
		size       uint64
	}
	var spans []span
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonErr(err)
		}
		key := tok.(string) // object keys are always strings
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonErr(err)
		}
		if key == metadataKey {
			if seenMeta {
				return nil, errors.New("duplicate key \"__metadata__\"")
			}
			seenMeta = true
			if err := json.Unmarshal(raw, &f.Metadata); err != nil {
				return nil, fmt.Errorf("__metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		if _, dup := f.infos[key]; dup {
			return nil, fmt.Errorf("duplicate tensor %q", key)
		}
		in, begin, end, err := parseInfo(raw)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", key, err)
		}
		shape := make([]uint64, len(in.Shape))
		for i, d := range in.Shape {
			shape[i] = uint64(d)
		}
		size, err := byteSize(in.DType, shape)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", key, err)
		}
		f.infos[key] = in
		spans = append(spans, span{key, begin, end, size})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, jsonErr(err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, fmt.Errorf("header JSON after the object: %w", err)
		}
		return nil, fmt.Errorf("header has %v after the JSON object (only space padding is allowed)", tok)
	}

	// Sorted by offset, each tensor must start where the previous ended and
	// hold exactly shape × element size bytes; the last must end at the end
	// of the buffer.
	slices.SortFunc(spans, func(a, b span) int {
		if a.begin != b.begin {
			return cmpU64(a.begin, b.begin)
		}
		if a.end != b.end {
			return cmpU64(a.end, b.end)
		}
		return strings.Compare(a.name, b.name)
	})
	var pos uint64
	prev := "the start of the buffer"
	for _, s := range spans {
		switch {
		case s.end < s.begin:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] end before they begin", s.name, s.begin, s.end)
		case s.begin > pos:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] leave a gap of %d bytes after %s", s.name, s.begin, s.end, s.begin-pos, prev)
		case s.begin < pos:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] overlap %s, which ends at %d", s.name, s.begin, s.end, prev, pos)
		case s.end-s.begin != s.size:
			in := f.infos[s.name]
			return nil, fmt.Errorf("tensor %q: shape %v of %s needs %d bytes, data_offsets [%d, %d] give %d",
				s.name, in.Shape, in.DType, s.size, s.begin, s.end, s.end-s.begin)
		case s.end > bufLen:
			return nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] run past the %d-byte buffer (truncated file?)", s.name, s.begin, s.end, bufLen)
		}
		pos = s.end
		prev = fmt.Sprintf("tensor %q", s.name)
	}
	if pos != bufLen {
		return nil, fmt.Errorf("tensors cover %d bytes but %d follow the header: %d bytes not covered", pos, bufLen, bufLen-pos)
	}
	return f, nil
}

// jsonErr describes a syntax error in the header.
func jsonErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("header JSON ends before its closing '}'")
	}
	return fmt.Errorf("header JSON: %w", err)
}

func cmpU64(a, b uint64) int {
	if a < b {
		return -1
	}
	return 1
}

// parseInfo decodes one tensor entry. Keys are matched exactly (Go's
// case-insensitive struct matching would accept "DType"), unknown keys are
// ignored as the reference implementation does, and each of the three
// fields is required and must not be null.
func parseInfo(raw json.RawMessage) (in Info, begin, end uint64, err error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return in, 0, 0, fmt.Errorf("entry must be an object with dtype, shape and data_offsets: %s", clip(raw))
	}
	field := func(k string, v any) error {
		r, ok := m[k]
		if !ok {
			return fmt.Errorf("missing %q", k)
		}
		if string(r) == "null" {
			return fmt.Errorf("%q is null", k)
		}
		if err := json.Unmarshal(r, v); err != nil {
			return fmt.Errorf("bad %q %s: %w", k, clip(r), err)
		}
		return nil
	}
	var dtype string
	var shape, offsets []uint64
	if err := field("dtype", &dtype); err != nil {
		return in, 0, 0, err
	}
	if err := field("shape", &shape); err != nil {
		return in, 0, 0, err
	}
	if err := field("data_offsets", &offsets); err != nil {
		return in, 0, 0, err
	}
	if len(offsets) != 2 {
		return in, 0, 0, fmt.Errorf("data_offsets has %d numbers, want 2", len(offsets))
	}
	// Offsets are later checked against the buffer; bounding them here
	// keeps every int64 conversion exact.
	if offsets[0] > math.MaxInt64 || offsets[1] > math.MaxInt64 {
		return in, 0, 0, fmt.Errorf("data_offsets %v out of range", offsets)
	}
	in.DType = DType(dtype)
	in.Shape = make([]int, len(shape))
	for i, d := range shape {
		if d > math.MaxInt { // keeps the conversion to int exact
			return in, 0, 0, fmt.Errorf("dimension %d out of range", d)
		}
		in.Shape[i] = int(d)
	}
	in.Begin, in.End = int64(offsets[0]), int64(offsets[1])
	return in, offsets[0], offsets[1], nil
}

// clip shortens raw JSON for an error message.
func clip(raw []byte) string {
	const max = 60
	if len(raw) > max {
		return string(raw[:max]) + "…"
	}
	return string(raw)
}
