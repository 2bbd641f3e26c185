// Package dl opens shared libraries at run time and looks up their
// functions, through the C library's dlopen and dlsym.
//
// framepred uses it for native libraries that only some machines have (the
// NVIDIA driver, cuBLAS, NVRTC): the program links none of them, so one
// binary starts everywhere, and a missing library becomes an error that
// names it rather than a loader failure before main.
//
// A [Library] hands out function addresses as unsafe.Pointer values; calling
// them is the job of the package that knows their C signatures.
package dl
