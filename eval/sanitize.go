package eval

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/runner"
)

// Limits of the sanitizer's process, which reads every sample at once.
const (
	sanitizeCPUTime     = 60 * time.Second
	sanitizeWallTime    = 3 * time.Minute
	sanitizeMemoryBytes = 2 << 30
	sanitizeOutputBytes = 256 << 20
)

// sanitizeItem is one text for the sanitizer (benchmarks/harness/sanitize.py).
type sanitizeItem struct {
	Code       string `json:"code"`
	EntryPoint string `json:"entry_point"`
	// Prompt's top-level names are kept with the entry point: a problem's
	// tests may call them.
	Prompt string `json:"prompt,omitempty"`
}

// sanitizeLine is one line of the sanitizer's output.
type sanitizeLine struct {
	Ready bool    `json:"ready"`
	I     *int    `json:"i"`
	Code  *string `json:"code"`
	// Defines says that Code binds the entry point at top level.
	Defines bool    `json:"defines"`
	Error   *string `json:"error"`
}

// Sanitize replaces the code of each Python sample whose problem has an
// entry point with the program it means, as evalplus's sanitizer does for
// chat models' answers: the code in the answer's markdown fences or, in
// prose, its longest run of lines that parses, stripped of everything the
// entry point does not need (tests, prints, `if __name__ == "__main__":`
// blocks, unrelated helpers) while imports and the definitions it reaches
// stay as written. A completion is sanitized with its prompt and becomes a
// whole program (Completion false). A sample is left unchanged when its
// sanitized code would not define the entry point (or when the sanitizer
// gives up on it). All samples are read by one sandboxed Python process.
//
// Sanitize returns how many samples changed; an error means the machinery
// failed (no Python, the sandbox), and then no sample is changed, nor when
// ctx is cancelled. It modifies samples in place: nothing may read them
// meanwhile.
func Sanitize(ctx context.Context, opts Options, samples []*benchmarks.Sample) (changed int, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b := opts.Benchmark
	langs := opts.Resolver.Languages()
	var todo []*benchmarks.Sample
	var items []sanitizeItem
	for _, s := range samples {
		p, ok := b.Problem(s.TaskID)
		if !ok || p.EntryPoint == "" {
			continue
		}
		if l := langs[b.SampleLanguage(p, s)]; l == nil || !strings.HasSuffix(l.Source, ".py") {
			continue
		}
		code := s.Code
		if s.Completion {
			code = p.Prompt + s.Code
		}
		todo = append(todo, s)
		items = append(items, sanitizeItem{Code: code, EntryPoint: p.EntryPoint, Prompt: p.Prompt})
	}
	if len(items) == 0 {
		return 0, nil
	}
	res, err := runSanitizer(ctx, opts, items)
	if err != nil {
		return 0, fmt.Errorf("sanitize: %w", err)
	}
	for i, s := range todo {
		r := res[i]
		if r == nil || r.Code == nil || !r.Defines || *r.Code == items[i].Code {
			continue
		}
		s.Code, s.Completion = *r.Code, false
		changed++
	}
	return changed, nil
}

// runSanitizer runs the sanitizer on items and returns its line for each
// (nil where it has none). When the process dies on an item (one too large
// for the limits), that item alone is given up: the rest run in a new one.
func runSanitizer(ctx context.Context, opts Options, items []sanitizeItem) ([]*sanitizeLine, error) {
	tc, err := opts.Resolver.Toolchain("python3")
	if err != nil {
		return nil, err
	}
	e := staged{opts}
	var br *runner.BuildResult
	if _, err := e.retry(ctx, func() error {
		var err error
		br, err = opts.Builder.Stage(ctx, tc, map[string][]byte{tc.Lang.Source: benchmarks.SanitizeHarness()})
		return err
	}); err != nil {
		return nil, err
	}
	lim := e.limits()
	lim.CPUTime, lim.WallTime = sanitizeCPUTime, sanitizeWallTime
	lim.MemoryBytes, lim.OutputBytes = sanitizeMemoryBytes, sanitizeOutputBytes
	out := make([]*sanitizeLine, len(items))
	for start := 0; start < len(items); {
		var mark [16]byte
		rand.Read(mark[:])
		marker := "scalebox-sanitize-" + hex.EncodeToString(mark[:])
		stdin, err := json.Marshal(struct {
			Marker string         `json:"marker"`
			Items  []sanitizeItem `json:"items"`
		}{marker, items[start:]})
		if err != nil {
			return nil, err
		}
		r, err := e.runStaged(ctx, tc, br.Program, tc.Lang.Source, stdin, lim)
		if err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		lines, complete, err := parseSanitizer(r.Stdout, marker)
		if err != nil {
			return nil, err
		}
		ready, next := false, start
		for _, l := range lines {
			switch {
			case l.Ready:
				ready = true
			case l.I != nil && *l.I >= 0 && start+*l.I < len(out):
				out[start+*l.I] = l
				next = max(next, start+*l.I+1)
			}
		}
		if complete {
			break
		}
		if !ready {
			return nil, fmt.Errorf("the sanitizer failed (%s, exit %d): %s", r.Status, r.ExitCode, lastLines(r.Stderr, 3))
		}
		if next < len(out) {
			opts.Logger.Warn("the sanitizer ended on a sample, which stays as it is", "item", next, "status", r.Status, "note", r.Note)
		}
		start = next + 1
	}
	return out, nil
}

// parseSanitizer reads the sanitizer's lines up to the marker; complete
// reports whether the marker was seen.
func parseSanitizer(stdout []byte, marker string) (lines []*sanitizeLine, complete bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(make([]byte, 64<<10), sanitizeOutputBytes+1)
	for sc.Scan() {
		t := sc.Bytes()
		if len(bytes.TrimSpace(t)) == 0 {
			continue
		}
		if string(t) == marker {
			return lines, true, nil
		}
		l := &sanitizeLine{}
		if err := json.Unmarshal(t, l); err != nil {
			// A line cut short by the process's death: the lines before it
			// stand.
			return lines, false, nil
		}
		lines = append(lines, l)
	}
	return lines, false, sc.Err()
}
