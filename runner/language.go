package runner

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

//go:embed languages.toml
var languagesTOML []byte

// Language describes how to build and run programs of one language. It is
// data (languages.toml), so adding a language touches no scheduling code.
type Language struct {
	ID      string `toml:"-"`
	Display string `toml:"display"`
	// Source is the name the program's source is given to the builder
	// under, and the file it is compiled from unless SourceFrom says
	// otherwise.
	Source string `toml:"source"`
	// SourceFrom derives the file name (and the {main} placeholder) from
	// the source: "java-public-class" names it after its public class.
	SourceFrom string              `toml:"source_from"`
	Tools      map[string][]string `toml:"tools"`
	Compile    []string            `toml:"compile"`
	Artifacts  []string            `toml:"artifacts"`
	Run        []string            `toml:"run"`
	Version    []string            `toml:"version"`
	// Env is added to BaseEnv for the prepare step, compile steps and runs;
	// placeholders are expanded.
	Env []string `toml:"env"`
	// Mounts are host paths (or glob patterns) bound read-only at the same
	// path in every sandbox of the language, when they exist and are not
	// visible already: configuration the toolchain reads (/etc/mono).
	Mounts []string `toml:"mounts"`
	// SupportFiles are written next to the source of every build (and are
	// part of its cache key): declarations a compiler needs.
	SupportFiles map[string]string `toml:"support_files"`
	// Prepare runs once per Builder and toolchain, in the sandbox, with
	// PrepareFiles in its work directory and {cache} writable; {cache} is
	// then bound read-only into every compile step and run of the
	// language (a precompiled header, a warm build cache, a class-data
	// archive). A failing prepare step fails every build of the language.
	Prepare        []string          `toml:"prepare"`
	PrepareFiles   map[string]string `toml:"prepare_files"`
	DebianPackages []string          `toml:"debian_packages"`
	Hello          string            `toml:"hello"`
}

// Languages is the language table.
type Languages map[string]*Language

