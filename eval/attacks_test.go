package eval

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// attackDir holds the attack corpus: a benchmark and samples named
// NN-VERDICT-description, each naming its task on its first line.
const attackDir = "../testdata/attacks"

type attack struct {
	name   string
	expect judge.Verdict
	sample *benchmarks.Sample
}

func loadAttacks(t *testing.T) []attack {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(attackDir, "samples", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no attack samples: %v", err)
	}
	sort.Strings(files)
	var out []attack
	perTask := map[string]int{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(f)
		parts := strings.SplitN(base, "-", 3)
		if len(parts) != 3 {
			t.Fatalf("%s: name is not NN-VERDICT-description", base)
		}
		v, err := judge.Parse(parts[1])
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		_, task, ok := strings.Cut(first, "task: ")
		if !ok {
			t.Fatalf("%s: the first line does not name the task", base)
		}
		code := string(data)
		if strings.Contains(base, "huge-source") {
			pad := strings.Repeat("# "+strings.Repeat("padding ", 9)+"\n", 200_000)
			code = pad + code
		}
		lang := "python3"
		if strings.HasSuffix(base, ".cpp") {
			lang = "cpp"
		}
		task = strings.TrimSpace(task)
		s := &benchmarks.Sample{TaskID: task, Index: perTask[task], Code: code, Language: lang, Line: len(out) + 1}
		perTask[task]++
		out = append(out, attack{name: base, expect: v, sample: s})
	}
	return out
}

// TestAttackCorpus runs every attack on the real sandbox, concurrently with
// honest samples: each gets its expected verdict, nothing it started
// survives, the host's files are untouched, and the honest samples pass.
func TestAttackCorpus(t *testing.T) {
	for _, be := range []struct {
		name, backend string
		opts          runner.Options
	}{
		{"pool+fork-server", runner.BackendPool, runner.Options{}},
		{"pool", runner.BackendPool, runner.Options{NoPythonForkServer: true}},
		{"bwrap", runner.BackendBwrap, runner.Options{}},
	} {
		t.Run(be.name, func(t *testing.T) {
			// Registered first, so checked last: after the sandbox closed.
			t.Cleanup(func() { checkNoLeftovers(t) })
			sb, err := runner.NewSandbox(be.backend, be.opts)
			if err != nil {
				if os.Getenv("CI") == "true" {
					t.Fatalf("CI=true but the sandbox is unavailable: %v", err)
				}
				t.Skipf("sandbox unavailable: %v", err)
			}
			t.Cleanup(func() { sb.Close() })
			attackCorpus(t, sb)
		})
	}
}

// attackCorpus runs every hostile sample of testdata/attacks in sb.
func attackCorpus(t *testing.T, sb runner.Sandbox) {
	cfg, err := (&benchmarks.Registry{}).LoadFile(filepath.Join(attackDir, "attacks.toml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	attacks := loadAttacks(t)
	var samples []*benchmarks.Sample
	for _, a := range attacks {
		samples = append(samples, a.sample)
	}

	// A file on the host that no sample may see or change.
	var tag [8]byte
	rand.Read(tag[:])
	canary := filepath.Join(os.TempDir(), "scalebox-canary-"+hex.EncodeToString(tag[:]))
	if err := os.WriteFile(canary, []byte("14\nexpected\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(canary)

	opts := options(t, sb, b, samples)
	opts.Jobs = 4
	// Compile bombs are stopped by the compile limits; small ones keep
	// the test short.
	opts.Builder.Limits.CPUTime = 5 * time.Second
	opts.Builder.Limits.WallTime = 15 * time.Second
	opts.Builder.Limits.MemoryBytes = 512 << 20
	if _, err := PrepareReference(context.Background(), opts, ""); err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Samples) != len(attacks) {
		t.Fatalf("%d results for %d samples", len(res.Samples), len(attacks))
	}
	for i, a := range attacks {
		got := res.Samples[i]
		if got.Verdict != a.expect {
			t.Errorf("%s: verdict %s (%s), want %s", a.name, got.Verdict, got.Message, a.expect)
		}
	}

	// Nothing outlives the run: no daemon, no process of the sandbox user
	// that this run started.
	if pids := findProcs("scalebox-attack-daemon"); len(pids) > 0 {
		t.Errorf("processes outlived their tests: %v", pids)
	}
	if data, err := os.ReadFile(canary); err != nil || !bytes.Equal(data, []byte("14\nexpected\n")) {
		t.Errorf("the host's canary file changed: %q, %v", data, err)
	}
	for _, p := range []string{"/pwned", "/usr/pwned", "/etc/pwned"} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written on the host", p)
		}
	}
}

// findProcs lists /proc entries whose command line contains tag.
func findProcs(tag string) []string {
	var found []string
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		data, err := os.ReadFile(d)
		if err == nil && bytes.Contains(data, []byte(tag)) {
			found = append(found, d)
		}
	}
	return found
}
