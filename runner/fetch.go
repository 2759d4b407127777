package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Fetching files: a run may name files of its work directory to be read
// after the program ends, before the sandbox is emptied (SandboxFusion's
// fetch_files). Only regular files are read, through no symbolic link
// (every component is opened with O_NOFOLLOW, from the work directory
// down), never blocking (O_NONBLOCK; a FIFO or device is not a regular
// file and is not opened for reading at all past fstat), and within caps:
// each file at most FetchFileBytes, all of them together FetchBytes. A
// name that leaves the work directory, or a file that is missing or not a
// regular file, is left out of Result.Files.

// MaxFetchFiles bounds how many files one run may fetch.
const MaxFetchFiles = 64

// defaultFetchBytes caps the contents fetched from one run when the spec
// says nothing.
const defaultFetchBytes = 16 << 20

// FetchedFile is a file read from a run's work directory.
type FetchedFile struct {
	// Name is the name as Spec.Fetch gave it.
	Name string `json:"name"`
	Data []byte `json:"data"`
	// Truncated says the file was larger than its cap and Data is its
	// beginning.
	Truncated bool `json:"truncated,omitempty"`
}

// fetchCaps are the caps of one run's fetch.
type fetchCaps struct {
	perFile, total int64
}

func capsOf(spec *Spec) fetchCaps {
	c := fetchCaps{total: spec.FetchBytes}
	if c.total <= 0 {
		c.total = defaultFetchBytes
	}
	c.perFile = c.total
	if l := spec.Limits.FileSizeBytes; l > 0 && l < c.perFile {
		c.perFile = l
	}
	return c
}

// checkFetch validates a spec's fetch list.
func checkFetch(spec *Spec) error {
	if len(spec.Fetch) > MaxFetchFiles {
		return fmt.Errorf("sandbox: %d files to fetch, at most %d", len(spec.Fetch), MaxFetchFiles)
	}
	return nil
}

// fetchPath turns a name to fetch into its components below dir: relative
// to dir, or absolute inside it. ok is false for a name that leaves dir
// (through "..", or an absolute path elsewhere) or names dir itself.
func fetchPath(dir, name string) (parts []string, ok bool) {
	if name == "" || strings.ContainsRune(name, 0) {
		return nil, false
	}
	if strings.HasPrefix(name, "/") {
		rel, in := strings.CutPrefix(path.Clean(name), strings.TrimSuffix(dir, "/")+"/")
		if !in {
			return nil, false
		}
		name = rel
	}
	// A ".." anywhere is refused, even one that would come back inside:
	// it would go through a directory the program made, perhaps a link.
	for _, p := range strings.Split(name, "/") {
		if p == ".." {
			return nil, false
		}
	}
	clean := path.Clean(name)
	if clean == "." || strings.HasPrefix(clean, "/") {
		return nil, false
	}
	return strings.Split(clean, "/"), true
}

// fetchFiles reads the named files below the directory open at dirfd.
// Names that do not lead to a regular file are left out.
func fetchFiles(dirfd int, dir string, names []string, caps fetchCaps) []FetchedFile {
	var out []FetchedFile
	left := caps.total
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		parts, ok := fetchPath(dir, name)
		if !ok {
			continue
		}
		f, err := openBeneath(dirfd, parts)
		if err != nil {
			continue
		}
		limit := min(caps.perFile, left)
		data, truncated, err := readCapped(f, limit)
		f.Close()
		if err != nil {
			continue
		}
		left -= int64(len(data))
		out = append(out, FetchedFile{Name: name, Data: data, Truncated: truncated})
	}
	return out
}

// openBeneath opens the regular file at parts below dirfd without
// following any symbolic link and without blocking; anything else (a
// FIFO, a device, a directory, a socket) is refused. parts is never empty.
func openBeneath(dirfd int, parts []string) (*os.File, error) {
	fd := dirfd
	closeFd := func() {
		if fd != dirfd {
			unix.Close(fd)
		}
	}
	for i, p := range parts {
		flags := unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_NOCTTY
		if i < len(parts)-1 {
			flags |= unix.O_DIRECTORY
		}
		// O_NONBLOCK: opening a FIFO for reading returns at once; fstat
		// refuses it below, before anything reads.
		next, err := unix.Openat(fd, p, flags, 0)
		closeFd()
		if err != nil {
			return nil, err
		}
		fd = next
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		closeFd()
		return nil, errors.New("not a regular file")
	}
	return os.NewFile(uintptr(fd), parts[len(parts)-1]), nil
}

// readCapped reads at most limit bytes of f and says whether there was more.
func readCapped(f *os.File, limit int64) ([]byte, bool, error) {
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, false, err
	}
	if int64(len(data)) > limit {
		return data[:limit], true, nil
	}
	return data, false, nil
}
