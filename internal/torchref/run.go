package torchref

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Python is the interpreter the PyTorch checks run: Debian's, whose
// python3-torch package provides torch.
const Python = "/usr/bin/python3"

// noTorch is the exit status by which prelude says that it cannot import
// torch, after printing why.
const noTorch = 3

// prelude starts every script that Run writes.
const prelude = `import sys
try:
    import torch
except ImportError as e:
    print("no torch:", e)
    sys.exit(3)
`

// Run writes script to a fresh temporary folder as name, after a prelude
// that imports sys and torch, runs it with Python and args and returns its
// standard output. what says what the check is ("loading in PyTorch") in
// the messages. The test is skipped where Python or torch is missing; any
// other failure is fatal, with the script's standard error.
func Run(t testing.TB, what, name, script string, args ...string) []byte {
	t.Helper()
	if _, err := os.Stat(Python); err != nil {
		t.Skipf("%s needs %s: %v", what, Python, err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(prelude+script), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Python, append([]string{path}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == noTorch {
		t.Skipf("%s needs torch in %s: %s", what, Python, bytes.TrimSpace(out))
	}
	if err != nil {
		t.Fatalf("%s: %s: %v\n%s", what, name, err, stderr.Bytes())
	}
	return out
}
