package main

import (
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// console is framepred's stderr: log lines, error messages and the
// progress bar all go through it, so that a log line written while a bar is
// shown clears the bar first and draws it again below.
type console struct {
	mu   sync.Mutex
	w    io.Writer
	tty  bool   // w is a terminal: the bar is redrawn in place
	cols int    // terminal width, 0 if unknown
	bar  string // the bar on screen now, "" if none
}

// newConsole wraps w. The bar is drawn in place only when w is a terminal.
func newConsole(w io.Writer) *console {
	c := &console{w: w}
	if f, ok := w.(*os.File); ok {
		fd := int(f.Fd())
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			c.tty = true
			if ws, err := unix.IoctlGetWinsize(fd, unix.TIOCGWINSZ); err == nil {
				c.cols = int(ws.Col)
			}
		}
	}
	return c
}

// Write writes p (whole lines: log records, messages) above the bar.
func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != "" {
		io.WriteString(c.w, "\r\x1b[K")
	}
	n, err := c.w.Write(p)
	if c.bar != "" {
		io.WriteString(c.w, c.bar)
	}
	return n, err
}

// setBar shows s in place of the current bar. Only for a terminal.
func (c *console) setBar(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cols > 1 && len([]rune(s)) >= c.cols {
		s = string([]rune(s)[:c.cols-1]) // a wrapped line cannot be redrawn
	}
	c.bar = s
	io.WriteString(c.w, "\r\x1b[K"+s)
}

// clearBar removes the bar from the screen.
func (c *console) clearBar() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != "" {
		io.WriteString(c.w, "\r\x1b[K")
		c.bar = ""
	}
}

// newLogger returns the logger every command gets: text records on the
// console at the level in lv. The time is shown only at debug level, where
// it helps to see where time goes; otherwise lines stay short.
func newLogger(c *console, lv *slog.LevelVar) *slog.Logger {
	return slog.New(slog.NewTextHandler(c, &slog.HandlerOptions{
		Level: lv,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey && lv.Level() > slog.LevelDebug {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// oneLine folds any white space run, newlines included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
