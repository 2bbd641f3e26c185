package dl

/*
#cgo LDFLAGS: -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

// dlerror's message lives in thread-local storage, so each helper reads it
// in the same C call as the failing dlopen or dlsym and hands back a copy.

static char *dl_error_copy(void) {
	const char *e = dlerror();
	return e ? strdup(e) : NULL;
}

static void *dl_open(const char *name, char **err) {
	dlerror();
	void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
	if (!h) *err = dl_error_copy();
	return h;
}

static void *dl_sym(void *h, const char *name, char **err) {
	dlerror();
	void *p = dlsym(h, name);
	if (!p) *err = dl_error_copy();
	return p;
}

static int dl_close(void *h, char **err) {
	dlerror();
	int r = dlclose(h);
	if (r != 0) *err = dl_error_copy();
	return r;
}

// dl_path reports the file the loader chose for h, or NULL.
static const char *dl_path(void *h) {
	struct link_map *lm = NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL) return NULL;
	return lm->l_name;
}
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// Library is a shared library opened with [Open].
type Library struct {
	h    unsafe.Pointer
	name string
	path string
}

// Attempt records one name that [Open] tried and the loader's reason for
// refusing it.
type Attempt struct {
	Name string
	Err  string
}

// NotFound reports whether the loader found no file for the name, as
// opposed to finding one that it could not load (a missing dependency, the
// wrong architecture).
func (a Attempt) NotFound() bool {
	// glibc's message starts with the name it could not open; a missing
	// dependency names the dependency instead.
	return strings.HasPrefix(a.Err, a.Name+":") && strings.Contains(a.Err, "No such file")
}

// OpenError is returned by [Open] when no candidate could be loaded.
type OpenError struct {
	Tried []Attempt
}

func (e *OpenError) Error() string {
	var b strings.Builder
	b.WriteString("dl: cannot open ")
	for i, a := range e.Tried {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(a.Err)
	}
	return b.String()
}

// NotFound reports whether no candidate exists at all (every attempt failed
// with "no such file"), as opposed to one that exists and failed to load.
func (e *OpenError) NotFound() bool {
	for _, a := range e.Tried {
		if !a.NotFound() {
			return false
		}
	}
	return true
}

// Names lists the candidates that were tried, in order.
func (e *OpenError) Names() []string {
	n := make([]string, len(e.Tried))
	for i, a := range e.Tried {
		n[i] = a.Name
	}
	return n
}

// Open loads the first of the candidate libraries that the system's loader
// accepts. A candidate is a file name searched on the loader's path
// (LD_LIBRARY_PATH, the ld.so cache, /lib, /usr/lib) or a path with a slash.
// If none loads, the error is an *[OpenError] listing each attempt.
func Open(candidates ...string) (*Library, error) {
	if len(candidates) == 0 {
		return nil, errors.New("dl: Open needs at least one library name")
	}
	var tried []Attempt
	for _, name := range candidates {
		cname := C.CString(name)
		var cerr *C.char
		h := C.dl_open(cname, &cerr)
		C.free(unsafe.Pointer(cname))
		if h != nil {
			l := &Library{h: h, name: name, path: name}
			if p := C.dl_path(h); p != nil && C.strlen(p) > 0 {
				l.path = C.GoString(p)
			}
			return l, nil
		}
		tried = append(tried, Attempt{Name: name, Err: takeString(cerr, name+": cannot be loaded")})
	}
	return nil, &OpenError{Tried: tried}
}

// takeString converts and frees a C string from the helpers above.
func takeString(s *C.char, fallback string) string {
	if s == nil {
		return fallback
	}
	defer C.free(unsafe.Pointer(s))
	return C.GoString(s)
}

// Name is the candidate name that loaded.
func (l *Library) Name() string { return l.name }

// Path is the file the loader chose for the library, when it says.
func (l *Library) Path() string { return l.path }

// Symbol returns the address of the named function or variable.
func (l *Library) Symbol(name string) (unsafe.Pointer, error) {
	if l.h == nil {
		return nil, fmt.Errorf("dl: %s is closed", l.name)
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var cerr *C.char
	p := C.dl_sym(l.h, cname, &cerr)
	if p == nil {
		return nil, fmt.Errorf("dl: %s has no symbol %s: %s", l.name, name, takeString(cerr, "not found"))
	}
	return p, nil
}

// Close drops this handle on the library. The system unloads the library
// once no handle and no other library needs it; addresses from Symbol must
// not be used afterwards.
func (l *Library) Close() error {
	if l.h == nil {
		return nil
	}
	var cerr *C.char
	r := C.dl_close(l.h, &cerr)
	l.h = nil
	if r != 0 {
		return fmt.Errorf("dl: close %s: %s", l.name, takeString(cerr, "failed"))
	}
	return nil
}
