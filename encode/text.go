package encode

import (
	"fmt"
	"image"
	"image/color"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The Go fonts are compiled into the binary: labels need no system font.
var goFonts = sync.OnceValues(func() ([2]*opentype.Font, error) {
	var fs [2]*opentype.Font
	for i, ttf := range [][]byte{gobold.TTF, gomono.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return fs, fmt.Errorf("encode: parse embedded font: %w", err)
		}
		fs[i] = f
	}
	return fs, nil
})

// faces holds the faces a picture is labelled with.
type faces struct {
	label font.Face // panel labels, titles: Go Bold
	small font.Face // badges, indices, captions: Go Mono
}

// newFaces returns faces of labelPx and smallPx pixels.
func newFaces(labelPx, smallPx float64) (faces, error) {
	fs, err := goFonts()
	if err != nil {
		return faces{}, err
	}
	mk := func(f *opentype.Font, px float64) (font.Face, error) {
		return opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	}
	var fc faces
	if fc.label, err = mk(fs[0], labelPx); err != nil {
		return faces{}, fmt.Errorf("encode: font face: %w", err)
	}
	if fc.small, err = mk(fs[1], smallPx); err != nil {
		return faces{}, fmt.Errorf("encode: font face: %w", err)
	}
	return fc, nil
}

// textWidth is the advance of s in face, in pixels.
func textWidth(face font.Face, s string) int {
	return font.MeasureString(face, s).Ceil()
}

// fitText shortens s with an ellipsis until it is at most maxW pixels wide.
func fitText(face font.Face, s string, maxW int) string {
	if textWidth(face, s) <= maxW {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; textWidth(face, t) <= maxW {
			return t
		}
	}
	return ""
}

// drawText draws s with its baseline at y, starting at x.
func drawText(dst *image.RGBA, face font.Face, x, y int, s string, c color.RGBA) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// baseline returns the baseline that centres face's capitals vertically in
// a band from top of height h.
func baseline(face font.Face, top, h int) int {
	m := face.Metrics()
	capH := m.CapHeight.Ceil()
	if capH <= 0 {
		capH = m.Ascent.Ceil() * 7 / 10
	}
	return top + (h+capH)/2
}
