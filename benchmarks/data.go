package benchmarks

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// DataDir is where `scalebox bench pull` stores datasets:
// $XDG_DATA_HOME/scalebox/data, or ~/.local/share/scalebox/data.
func DataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "scalebox", "data")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "scalebox", "data")
	}
	return ""
}

// PulledPath is where release r of benchmark name is stored once pulled.
func PulledPath(name string, r Release) string {
	return filepath.Join(DataDir(), name, r.Version, r.File)
}

// dataSource is the data of a benchmark as read: its parts (one per file,
// decompressed), or for a folder format the folder; the path shown to
// users, the sha256 of the data (of the parts one after the other; see
// treeSHA256 for a folder), and whether the user chose it (--data) rather
// than the configuration.
type dataSource struct {
	parts  []dataPart
	fsys   fs.FS
	shown  string
	sha256 string
	given  bool
}

// dataPart is one file of a benchmark's data.
type dataPart struct {
	data  []byte
	shown string
}

// folderFiles maps a format whose data spans several files of a folder
// (LiveCodeBench's releases) to what lists them: the files of dir to read,
// in order, for the configuration.
var folderFiles = map[string]func(cfg *Config, dir string) ([]string, error){}

// resolveData finds and reads a benchmark's data: --data (a file, or a
// folder holding one of the configured file names), else the configured
// path, else a pulled release.
func resolveData(cfg *Config, override string) (*dataSource, error) {
	if override != "" {
		path := override
		if fi, err := os.Stat(path); err == nil && fi.IsDir() && folderFiles[cfg.Format] == nil {
			if cfg.readsFolders() {
				return readDirSource(path, true)
			}
			found, err := findInDir(cfg, path)
			if err != nil {
				return nil, err
			}
			path = found
		}
		c := *cfg
		c.dir = ""
		return readSource(&c, path, true)
	}
	if cfg.Data.Path != "" {
		if p := cfg.Data.Path; cfg.readsFolders() && !strings.HasPrefix(p, embedPrefix) {
			if !filepath.IsAbs(p) && cfg.dir != "" {
				p = filepath.Join(cfg.dir, p)
			}
			return readDirSource(p, false)
		}
		return readSource(cfg, cfg.Data.Path, false)
	}
	if len(cfg.Data.Releases) == 0 {
		if cfg.readsFolders() {
			return nil, fmt.Errorf("benchmark %s has no data of its own: pass --data FOLDER", cfg.Name)
		}
		return nil, fmt.Errorf("benchmark %s has no data here: pass --data FILE or FOLDER (%s)", cfg.Name, strings.Join(cfg.Data.Files, ", "))
	}
	// A pulled release: the configured version first, then the newest.
	var tried []string
	for i := len(cfg.Data.Releases) - 1; i >= -1; i-- {
		var r Release
		if i == -1 {
			continue
		}
		r = cfg.Data.Releases[i]
		if r.Version != cfg.Version {
			continue
		}
		p := PulledPath(cfg.Name, r)
		tried = append(tried, p)
		if _, err := os.Stat(p); err == nil {
			return readSource(cfg, p, false)
		}
	}
	for i := len(cfg.Data.Releases) - 1; i >= 0; i-- {
		p := PulledPath(cfg.Name, cfg.Data.Releases[i])
		if _, err := os.Stat(p); err == nil {
			return readSource(cfg, p, false)
		}
	}
	return nil, fmt.Errorf("benchmark %s has no data here: pass --data FILE (or a folder), or download it with `scalebox bench pull %s` (looked for %s)",
		cfg.Name, cfg.Name, strings.Join(tried, ", "))
}

// findInDir looks for one of the benchmark's file names in dir.
func findInDir(cfg *Config, dir string) (string, error) {
	names := append([]string{}, cfg.Data.Files...)
	for i := len(cfg.Data.Releases) - 1; i >= 0; i-- {
		names = append(names, cfg.Data.Releases[i].File)
	}
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if len(names) == 0 {
		return "", fmt.Errorf("--data %s is a folder, and benchmark %s names no file to look for in it; give the file", dir, cfg.Name)
	}
	return "", fmt.Errorf("--data %s: none of %s is in this folder", dir, strings.Join(names, ", "))
}