// DefaultLanguages parses the embedded language table.
func DefaultLanguages() (Languages, error) {
	var raw map[string]*Language
	md, err := toml.Decode(string(languagesTOML), &raw)
	if err != nil {
		return nil, fmt.Errorf("languages.toml: %w", err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("languages.toml: unknown key %q", und[0].String())
	}
	for id, l := range raw {
		l.ID = id
		if err := l.validate(); err != nil {
			return nil, fmt.Errorf("languages.toml: language %q: %w", id, err)
		}
	}
	return raw, nil
}

// Placeholders every command may use besides the language's tool names.
var placeholders = []string{"dir", "out", "cache", "source", "main"}

// validate checks what the table's decoder cannot: required fields, known
// source_from rules, and that every {placeholder} is defined.
func (l *Language) validate() error {
	if l.Source == "" || len(l.Run) == 0 {
		return errors.New("needs source and run")
	}
	if l.Source != filepath.Base(l.Source) {
		return fmt.Errorf("source %q must be a file name", l.Source)
	}
	if l.SourceFrom != "" && l.SourceFrom != sourceFromJavaClass {
		return fmt.Errorf("unknown source_from %q (known: %s)", l.SourceFrom, sourceFromJavaClass)
	}
	for name := range l.Tools {
		if slices.Contains(placeholders, name) {
			return fmt.Errorf("tool name %q is a reserved placeholder", name)
		}
		if !toolNameRE.MatchString(name) {
			return fmt.Errorf("tool name %q must be lowercase letters, digits and _", name)
		}
	}
	for name := range l.SupportFiles {
		if name != filepath.Base(name) || name == l.Source {
			return fmt.Errorf("support file %q must be a file name other than the source", name)
		}
	}
	for name := range l.PrepareFiles {
		if name != filepath.Base(name) {
			return fmt.Errorf("prepare file %q must be a file name", name)
		}
	}
	for _, argv := range [][]string{l.Compile, l.Run, l.Version, l.Prepare, l.Env} {
		for _, a := range argv {
			for _, m := range placeholderRE.FindAllStringSubmatch(a, -1) {
				if strings.HasPrefix(m[0], "$") {
					continue
				}
				if _, ok := l.Tools[m[1]]; !ok && !slices.Contains(placeholders, m[1]) {
					return fmt.Errorf("unknown placeholder {%s} in %q", m[1], a)
				}
			}
		}
	}
	return nil
}

// placeholderRE matches a {name} placeholder, and a shell's ${name}, which
// is left alone.
var (
	placeholderRE = regexp.MustCompile(`\$?\{([a-z][a-z0-9_]*)\}`)
	toolNameRE    = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
)

// IDs returns the language ids in sorted order.
func (ls Languages) IDs() []string {
	ids := make([]string, 0, len(ls))
	for id := range ls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Toolchain is a language whose tools were found on this machine.
type Toolchain struct {
	Lang    *Language
	Tools   map[string]string // tool name -> absolute host path
	Version string            // first line of the version command's output
	// Mounts make tools outside the sandbox's system directories visible.
	Mounts []Mount
}

// ToolchainError says why a language cannot be used here and how to fix it.
type ToolchainError struct {
	Lang    string
	Reason  string
	Install string
}

func (e *ToolchainError) Error() string {
	msg := fmt.Sprintf("language %s: %s", e.Lang, e.Reason)
	if e.Install != "" {
		msg += "; install it with: " + e.Install
	}
	return msg
}

// Resolver finds toolchains once and remembers the answer. It is safe for
// concurrent use.
type Resolver struct {
	langs   Languages
	visible func(path string) bool
	mu      sync.Mutex
	cache   map[string]resolved
}

type resolved struct {
	tc  *Toolchain
	err error
}

// NewResolver returns a Resolver over langs. visible reports whether a host
// path is visible inside the sandbox as it is; tools that are not get their
// installation directory bound read-only.
func NewResolver(langs Languages, visible func(string) bool) *Resolver {
	if visible == nil {
		visible = func(string) bool { return true }
	}
	return &Resolver{langs: langs, visible: visible, cache: map[string]resolved{}}
}

// Languages returns the table the resolver works on.
func (r *Resolver) Languages() Languages { return r.langs }

// Toolchain resolves the tools of language id.
func (r *Resolver) Toolchain(id string) (*Toolchain, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.cache[id]; ok {
		return c.tc, c.err
	}
	tc, err := r.resolve(id)
	r.cache[id] = resolved{tc, err}
	return tc, err
}

func (r *Resolver) resolve(id string) (*Toolchain, error) {
	l, ok := r.langs[id]
	if !ok {
		return nil, &ToolchainError{Lang: id, Reason: fmt.Sprintf("unknown language (known: %s)", strings.Join(r.langs.IDs(), ", "))}
	}
	install := ""
	if len(l.DebianPackages) > 0 {
		install = installHint(strings.Join(l.DebianPackages, " "))
	}
	tc := &Toolchain{Lang: l, Tools: map[string]string{}}
	for name, candidates := range l.Tools {
		p := findTool(candidates)
		if p == "" {
			return nil, &ToolchainError{Lang: id, Reason: fmt.Sprintf("tool %s not found (tried %s)", name, strings.Join(candidates, ", ")), Install: install}
		}
		tc.Tools[name] = p
		if !r.visible(p) {
			// /usr/local/bin/python3 -> bind /usr/local; /opt/x/bin/y -> /opt/x.
			root := filepath.Dir(filepath.Dir(p))
			if !slices.ContainsFunc(tc.Mounts, func(m Mount) bool { return m.Source == root }) {
				tc.Mounts = append(tc.Mounts, Mount{Source: root, Target: root})
			}
		}
	}
	for _, pattern := range l.Mounts {
		matches, _ := filepath.Glob(pattern)
		for _, m := range matches {
			if !r.visible(m) && !slices.ContainsFunc(tc.Mounts, func(x Mount) bool { return x.Source == m }) {
				tc.Mounts = append(tc.Mounts, Mount{Source: m, Target: m})
			}
		}
	}
	if len(l.Version) > 0 {
		argv := tc.Expand(l.Version, "")
		out, err := outputOwned(exec.Command(argv[0], argv[1:]...), true)
		if err != nil {
			return nil, &ToolchainError{Lang: id, Reason: fmt.Sprintf("%s does not run: %v: %s", argv[0], err, firstLine(out)), Install: install}
		}
		tc.Version = firstLine(out)
	}
	return tc, nil
}

// findTool returns the absolute path of the first candidate that exists and
// is executable. Symlinks are kept (/usr/bin/python3), but a version-manager
// shim (a script that re-dispatches, like pyenv's) is skipped: it is slow and
// depends on the caller's environment.
func findTool(candidates []string) string {
	for _, c := range candidates {
		p := c
		if !filepath.IsAbs(c) {
			var err error
			if p, err = exec.LookPath(c); err != nil {
				continue
			}
			if p, err = filepath.Abs(p); err != nil {
				continue
			}
		}
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 || isShim(p) {
			continue
		}
		return p
	}
	return ""
}

// isShim reports whether p is a script generated by a version manager.
func isShim(p string) bool {
	if strings.Contains(p, "/shims/") {
		return true
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := f.Read(head)
	head = head[:n]
	return bytes.HasPrefix(head, []byte("#!")) && (bytes.Contains(head, []byte("pyenv")) || bytes.Contains(head, []byte("asdf")))
}

// Expand substitutes the {tool}, {dir}, {out} and {cache} placeholders in
// argv; {source} and {main} name the language's default source file and
// its stem.
func (tc *Toolchain) Expand(argv []string, dir string) []string {
	src := tc.Lang.Source
	return tc.expand(argv, vars{dir: dir, cache: CacheDir, source: src, main: strings.TrimSuffix(src, filepath.Ext(src))})
}

// vars are the values of a build's placeholders other than tools.
type vars struct {
	dir, cache, source, main string
}

// expand substitutes every placeholder.
func (tc *Toolchain) expand(argv []string, v vars) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = placeholderRE.ReplaceAllStringFunc(a, func(m string) string {
			if m[0] == '$' {
				return m
			}
			name := m[1 : len(m)-1]
			if p, ok := tc.Tools[name]; ok {
				return p
			}
			switch name {
			case "dir":
				return v.dir
			case "out":
				return OutDir
			case "cache":
				return v.cache
			case "source":
				return v.source
			case "main":
				return v.main
			}
			return m
		})
	}
	return out
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
