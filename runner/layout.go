package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// CacheDir is where a language's prepared files (see Language.Prepare)
// are mounted inside the sandbox: writable in the prepare step, read-only
// in compile steps and runs.
const CacheDir = "/cache"

// buildLayout is how one build lays out its files and commands: the source
// under the name the language wants, its support files, the prepared
// cache, and the placeholders of the build.
type buildLayout struct {
	tc     *Toolchain
	files  map[string][]byte
	v      vars
	mounts []Mount
	env    []string
}

// argv expands a command of the language for this build.
func (l *buildLayout) argv(cmd []string) []string { return l.tc.expand(cmd, l.v) }

// layout names the source (Language.SourceFrom), adds the language's
// support files and runs its prepare step, once per Builder. An error means
// the machinery (or the toolchain's prepare step) failed.
func (b *Builder) layout(ctx context.Context, tc *Toolchain, files map[string][]byte) (*buildLayout, error) {
	l := tc.Lang
	src := files[l.Source]
	lay := &buildLayout{tc: tc, files: files, v: vars{dir: WorkDir, cache: CacheDir, source: l.Source, main: strings.TrimSuffix(l.Source, filepath.Ext(l.Source))}}
	if len(l.SupportFiles) > 0 || l.SourceFrom != "" {
		lay.files = maps.Clone(files)
	}
	if l.SourceFrom == sourceFromJavaClass {
		main, file := javaMain(src)
		lay.v.main = main
		if _, taken := lay.files[file]; file != "" && !taken {
			delete(lay.files, l.Source)
			lay.files[file] = src
			lay.v.source = file
		}
	}
	for name, data := range l.SupportFiles {
		if _, taken := lay.files[name]; !taken {
			lay.files[name] = []byte(data)
		}
	}
	if len(l.Prepare) == 0 {
		lay.env = append(slices.Clone(BaseEnv), lay.argv(l.Env)...)
		return lay, nil
	}
	key := prepareKey(tc)
	cache := filepath.Join(b.root, key, "cache")
	if b.hostPaths() {
		lay.v.cache = cache
	}
	lay.env = append(slices.Clone(BaseEnv), lay.argv(l.Env)...)
	if err := b.prepare(ctx, tc, key, lay); err != nil {
		return nil, err
	}
	if !b.hostPaths() {
		lay.mounts = []Mount{{Source: cache, Target: CacheDir}}
	}
	return lay, nil
}

// hostPaths reports whether the builder's sandbox runs commands on the
// host's file system: the unisolated backend translates only the work
// directory and writable mounts, so a command must name the cache by its
// host path.
func (b *Builder) hostPaths() bool { return b.sb.Name() == "none" }

// prepareLimits bound a prepare step: a compile step's limits with more
// time and threads, since it may compile a whole library once, in parallel
// (the toolchain's own code on the table's files: nothing untrusted runs).
func prepareLimits(lim Limits) Limits {
	lim.CPUTime = max(lim.CPUTime, 2*time.Minute)
	lim.WallTime = max(lim.WallTime, 5*time.Minute)
	lim.Processes = max(lim.Processes, 256)
	return lim
}

// prepare runs the language's prepare step once per Builder, into
// <root>/<key>/cache. Concurrent callers wait for one run. A step that
// fails is remembered (every later build gets its error at once); a
// sandbox failure or a cancellation is not.
func (b *Builder) prepare(ctx context.Context, tc *Toolchain, key string, lay *buildLayout) error {
	b.mu.Lock()
	e, ok := b.builds[key]
	if !ok {
		e = &buildEntry{done: make(chan struct{})}
		b.builds[key] = e
	}
	b.mu.Unlock()
	if ok {
		select {
		case <-e.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		return e.err
	}

	permanent, err := b.runPrepare(ctx, tc, key, lay)
	if err != nil {
		e.err = fmt.Errorf("prepare %s: %w", tc.Lang.ID, err)
		if !permanent {
			b.mu.Lock()
			delete(b.builds, key)
			b.mu.Unlock()
		}
	}
	close(e.done)
	return e.err
}

// runPrepare runs the prepare step; permanent says whether an error is the
// step's own failure (which a retry would repeat).
func (b *Builder) runPrepare(ctx context.Context, tc *Toolchain, key string, lay *buildLayout) (permanent bool, err error) {
	l := tc.Lang
	dir := filepath.Join(b.root, key)
	src := filepath.Join(dir, "src")
	cache := filepath.Join(dir, "cache")
	for _, d := range []string{src, cache} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return false, err
		}
	}
	_ = os.Chmod(dir, 0o711)
	if b.owner != nil {
		if err := os.Chown(cache, b.owner[0], b.owner[1]); err != nil {
			return false, err
		}
	}
	v := lay.v
	v.main = ""
	spec := &Spec{
		Args:   tc.expand(l.Prepare, v),
		Env:    lay.env,
		Dir:    WorkDir,
		Limits: prepareLimits(b.Limits),
	}
	for _, name := range slices.Sorted(maps.Keys(l.PrepareFiles)) {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte(l.PrepareFiles[name]), 0o644); err != nil {
			return false, err
		}
		spec.Mounts = append(spec.Mounts, Mount{Source: p, Target: WorkDir + "/" + name})
	}
	spec.Mounts = append(spec.Mounts, tc.Mounts...)
	spec.Mounts = append(spec.Mounts, Mount{Source: cache, Target: v.cache, Writable: true})
	r, err := b.sb.Run(ctx, spec)
	if err != nil {
		return false, err
	}
	if r.Status != StatusExited || r.ExitCode != 0 {
		return true, fmt.Errorf("%s", strings.TrimSpace(compileMessage(r, spec.Limits, b.MessageBytes)))
	}
	return false, nil
}

// prepareKey identifies a prepare step: toolchain, command, environment and
// files. It cannot collide with a build key (hex only).
func prepareKey(tc *Toolchain) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", tc.Lang.ID, tc.Version)
	for _, part := range [][]string{tc.Lang.Prepare, tc.Lang.Env} {
		for _, a := range part {
			fmt.Fprintf(h, "%s\x00", a)
		}
		h.Write([]byte{1})
	}
	for _, name := range slices.Sorted(maps.Keys(tc.Lang.PrepareFiles)) {
		fmt.Fprintf(h, "%s\x00%d\x00%s", name, len(tc.Lang.PrepareFiles[name]), tc.Lang.PrepareFiles[name])
	}
	return "prepare-" + hex.EncodeToString(h.Sum(nil))[:32]
}