func readSource(cfg *Config, path string, given bool) (*dataSource, error) {
	if cfg.readsFolders() {
		return nil, fmt.Errorf("format %s reads a folder, and %s is not one", cfg.Format, path)
	}
	if list := folderFiles[cfg.Format]; list != nil && !strings.HasPrefix(path, embedPrefix) {
		dir := path
		if !filepath.IsAbs(dir) && cfg.dir != "" {
			dir = filepath.Join(cfg.dir, dir)
		}
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			names, err := list(cfg, dir)
			if err != nil {
				return nil, err
			}
			return readFolder(dir, names, given)
		}
	}
	raw, shown, err := cfg.readData(path)
	if err != nil {
		return nil, err
	}
	data, err := Decompress(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	sum := sha256.Sum256(data)
	return &dataSource{parts: []dataPart{{data, shown}}, shown: shown, sha256: hex.EncodeToString(sum[:]), given: given}, nil
}

// readFolder reads the named files of dir, in order. The sha256 is that of
// their contents (decompressed) one after the other.
func readFolder(dir string, names []string, given bool) (*dataSource, error) {
	src := &dataSource{shown: dir, given: given}
	h := sha256.New()
	for _, n := range names {
		p := filepath.Join(dir, n)
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		data, err := Decompress(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		h.Write(data)
		src.parts = append(src.parts, dataPart{data, p})
	}
	src.sha256 = hex.EncodeToString(h.Sum(nil))
	return src, nil
}

// readsFolders reports whether the benchmark's format reads a folder.
func (c *Config) readsFolders() bool {
	_, ok := dirLoaders[c.Format]
	return ok
}

// readDirSource reads a folder of data.
func readDirSource(dir string, given bool) (*dataSource, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	fsys := os.DirFS(dir)
	sum, err := treeSHA256(fsys)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &dataSource{fsys: fsys, shown: dir, sha256: sum, given: given}, nil
}

// treeSHA256 is the sha256 of a folder's content: of the listing that
// sha256sum prints for every file under it, by path in byte order, which is
// what (cd DIR && find . -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0r sha256sum) | sha256sum
// computes. Symbolic links to files count as files; linked folders are not
// followed.
func treeSHA256(fsys fs.FS) (string, error) {
	var paths []string
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch {
		case d.Type().IsRegular():
			paths = append(paths, path)
		case d.Type()&fs.ModeSymlink != 0:
			if fi, err := fs.Stat(fsys, path); err == nil && fi.Mode().IsRegular() {
				paths = append(paths, path)
			}
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(paths)
	list := sha256.New()
	for _, p := range paths {
		f, err := fsys.Open(p)
		if err != nil {
			return "", err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		fmt.Fprintf(list, "%x  %s\n", h.Sum(nil), p)
	}
	return hex.EncodeToString(list.Sum(nil)), nil
}

// Decompress returns gzip data decompressed, anything else as it is. A
// benchmark's sha256 is that of its data after decompression, so a release
// matches whether it is stored compressed or not.
func Decompress(raw []byte) ([]byte, error) {
	if !bytes.HasPrefix(raw, []byte{0x1f, 0x8b}) {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(zr, 4<<30))
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	return data, nil
}

// matchRelease returns the release whose sha256 is sum.
func (c *Config) matchRelease(sum string) (Release, bool) {
	for _, r := range c.Data.Releases {
		if strings.EqualFold(r.SHA256, sum) {
			return r, true
		}
	}
	return Release{}, false
}

var errNoRelease = errors.New("no such release")

// FindRelease returns the release of the given version ("" = the
// configured version, or the newest).
func (c *Config) FindRelease(version string) (Release, error) {
	if version == "" {
		version = c.Version
	}
	for _, r := range c.Data.Releases {
		if r.Version == version {
			return r, nil
		}
	}
	var known []string
	for _, r := range c.Data.Releases {
		known = append(known, r.Version)
	}
	if len(known) == 0 {
		return Release{}, fmt.Errorf("benchmark %s has no downloadable releases: %w", c.Name, errNoRelease)
	}
	return Release{}, fmt.Errorf("benchmark %s has no release %q (known: %s): %w", c.Name, version, strings.Join(known, ", "), errNoRelease)
}
