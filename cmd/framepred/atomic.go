package main

import "framepred/internal/atomicfile"

// writeFile writes data to path the durable way (package atomicfile): a
// killed process leaves at most a ".<name>.*.tmp" file behind, never a half
// file under the name. Without force an existing file is never replaced,
// even one that appears while data is being written.
func writeFile(path string, data []byte, force bool) error {
	return fileError(atomicfile.WriteFile(path, data, force))
}

// checkNew fails if path exists.
func checkNew(path string) error { return fileError(atomicfile.CheckNew(path)) }

// fileError words an error from writing a file for the command line.
func fileError(err error) error { return atomicfile.Explain(err, "", "use --force to replace it") }
