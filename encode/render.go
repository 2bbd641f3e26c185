package encode

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// Reel colours.
var (
	colBackground = color.RGBA{24, 24, 27, 255}
	colLetterbox  = color.RGBA{0, 0, 0, 255}
	colText       = color.RGBA{240, 240, 240, 255}
	colDim        = color.RGBA{190, 190, 196, 255}
	kindColours   = [...]color.RGBA{
		Real:      {34, 197, 94, 255},  // green
		Context:   {59, 130, 246, 255}, // blue
		Predicted: {249, 115, 22, 255}, // orange
	}
)

// layout is the geometry of a reel frame. Every panel cell is, top down: a
// label strip, the picture in a coloured frame, a footer with the kind badge
// and frame index, and, if any panel has captions, a caption line.
type layout struct {
	rows, cols int
	panel      int // picture box side (even)
	border     int // coloured frame width
	margin     int // around the grid
	gap        int // between cells
	topH       int // title bar
	labelH     int // label strip
	badgeH     int // badge and index line
	captionH   int // caption line, 0 if no captions
	labelPx    float64
	smallPx    float64
	w, h       int // whole frame, even
}

func newLayout(r Reel) layout {
	l := layout{rows: len(r.Rows), cols: len(r.Rows[0]), panel: r.PanelSize}
	l.labelPx = math.Round(float64(l.panel) / 16)
	l.smallPx = math.Round(l.labelPx * 0.8)
	// Every length is even, so every box starts on a 2x2 chroma block of
	// yuv420p: colours then do not bleed across box edges.
	l.border = even(max(4, l.panel/64))
	l.margin = 12
	l.gap = 12
	l.topH = even(int(l.labelPx * 2.2))
	l.labelH = even(int(l.labelPx * 1.7))
	l.badgeH = even(int(l.smallPx * 2))
	for _, row := range r.Rows {
		for _, p := range row {
			if p.Captions != nil {
				l.captionH = even(int(l.smallPx * 1.6))
			}
		}
	}
	cellW, cellH := l.cellSize()
	l.w = 2*l.margin + l.cols*cellW + (l.cols-1)*l.gap
	l.h = l.topH + 2*l.margin + l.rows*cellH + (l.rows-1)*l.gap
	return l
}

// even rounds n up to even.
func even(n int) int { return n + n&1 }

func (l layout) cellSize() (w, h int) {
	box := l.panel + 2*l.border
	return box, l.labelH + box + l.badgeH + l.captionH
}

// cell returns the rectangle of panel (row, col).
func (l layout) cell(row, col int) image.Rectangle {
	w, h := l.cellSize()
	x := l.margin + col*(w+l.gap)
	y := l.topH + l.margin + row*(h+l.gap)
	return image.Rect(x, y, x+w, y+h)
}

// label returns the strip above panel (row, col) that holds its label.
func (l layout) label(row, col int) image.Rectangle {
	c := l.cell(row, col)
	return image.Rect(c.Min.X, c.Min.Y, c.Max.X, c.Min.Y+l.labelH)
}

// frameBox returns the picture box of panel (row, col), coloured frame
// included.
func (l layout) frameBox(row, col int) image.Rectangle {
	c := l.cell(row, col)
	box := l.panel + 2*l.border
	return image.Rect(c.Min.X, c.Min.Y+l.labelH, c.Min.X+box, c.Min.Y+l.labelH+box)
}

// picture returns where an h x w frame of panel (row, col) is drawn:
// scaled to fit the box, centred.
func (l layout) picture(row, col, h, w int) image.Rectangle {
	in := l.frameBox(row, col).Inset(l.border)
	dh, dw := fitSize(h, w, l.panel)
	x, y := in.Min.X+even((l.panel-dw)/2), in.Min.Y+even((l.panel-dh)/2)
	return image.Rect(x, y, x+dw, y+dh)
}

// renderer draws the frames of one reel, reusing what does not change.
type renderer struct {
	r    Reel
	l    layout
	n    int
	fc   faces
	base *image.RGBA // background, title and labels
	img  *image.RGBA // the frame being drawn
}

func newRenderer(r Reel) (*renderer, error) {
	r, err := r.check()
	if err != nil {
		return nil, err
	}
	l := newLayout(r)
	if l.w > maxReelSide || l.h > maxReelSide {
		return nil, fmt.Errorf("encode: reel of %dx%d panels at %d px is %dx%d, over the %d px players can take",
			l.rows, l.cols, l.panel, l.w, l.h, maxReelSide)
	}
	fc, err := newFaces(l.labelPx, l.smallPx)
	if err != nil {
		return nil, err
	}
	rd := &renderer{r: r, l: l, n: r.Len(), fc: fc}
	rd.base = image.NewRGBA(image.Rect(0, 0, l.w, l.h))
	rd.img = image.NewRGBA(rd.base.Rect)
	fillRect(rd.base, rd.base.Rect, colBackground)
	if r.Title != "" {
		drawText(rd.base, fc.label, l.margin, baseline(fc.label, 0, l.topH), fitText(fc.label, r.Title, l.w*2/3), colText)
	}
	for i, row := range r.Rows {
		for j, p := range row {
			lr := l.label(i, j)
			drawText(rd.base, fc.label, lr.Min.X, baseline(fc.label, lr.Min.Y, lr.Dy()), fitText(fc.label, p.Label, lr.Dx()), colText)
		}
	}
	return rd, nil
}

// render draws frame i into rd.img and returns it (valid until the next call).
func (rd *renderer) render(i int) *image.RGBA {
	l, img := rd.l, rd.img
	copy(img.Pix, rd.base.Pix)
	idx := fmt.Sprintf("t=%d  (%d frames)", i, rd.n)
	drawText(img, rd.fc.small, l.w-l.margin-textWidth(rd.fc.small, idx), baseline(rd.fc.label, 0, l.topH), idx, colDim)
	for r, row := range rd.r.Rows {
		for c, p := range row {
			j := min(i, len(p.Frames)-1)
			f := p.Frames[j]
			kind := Real
			if p.Kinds != nil {
				kind = p.Kinds[j]
			}
			box := l.frameBox(r, c)
			fillRect(img, box, kindColours[kind])
			fillRect(img, box.Inset(l.border), colLetterbox)
			blitNearest(img, l.picture(r, c, f.H, f.W), f)

			// Badge and index under the picture.
			y := box.Max.Y + 3
			badge := kind.String()
			bw := textWidth(rd.fc.small, badge) + int(l.smallPx)
			bh := l.badgeH - 6
			fillRect(img, image.Rect(box.Min.X, y, box.Min.X+bw, y+bh), kindColours[kind])
			drawText(img, rd.fc.small, box.Min.X+int(l.smallPx)/2, baseline(rd.fc.small, y, bh), badge, badgeText(kind))
			at := fmt.Sprintf("t=%d", j)
			if j != i {
				at += " (held)"
			}
			drawText(img, rd.fc.small, box.Min.X+bw+int(l.smallPx)/2, baseline(rd.fc.small, y, bh), at, colText)
			if p.Captions != nil && p.Captions[j] != "" {
				cy := box.Max.Y + l.badgeH
				drawText(img, rd.fc.small, box.Min.X, baseline(rd.fc.small, cy, l.captionH), fitText(rd.fc.small, p.Captions[j], box.Dx()), colDim)
			}
		}
	}
	return img
}

// badgeText is dark on the light badges and white on the blue one.
func badgeText(k Kind) color.RGBA {
	if k == Context {
		return color.RGBA{255, 255, 255, 255}
	}
	return color.RGBA{16, 16, 16, 255}
}
