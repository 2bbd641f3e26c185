package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)} }
func testProgress(tty, quiet bool) (*progress, *bytes.Buffer, *fakeClock) {
	var buf bytes.Buffer
	clk := newFakeClock()
	p := newProgress(&console{w: &buf, tty: tty}, quiet, "train", "steps")
	p.now = clk.now
	return p, &buf, clk
}

// TestProgressTerminal: on a terminal the bar is redrawn in place with \r,
// at most every redrawEvery, always at the last step, and Done clears it.
func TestProgressTerminal(t *testing.T) {
	p, buf, clk := testProgress(true, false)
	p.Update(0, 100)
	if got := buf.String(); got != "\r\x1b[Ktrain [------------------------]  0/100 steps" {
		t.Errorf("first draw %q", got)
	}
	buf.Reset()
	clk.add(10 * time.Millisecond)
	p.Update(1, 100)
	if buf.Len() != 0 {
		t.Errorf("redrawn after 10 ms: %q", buf.String())
	}
	clk.add(1990 * time.Millisecond) // 50 steps in 2 s: 25 steps/s, 50 left: 2 s
	p.Update(50, 100, field{"loss", 0.012345678}, field{"lr", float32(2e-4)})
	want := "\r\x1b[Ktrain [############------------]  50/100 steps  25 steps/s  2s left  loss=0.01235  lr=0.0002"
	if got := buf.String(); got != want {
		t.Errorf("bar\n got %q\nwant %q", got, want)
	}
	buf.Reset()
	clk.add(time.Millisecond)
	p.Update(100, 100)
	if got := buf.String(); !strings.Contains(got, "[########################]  100/100 steps") {
		t.Errorf("last step not drawn at once: %q", got)
	}
	buf.Reset()
	p.Done()
	if got := buf.String(); got != "\r\x1b[K" {
		t.Errorf("Done wrote %q, want the bar cleared", got)
	}
}

// TestProgressLog: without a terminal a plain line is written once every
// interval, never a \r.
func TestProgressLog(t *testing.T) {
	p, buf, clk := testProgress(false, false)
	p.every = 10 * time.Second
	p.Update(1000, 5000) // a resumed run: the rate counts from here
	for step := 1001; step <= 1100; step++ {
		clk.add(200 * time.Millisecond)
		p.Update(step, 5000, field{"loss", 0.5})
	}
	// 100 updates over 20 s: a line at 10 s and at 20 s.
	got := lines(buf.String())
	want := []string{
		"train: 1050/5000 steps (21%), 5 steps/s, 13m10s left, loss=0.5", // 3950 steps at 5/s
		"train: 1100/5000 steps (22%), 5 steps/s, 13m0s left, loss=0.5",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log lines\n got %q\nwant %q", got, want)
	}
	if strings.Contains(buf.String(), "\r") {
		t.Error("a \\r in a log")
	}
}

// TestProgressUnknownTotal: a job of unknown length shows the count only.
func TestProgressUnknownTotal(t *testing.T) {
	p, buf, clk := testProgress(false, false)
	p.every = time.Second
	p.Update(1, 0)
	clk.add(2 * time.Second)
	p.Update(7, -1)
	if got := buf.String(); got != "train: 7 steps, 3 steps/s\n" {
		t.Errorf("got %q", got)
	}
}

// TestProgressQuiet: --quiet shows nothing, terminal or not.
func TestProgressQuiet(t *testing.T) {
	for _, tty := range []bool{true, false} {
		p, buf, clk := testProgress(tty, true)
		p.every = time.Second
		for i := range 10 {
			clk.add(time.Second)
			p.Update(i, 10)
		}
		p.Done()
		if buf.Len() != 0 {
			t.Errorf("tty %v: quiet progress wrote %q", tty, buf.String())
		}
	}
}

// TestConsoleLogAboveBar: a log line written while the bar is shown
// clears the bar, and the bar comes back below it.
func TestConsoleLogAboveBar(t *testing.T) {
	var buf bytes.Buffer
	c := &console{w: &buf, tty: true, cols: 20}
	c.setBar("train [#####] 123456789012345") // longer than the terminal
	c.Write([]byte("level=INFO msg=saved\n"))
	// The bar is cut to 19 columns: a line that wraps cannot be redrawn.
	want := "\r\x1b[Ktrain [#####] 12345" + "\r\x1b[Klevel=INFO msg=saved\n" + "train [#####] 12345"
	if got := buf.String(); got != want {
		t.Errorf("\n got %q\nwant %q", got, want)
	}
}
