package encode

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// filePerm is the mode of finished files (temporary files start at 0600).
const filePerm = 0o644

// checkTarget fails if path exists and force is not set.
func checkTarget(path string, force bool) error {
	if force {
		return nil
	}
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return fmt.Errorf("encode: %s already exists (set Force to replace it): %w", path, fs.ErrExist)
	case errors.Is(err, fs.ErrNotExist):
		return nil
	default:
		return fmt.Errorf("encode: cannot write %s: %w", path, cause(err))
	}
}

// cause drops the operation and path from a *fs.PathError, for messages
// that name the path themselves.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// createTemp makes an empty hidden temporary file in path's folder, after
// checking that path may be written.
func createTemp(path string, force bool) (*os.File, error) {
	if err := checkTarget(path, force); err != nil {
		return nil, err
	}
	dir, base := filepath.Split(path)
	if base == "" {
		return nil, fmt.Errorf("encode: %q names a folder, not a file", path)
	}
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("encode: cannot write %s: %w", path, cause(err))
	}
	return f, nil
}

// commit makes the finished temporary file tmp durable and gives it the
// name path: it is synced, made readable, then linked or renamed into place,
// and the folder is synced. Without force an existing path is never
// replaced, even one created while tmp was being written. On error tmp is
// removed and path is untouched.
func commit(tmp, path string, force bool) (err error) {
	defer func() {
		if err != nil {
			err = errors.Join(err, removeTemp(tmp))
		}
	}()
	f, err := os.Open(tmp)
	if err != nil {
		return fmt.Errorf("encode: %s: %w", path, err)
	}
	if err = errors.Join(f.Sync(), f.Chmod(filePerm)); err != nil {
		return errors.Join(fmt.Errorf("encode: sync %s: %w", path, err), f.Close())
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("encode: %s: %w", path, err)
	}
	if err = place(tmp, path, force); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// place moves tmp to path. Without force it uses a hard link, which fails
// if path exists; file systems without hard links fall back to a check and
// a rename.
func place(tmp, path string, force bool) error {
	if !force {
		err := os.Link(tmp, path)
		if err == nil {
			return removeTemp(tmp)
		}
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("encode: %s already exists (set Force to replace it): %w", path, fs.ErrExist)
		}
		if err := checkTarget(path, false); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	return nil
}

func removeTemp(tmp string) error {
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("encode: remove temporary file: %w", err)
	}
	return nil
}

// syncDir makes a rename in dir durable. File systems that cannot sync a
// folder (EINVAL) are let be.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	if err != nil {
		err = fmt.Errorf("encode: sync folder %s: %w", dir, err)
	}
	return errors.Join(err, d.Close())
}
