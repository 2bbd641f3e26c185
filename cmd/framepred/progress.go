package main

import (
	"fmt"
	"strings"
	"time"
)

// progress shows how far a long job has got, on the console (stderr): on a
// terminal a bar redrawn in place with \r, at most ten times a second;
// otherwise, as in a batch job's log, a plain line every interval; with
// --quiet nothing. Its Update suits a library's progress callback: decode
// loops call it per frame, synth per clip, the trainer per step.
type progress struct {
	con   *console
	what  string        // what runs: "synth", "probe clip.mp4"
	unit  string        // what is counted: "clips", "frames", "steps"
	off   bool          // --quiet
	every time.Duration // without a terminal, the time between lines
	now   func() time.Time

	started   bool
	first     int       // step of the first Update, so a resumed job's rate is right
	start     time.Time // time of the first Update
	last      time.Time // time of the last line or redraw
	lastShown int       // step shown last, -1 for none
}

// progressEvery is the time between plain progress lines without a
// terminal: often enough to see a job move in its log, rarely enough to
// keep the log short.
const progressEvery = 10 * time.Second

// redrawEvery limits redrawing the bar on a terminal.
const redrawEvery = 100 * time.Millisecond

// field is one named value shown after the counts, such as a loss.
type field struct {
	key   string
	value any
}

func newProgress(con *console, quiet bool, what, unit string) *progress {
	return &progress{con: con, what: what, unit: unit, off: quiet, every: progressEvery, now: time.Now, lastShown: -1}
}

// Update reports that step of total steps are done (total ≤ 0: unknown),
// with optional fields to show.
func (p *progress) Update(step, total int, fields ...field) {
	if p.off {
		return
	}
	now := p.now()
	if !p.started {
		p.started, p.first, p.start, p.last = true, step, now, now
	}
	final := total > 0 && step >= total
	if p.con.tty {
		if final || now.Sub(p.last) >= redrawEvery || p.lastShown < 0 {
			p.last, p.lastShown = now, step
			p.con.setBar(p.line(step, total, now, fields, true))
		}
		return
	}
	if now.Sub(p.last) >= p.every && step != p.lastShown {
		p.last, p.lastShown = now, step
		fmt.Fprintln(p.con, p.line(step, total, now, fields, false))
	}
}

// Done removes the bar, so that what follows starts on a clean line.
func (p *progress) Done() {
	if p.con.tty {
		p.con.clearBar()
	}
	p.started, p.lastShown = false, -1
}

// barWidth is the bar's length in characters.
const barWidth = 24

// line formats the state: with bar, for a terminal,
//
//	synth [#########---------------]  40/100 clips  12.3/s  5s left  loss=0.0123
//
// and without, for a log,
//
//	synth: 40/100 clips (40%), 12.3 clips/s, 5s left, loss=0.0123
func (p *progress) line(step, total int, now time.Time, fields []field, bar bool) string {
	var parts []string
	count := fmt.Sprintf("%d %s", step, p.unit)
	if total > 0 {
		count = fmt.Sprintf("%d/%d %s", step, total, p.unit)
	}
	if bar {
		head := p.what
		if total > 0 {
			n := min(barWidth, max(0, barWidth*step/total))
			head += " [" + strings.Repeat("#", n) + strings.Repeat("-", barWidth-n) + "]"
		}
		parts = append(parts, head, count)
	} else {
		if total > 0 {
			count += fmt.Sprintf(" (%d%%)", min(100, 100*step/total))
		}
		parts = append(parts, p.what+": "+count)
	}
	if dt := now.Sub(p.start).Seconds(); dt > 0 && step > p.first {
		rate := float64(step-p.first) / dt
		parts = append(parts, fmt.Sprintf("%.3g %s/s", rate, p.unit))
		if total > step {
			left := time.Duration(float64(total-step) / rate * float64(time.Second))
			parts = append(parts, roundDuration(left).String()+" left")
		}
	}
	for _, f := range fields {
		parts = append(parts, f.key+"="+formatValue(f.value))
	}
	if bar {
		return strings.Join(parts, "  ")
	}
	return strings.Join(parts, ", ")
}

// roundDuration keeps two or three significant places: 1h23m, 4m5s, 7s.
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= time.Hour:
		return d.Round(time.Minute)
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// formatValue shows floats with 4 significant digits and durations
// rounded; anything else as fmt's %v does.
func formatValue(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%.4g", x)
	case float32:
		return fmt.Sprintf("%.4g", x)
	case time.Duration:
		return roundDuration(x).String()
	}
	return fmt.Sprint(v)
}
