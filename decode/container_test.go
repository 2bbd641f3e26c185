package decode

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
)

func box(typ string, payload int) []byte {
	b := make([]byte, 8+payload)
	binary.BigEndian.PutUint32(b, uint32(8+payload))
	copy(b[4:], typ)
	return b
}

// largeBox uses the 64-bit size form (size field 1).
func largeBox(typ string, payload int) []byte {
	b := make([]byte, 16+payload)
	binary.BigEndian.PutUint32(b, 1)
	copy(b[4:], typ)
	binary.BigEndian.PutUint64(b[8:], uint64(16+payload))
	return b
}

// ebml is an EBML header with a 1-byte size, then a Segment element whose
// size is written as an 8-byte vint (as FFmpeg writes it) and its payload.
func ebml(segSize uint64, payload int) []byte {
	b := []byte{0x1A, 0x45, 0xDF, 0xA3, 0x80 | 4, 0x42, 0x86, 0x81, 0x01} // header with one tiny element
	b = append(b, 0x18, 0x53, 0x80, 0x67)
	var v [8]byte
	binary.BigEndian.PutUint64(v[:], segSize)
	v[0] |= 0x01 // length marker of an 8-byte vint
	b = append(b, v[:]...)
	return append(b, make([]byte, payload)...)
}

func TestTruncation(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	whole := cat(box("ftyp", 8), box("moov", 40), box("mdat", 100))
	tests := []struct {
		name string
		data []byte
		want string // substring of the verdict; "" for none
	}{
		{"mp4 whole", whole, ""},
		{"mp4 cut in mdat", whole[:len(whole)-30], `"mdat" box runs to byte 172`},
		{"mp4 cut in a box header", whole[:len(whole)-105], "inside an MP4 box header"},
		{"mp4 without index", cat(box("ftyp", 8), box("mdat", 100)), "moov box) is missing"},
		{"mp4 cut, index at the end", cat(box("ftyp", 8), box("mdat", 100))[:60], "moov box) is missing; the file was cut off"},
		{"mp4 64-bit mdat cut", cat(box("ftyp", 8), box("moov", 4), largeBox("mdat", 100))[:100], `"mdat" box runs to byte 144`},
		{"mp4 last box to the end", cat(box("ftyp", 8), box("moov", 4), []byte{0, 0, 0, 0, 'm', 'd', 'a', 't', 1, 2, 3}), ""},
		{"mp4 malformed size", cat(box("ftyp", 8), []byte{0, 0, 0, 3, 'm', 'o', 'o', 'v'}), ""},
		{"matroska whole", ebml(50, 50), ""},
		{"matroska cut", ebml(50, 20), "declares 71"},
		{"matroska unknown size", ebml(1<<56-1, 20), ""},
		{"matroska cut in header", ebml(50, 0)[:12], "inside the Matroska header"},
		{"text", []byte("hello, this is a text file\n"), ""},
		{"short", []byte("ftyp"), ""},
	}
	for _, tc := range tests {
		got := truncation(bytes.NewReader(tc.data), int64(len(tc.data)))
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: truncation = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestEBMLVint(t *testing.T) {
	tests := []struct {
		in   []byte
		v    int64
		n    int
		ok   bool
		name string
	}{
		{[]byte{0x81}, 1, 1, true, "1 byte"},
		{[]byte{0x40, 0x02}, 2, 2, true, "2 bytes"},
		{[]byte{0x01, 0, 0, 0, 0, 0, 1, 0}, 256, 8, true, "8 bytes"},
		{[]byte{0xFF}, -1, 1, true, "unknown, 1 byte"},
		{[]byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, -1, 8, true, "unknown, 8 bytes"},
		{[]byte{0x00, 1}, 0, 0, false, "no length marker"},
		{[]byte{0x20, 1}, 0, 0, false, "short"},
		{nil, 0, 0, false, "empty"},
	}
	for _, tc := range tests {
		v, n, ok := ebmlVint(tc.in)
		if v != tc.v || n != tc.n || ok != tc.ok {
			t.Errorf("%s: ebmlVint(% x) = %d, %d, %v; want %d, %d, %v", tc.name, tc.in, v, n, ok, tc.v, tc.n, tc.ok)
		}
	}
}
