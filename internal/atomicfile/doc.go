// Package atomicfile writes framepred's durable outputs (checkpoints,
// videos, images, reports) so that a reader of the final name sees either
// what was there before or the whole new file, never part of one.
//
// # How a file is written
//
// The data goes to a hidden temporary file in the target's folder, named
// ".<name>.<digits>.tmp". When it is complete the file is synced, made
// readable (mode 0644), closed and put in place:
//
//   - without force with a hard link, which fails if the name exists, so a
//     file that appeared while the data was being written is never replaced
//     (on file systems without hard links: a check, then a rename);
//   - with force with a rename, which replaces an existing file in one step.
//
// The folder is then synced so that the new name survives a crash. On any
// failure before the file takes its name the temporary file is removed and
// nothing appears under the final name. A process killed mid-write leaves
// at most a temporary file, which [Target] recognises.
//
// # Use
//
// [WriteFile] writes bytes held in memory. [Create] returns a [File] to
// stream into; [Reserve] makes an empty temporary file for a writer that
// opens files by name (FFmpeg), to be filled and then committed. Either
// ends with Commit or Abort.
//
// # Errors
//
// An existing file in the way of a write without force is an
// [*ExistsError], which matches [fs.ErrExist] and names the path. Messages
// carry no package prefix and no advice on replacing the file: callers add
// their own ("encode: ... (set Force to replace it)").
package atomicfile
