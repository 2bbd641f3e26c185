package decode

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// videoExts lists the file name extensions (lower case) that Files takes
// from directories. Files named on their own are taken whatever their name.
var videoExts = []string{
	".3gp", ".avi", ".flv", ".m2ts", ".m4v", ".mkv", ".mov", ".mp4",
	".mpeg", ".mpg", ".mts", ".mxf", ".nut", ".ogv", ".ts", ".webm", ".wmv", ".y4m",
}

// Files expands command-line arguments into a list of video files. A
// directory gives the video files below it (by extension: .mp4, .mkv, .webm, .mov, .avi and other video formats;
// hidden names are skipped) in lexical order; a pattern such as
// "clips/*.mp4" gives its matches in lexical order; any other path is taken
// as it is. The list has no duplicates. Files fails with a clear message if
// an argument matches nothing.
func Files(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, errors.New("decode: no input files given")
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		st, err := os.Stat(arg)
		switch {
		case err == nil && st.IsDir():
			files, err := videosIn(arg)
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				add(f)
			}
		case err == nil:
			add(arg)
		case errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(arg, "*?["):
			matches, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("decode: bad pattern %q: %w", arg, gerr)
			}
			// Like a shell, * does not match a leading dot.
			matches = slices.DeleteFunc(matches, func(m string) bool {
				return hidden(m) && !hidden(arg)
			})
			if len(matches) == 0 {
				return nil, fmt.Errorf("decode: no files match %q", arg)
			}
			for _, m := range matches { // sorted by Glob
				if st, err := os.Stat(m); err == nil && st.IsDir() {
					files, err := videosIn(m)
					if err != nil {
						return nil, err
					}
					for _, f := range files {
						add(f)
					}
					continue
				}
				add(m)
			}
		default:
			return nil, pathError(arg, err)
		}
	}
	return out, nil
}

// videosIn lists the video files below dir in lexical order.
func videosIn(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != dir && hidden(p) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() && slices.Contains(videoExts, strings.ToLower(filepath.Ext(p))) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, pathError(dir, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("decode: no video files in directory %s (looked for %s)", dir, strings.Join(videoExts, " "))
	}
	return files, nil
}

func hidden(p string) bool { return strings.HasPrefix(filepath.Base(p), ".") }
