package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"framepred/decode/decodetest"
)

// The command-line tests run the built binary as a subprocess, as a user
// would: exit codes, stdout and stderr are what they check.

// binary is the framepred built once for the whole test run.
var binary string

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "framepred-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "framepred")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building framepred:", err)
		return 1
	}
	return m.Run()
}

// result is what one run of the binary did.
type result struct {
	code           int
	stdout, stderr string
}

// lines returns the non-empty lines of s.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// runTimeout bounds one run: no input may make framepred hang.
const runTimeout = 60 * time.Second

// framepred runs the binary with args in dir ("" for the test's
// directory) and the environment env (NAME=value) on top of the test
// process's, minus any FRAMEPRED_ setting of the machine running it.
func framepred(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("framepred %s: did not finish in %v (hang)", strings.Join(args, " "), runTimeout)
	}
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("framepred %s: %v", strings.Join(args, " "), err)
	}
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, envPrefix) {
			env = append(env, kv)
		}
	}
	return env
}

// mustRun runs framepred and fails the test unless it exits 0.
func mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := framepred(t, "", nil, args...)
	if r.code != 0 {
		t.Fatalf("framepred %s: exit %d\nstderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// ffmpeg makes a fixture with the ffmpeg CLI.
func ffmpeg(t *testing.T, out string, args ...string) string {
	t.Helper()
	decodetest.NeedFFmpeg(t)
	if err := decodetest.FFmpeg(out, args...); err != nil {
		t.Fatal(err)
	}
	return out
}

// h264 writes 90 frames (3 s at 30 fps) of a moving pattern at 160x90 as
// H.264 to dir/name, with extra arguments.
func h264(t *testing.T, dir, name string, extra ...string) string {
	return ffmpeg(t, filepath.Join(dir, name), decodetest.H264Args(extra...)...)
}

// interrupt starts the binary with args, sends it SIGINT as soon as ready
// (polled) reports what it waits for, and checks that it exits with code
// 130 within runTimeout. It returns stderr.
func interrupt(t *testing.T, ready func() bool, what string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(runTimeout)
	for !ready() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no %s after %v", what, runTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(runTimeout):
		cmd.Process.Kill()
		t.Fatalf("%s did not stop %v after SIGINT", args[0], runTimeout)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitInterrupt {
		t.Fatalf("exit %v, want %d; stderr %q", err, exitInterrupt, stderr.String())
	}
	return stderr.String()
}
