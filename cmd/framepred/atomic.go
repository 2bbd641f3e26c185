package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// writeFile writes data to path the durable way: into a hidden temporary
// file in the same folder, synced and closed, then given the final name.
// A killed process leaves at most a ".<name>.*.tmp" file behind, never a
// half file under the name. Without force an existing file is never
// replaced, even one that appears while data is being written.
func writeFile(path string, data []byte, force bool) (err error) {
	if !force {
		if err := checkNew(path); err != nil {
			return err
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	if force {
		err = os.Rename(tmp, path)
	} else if err = os.Link(tmp, path); err == nil { // fails if path exists
		err = os.Remove(tmp)
	}
	if errors.Is(err, fs.ErrExist) {
		return existsError(path)
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	if d, derr := os.Open(dir); derr == nil {
		if serr := d.Sync(); serr != nil && !errors.Is(serr, syscall.EINVAL) {
			err = fmt.Errorf("cannot sync folder %s: %w", dir, cause(serr))
		}
		d.Close()
	}
	return err
}

// checkNew fails if path exists.
func checkNew(path string) error {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return existsError(path)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	}
	return fmt.Errorf("cannot write %s: %w", path, cause(err))
}

func existsError(path string) error { return existsErr{path} }

// existsErr says a file is in the way; it matches fs.ErrExist.
type existsErr struct{ path string }

func (e existsErr) Error() string {
	return e.path + " already exists (use --force to replace it)"
}

func (e existsErr) Is(target error) bool { return target == fs.ErrExist }
