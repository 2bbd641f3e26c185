package safetensors

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"framepred/internal/atomicfile"
)

// Write writes tensors and metadata (which may be nil) in the safetensors
// format. Tensors are laid out larger elements first, then by name, and the
// header is padded with spaces to a multiple of 8 bytes, so the same input
// always gives the same bytes.
func Write(w io.Writer, tensors map[string]Tensor, metadata map[string]string) error {
	hdr, order, err := header(tensors, metadata)
	if err != nil {
		return err
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(hdr)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	if _, err := w.Write(hdr); err != nil {
		return fmt.Errorf("safetensors: write: %w", err)
	}
	for _, name := range order {
		if _, err := w.Write(tensors[name].Data); err != nil {
			return fmt.Errorf("safetensors: write tensor %q: %w", name, err)
		}
	}
	return nil
}

// header checks the tensors and returns the padded JSON header and the
// order of the tensors in the buffer.
func header(tensors map[string]Tensor, metadata map[string]string) ([]byte, []string, error) {
	order := make([]string, 0, len(tensors))
	for name, t := range tensors {
		switch {
		case name == metadataKey:
			return nil, nil, fmt.Errorf("safetensors: tensor name %q is reserved", name)
		case !utf8.ValidString(name):
			return nil, nil, fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", name)
		}
		if err := t.check(); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		order = append(order, name)
	}
	slices.SortFunc(order, func(a, b string) int {
		if ba, bb := tensors[a].DType.Bits(), tensors[b].DType.Bits(); ba != bb {
			return bb - ba // larger elements first keeps every tensor aligned
		}
		return strings.Compare(a, b)
	})

	var b bytes.Buffer
	b.WriteByte('{')
	if len(metadata) > 0 {
		keys := make([]string, 0, len(metadata))
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, nil, fmt.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		writeString(&b, metadataKey)
		b.WriteString(":{")
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(&b, k)
			b.WriteByte(':')
			writeString(&b, metadata[k])
		}
		b.WriteByte('}')
		if len(order) > 0 {
			b.WriteByte(',')
		}
	}
	var off uint64
	for i, name := range order {
		t := tensors[name]
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, name)
		b.WriteString(`:{"dtype":`)
		writeString(&b, string(t.DType))
		b.WriteString(`,"shape":[`)
		for k, d := range t.Shape {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
		end := off + uint64(len(t.Data))
		fmt.Fprintf(&b, `],"data_offsets":[%d,%d]}`, off, end)
		off = end
	}
	b.WriteByte('}')
	for b.Len()%8 != 0 {
		b.WriteByte(' ')
	}
	if b.Len() > MaxHeaderSize {
		return nil, nil, fmt.Errorf("safetensors: header of %d bytes is over the %d-byte limit", b.Len(), MaxHeaderSize)
	}
	return b.Bytes(), order, nil
}

// writeString writes s as a JSON string, leaving <, > and & unescaped.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)       // a valid UTF-8 string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}

// WriteFile writes tensors and metadata to path, replacing any file there,
// atomically: into a hidden temporary file in the same folder
// (".NAME.<digits>.tmp"), synced, then renamed to path, and the folder
// synced, so path holds either the old file or the whole new one. Callers
// that must not overwrite check first.
func WriteFile(path string, tensors map[string]Tensor, metadata map[string]string) error {
	// Check everything before touching the disk.
	if _, _, err := header(tensors, metadata); err != nil {
		return err
	}
	f, err := atomicfile.Create(path, true)
	if err != nil {
		return fileError(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	err = Write(bw, tensors, metadata)
	if err == nil {
		err = fileError(bw.Flush())
	}
	if err != nil {
		return errors.Join(err, fileError(f.Abort()))
	}
	return fileError(f.Commit())
}

// fileError words an error from writing a file for safetensors' callers.
func fileError(err error) error { return atomicfile.Explain(err, "safetensors", "") }
