package decode

import (
	"encoding/binary"
	"fmt"
	"io"
)

// FFmpeg reads a truncated MP4 or WebM up to the cut and then reports a
// normal end of file (WebM: it only logs "File ended prematurely"). Both
// containers declare the size of their top-level parts, so decode compares
// those sizes with the file's size to tell a cut-off file from a whole one.

// truncation returns a plain description of how the file at r (size bytes)
// is shorter than its MP4/MOV or Matroska/WebM structure declares, or "" if
// it is not, or if the format is neither of those.
func truncation(r io.ReaderAt, size int64) string {
	var head [8]byte
	if n, _ := r.ReadAt(head[:], 0); n < len(head) {
		return ""
	}
	if binary.BigEndian.Uint32(head[:4]) == ebmlID {
		return matroskaTruncation(r, size)
	}
	if topLevelMP4[string(head[4:8])] {
		return mp4Truncation(r, size)
	}
	return ""
}

// topLevelMP4 lists box types that may start an MP4 or QuickTime file.
var topLevelMP4 = map[string]bool{"ftyp": true, "moov": true, "mdat": true, "free": true, "skip": true, "wide": true}

// mp4Truncation walks the top-level boxes. Each box header gives its size;
// a box that runs past the end of the file, or a file without the index
// (moov box), means the file was cut off.
func mp4Truncation(r io.ReaderAt, size int64) string {
	var hdr [16]byte
	moov := false
	for off := int64(0); off < size; {
		if size-off < 8 {
			return fmt.Sprintf("the file has %d bytes and ends inside an MP4 box header", size)
		}
		if _, err := r.ReadAt(hdr[:8], off); err != nil {
			return ""
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:8])
		if !printable(typ) {
			return "" // not a box: leave the verdict to FFmpeg
		}
		hlen := int64(8)
		switch n {
		case 0: // the box runs to the end of the file
			n = size - off
		case 1: // 64-bit size follows the type
			if size-off < 16 {
				return fmt.Sprintf("the file has %d bytes and ends inside an MP4 box header", size)
			}
			if _, err := r.ReadAt(hdr[8:16], off+8); err != nil {
				return ""
			}
			n = int64(binary.BigEndian.Uint64(hdr[8:16]))
			hlen = 16
		}
		if n < hlen {
			return "" // malformed size: leave the verdict to FFmpeg
		}
		if typ == "moov" {
			moov = true
		}
		if n > size-off {
			s := fmt.Sprintf("the file has %d bytes but its %q box runs to byte %d", size, typ, off+n)
			if !moov {
				s += ", and the MP4 index (moov box) is missing"
			}
			return s + "; the file was cut off"
		}
		off += n
	}
	if !moov {
		return "the MP4 index (moov box) is missing; the recording was probably cut off"
	}
	return ""
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

const (
	ebmlID    = 0x1A45DFA3
	segmentID = 0x18538067
)

// matroskaTruncation reads the EBML header's size to find the Segment
// element, then compares the Segment's declared end with the file size. A
// Segment of unknown size (live streams) cannot be checked.
func matroskaTruncation(r io.ReaderAt, size int64) string {
	hsize, hlen, ok := readVint(r, 4)
	if !ok || hsize < 0 || hsize > size {
		return ""
	}
	seg := 4 + int64(hlen) + hsize // file offset of the Segment element
	var id [4]byte
	if n, _ := r.ReadAt(id[:], seg); n < len(id) {
		return fmt.Sprintf("the file has %d bytes and ends inside the Matroska header", size)
	}
	if binary.BigEndian.Uint32(id[:]) != segmentID {
		return ""
	}
	ssize, slen, ok := readVint(r, seg+4)
	if !ok {
		return fmt.Sprintf("the file has %d bytes and ends inside the Matroska header", size)
	}
	if ssize < 0 {
		return "" // unknown size
	}
	if end := seg + 4 + int64(slen) + ssize; end > size || end < 0 {
		return fmt.Sprintf("the file has %d bytes but its Matroska header declares %d; the file was cut off", size, end)
	}
	return ""
}

func readVint(r io.ReaderAt, off int64) (v int64, n int, ok bool) {
	var b [8]byte
	m, _ := r.ReadAt(b[:], off)
	return ebmlVint(b[:m])
}

// ebmlVint decodes an EBML variable-length size at the start of b: its
// value (-1 for the reserved "unknown size"), its length in bytes, and
// whether it was well formed.
func ebmlVint(b []byte) (v int64, n int, ok bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0, false
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if len(b) < n {
		return 0, 0, false
	}
	v = int64(b[0] & (0xff >> n))
	allOnes := v == int64(0xff>>n)
	for _, c := range b[1:n] {
		v = v<<8 | int64(c)
		allOnes = allOnes && c == 0xff
	}
	if allOnes {
		return -1, n, true
	}
	return v, n, true
}
