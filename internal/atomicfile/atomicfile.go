package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Perm is the mode of a committed file (the temporary file starts at 0600).
const Perm = 0o644

// ExistsError says a file is in the way of a write without force. It
// matches fs.ErrExist.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string { return e.Path + " already exists" }

// Is reports whether target is fs.ErrExist.
func (e *ExistsError) Is(target error) bool { return target == fs.ErrExist }

// Explain words err for a user of the package prefix ("encode"; "" for
// none): "prefix: err", and when a file is in the way, with how to replace
// it: "prefix: err (hint)". The result wraps err; nil stays nil.
func Explain(err error, prefix, hint string) error {
	if err == nil {
		return nil
	}
	if prefix != "" {
		prefix += ": "
	}
	var ee *ExistsError
	if errors.As(err, &ee) && hint != "" {
		return fmt.Errorf("%s%w (%s)", prefix, err, hint)
	}
	return fmt.Errorf("%s%w", prefix, err)
}

// CheckNew fails with an *ExistsError if path exists (as anything, a
// dangling link included), and with an error naming path if it cannot
// tell.
func CheckNew(path string) error {
	_, err := os.Lstat(path)
	switch {
	case err == nil:
		return &ExistsError{Path: path}
	case errors.Is(err, fs.ErrNotExist):
		return nil
	}
	return writeError(path, err)
}

// WriteFile writes data to path atomically (see the package
// documentation), replacing an existing file only if force is set.
func WriteFile(path string, data []byte, force bool) error {
	f, err := Create(path, force)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return errors.Join(err, f.Abort())
	}
	return f.Commit()
}

// Pending is a reserved temporary file for a writer that opens files by
// name: fill TempPath, then Commit or Abort. A Pending is not safe for
// concurrent use.
type Pending struct {
	path, tmp string
	force     bool
	done      bool // Commit or Abort was called
}

// Reserve checks that path may be written (without force: that it does
// not exist) and makes an empty hidden temporary file in its folder.
func Reserve(path string, force bool) (*Pending, error) {
	f, p, err := create(path, force)
	if err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, errors.Join(writeError(path, err), p.Abort())
	}
	return p, nil
}

// Path returns the final name.
func (p *Pending) Path() string { return p.path }

// TempPath returns the temporary file's name, in the final name's folder.
func (p *Pending) TempPath() string { return p.tmp }

// Commit syncs the temporary file and gives it the final name. Without
// force it fails with an *ExistsError if the name exists, even if it
// appeared after Reserve. If the file cannot take its name, the temporary
// file is removed and the final name is untouched. A failure to sync the
// folder afterwards is reported too; the file is then whole and in place,
// but its name may not survive a crash.
func (p *Pending) Commit() error {
	if p.done {
		return writeError(p.path, fs.ErrClosed)
	}
	f, err := os.OpenFile(p.tmp, os.O_WRONLY, 0)
	if err != nil {
		return errors.Join(writeError(p.path, err), p.Abort())
	}
	return p.commit(f)
}

// commit finishes the open temporary file f and puts it in place.
func (p *Pending) commit(f *os.File) error {
	err := f.Sync()
	if err == nil {
		err = f.Chmod(Perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		err = writeError(p.path, err)
	} else {
		err = p.place()
	}
	if err != nil {
		return errors.Join(err, p.Abort())
	}
	p.done = true
	return syncFolder(filepath.Dir(p.path))
}

// place links or renames the temporary file to the final name.
func (p *Pending) place() error {
	if !p.force {
		err := link(p.tmp, p.path)
		switch {
		case err == nil:
			p.done = true
			// The final name holds the data; a temporary name left over
			// would be harmless, so the removal's error is not the write's.
			_ = os.Remove(p.tmp)
			return nil
		case errors.Is(err, fs.ErrExist):
			return &ExistsError{Path: p.path}
		}
		// No hard links on this file system: check, then rename.
		if err := CheckNew(p.path); err != nil {
			return err
		}
	}
	if err := os.Rename(p.tmp, p.path); err != nil {
		return writeError(p.path, err)
	}
	p.done = true
	return nil
}

// Abort removes the temporary file. It does nothing after Commit or Abort,
// so it suits a defer.
func (p *Pending) Abort() error {
	if p.done {
		return nil
	}
	p.done = true
	if err := os.Remove(p.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot remove temporary file %s: %w", p.tmp, cause(err))
	}
	return nil
}

// File is an open temporary file that becomes path on Commit. A File is
// not safe for concurrent use.
type File struct {
	f *os.File
	p *Pending
}

// Create checks that path may be written (without force: that it does not
// exist) and opens a hidden temporary file in its folder for writing.
func Create(path string, force bool) (*File, error) {
	f, p, err := create(path, force)
	if err != nil {
		return nil, err
	}
	return &File{f: f, p: p}, nil
}

// Write writes to the temporary file. Its errors name the final path, the
// one a user knows.
func (f *File) Write(b []byte) (int, error) {
	n, err := f.f.Write(b)
	if err != nil {
		err = writeError(f.p.path, err)
	}
	return n, err
}

// Name returns the temporary file's name.
func (f *File) Name() string { return f.p.tmp }

// Commit syncs and closes the temporary file and gives it the final name,
// as Pending.Commit does.
func (f *File) Commit() error {
	if f.p.done {
		return writeError(f.p.path, fs.ErrClosed)
	}
	return f.p.commit(f.f)
}

// Abort closes and removes the temporary file. It does nothing after
// Commit or Abort, so it suits a defer.
func (f *File) Abort() error {
	if f.p.done {
		return nil
	}
	_ = f.f.Close() // the file is dropped: only its removal matters
	return f.p.Abort()
}

// create checks path and opens its temporary file.
func create(path string, force bool) (*os.File, *Pending, error) {
	dir, base := filepath.Split(path)
	if base == "" {
		return nil, nil, fmt.Errorf("%q names a folder, not a file", path)
	}
	if dir == "" {
		dir = "."
	}
	if !force {
		if err := CheckNew(path); err != nil {
			return nil, nil, err
		}
	}
	f, err := os.CreateTemp(dir, "."+base+".*"+tempSuffix)
	if err != nil {
		return nil, nil, writeError(path, err)
	}
	return f, &Pending{path: path, tmp: f.Name(), force: force}, nil
}

const tempSuffix = ".tmp"

// Target returns the final name that the temporary file named name (a base
// name, no folder) was made for, and whether name is one of ours at all.
func Target(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, ".")
	if !ok {
		return "", false
	}
	if rest, ok = strings.CutSuffix(rest, tempSuffix); !ok {
		return "", false
	}
	i := strings.LastIndexByte(rest, '.')
	if i <= 0 || i == len(rest)-1 {
		return "", false
	}
	for _, r := range rest[i+1:] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return rest[:i], true
}

// link and syncFolder are os.Link and syncDir; tests replace them.
var (
	link       = os.Link
	syncFolder = syncDir
)

// syncDir syncs the folder dir. File systems that cannot sync a folder
// (EINVAL) are let be.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("cannot sync folder %s: %w", dir, cause(err))
	}
	err = d.Sync()
	if errors.Is(err, syscall.EINVAL) {
		err = nil
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot sync folder %s: %w", dir, cause(err))
	}
	return nil
}

// writeError says path could not be written, and why.
func writeError(path string, err error) error {
	return fmt.Errorf("cannot write %s: %w", path, cause(err))
}

// cause drops the operation and paths from an *fs.PathError or
// *os.LinkError, for messages that name the path themselves.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
