package cmd

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestBenchPull downloads a dataset from a local HTTP server standing in for
// the release location, checks its pinned sha256, and evaluates it without
// --data.
func TestBenchPull(t *testing.T) {
	problems := []byte(`{"task_id": "t/echo", "kind": "stdio", "tests": [{"input": "hi\n", "output": "hi\n"}]}` + "\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(problems)
	zw.Close()
	sum := sha256.Sum256(problems)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/good.jsonl.gz":
			w.Write(gz.Bytes())
		case "/tampered.jsonl.gz":
			bad := bytes.Clone(gz.Bytes())
			copy(bad[len(bad)-8:], make([]byte, 8))
			w.Write(bad)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	home := t.TempDir()
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	bdir := filepath.Join(home, "scalebox", "benchmarks")
	os.MkdirAll(bdir, 0o755)
	write := func(path string) {
		os.WriteFile(filepath.Join(bdir, "tiny.toml"), []byte(`name = "tiny"
version = "v1"
[[data.releases]]
version = "v1"
url = "`+srv.URL+path+`"
file = "tiny.jsonl.gz"
sha256 = "`+hex.EncodeToString(sum[:])+`"
`), 0o644)
	}

	write("/tampered.jsonl.gz")
	_, stderr, code := run(t, context.Background(), home, "bench", "pull", "tiny")
	if code != 1 || !strings.Contains(stderr, "tampered.jsonl.gz") {
		t.Fatalf("tampered download: exit %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(home, "data", "scalebox", "data", "tiny", "v1", "tiny.jsonl.gz")); err == nil {
		t.Fatal("a download that failed verification was kept")
	}
	_, stderr, code = run(t, context.Background(), home, "eval", "--bench", "tiny", "--samples", "/dev/null")
	if code != 1 || !strings.Contains(stderr, "scalebox bench pull tiny") {
		t.Errorf("no data: exit %d, stderr %q, want advice to pull", code, stderr)
	}

	write("/good.jsonl.gz")
	stdout, stderr, code := run(t, context.Background(), home, "bench", "pull", "tiny")
	if code != 0 || !strings.Contains(stdout, "sha256 verified") {
		t.Fatalf("pull: exit %d\n%s%s", code, stdout, stderr)
	}
	before := hits.Load()
	if _, _, code := run(t, context.Background(), home, "bench", "pull", "tiny"); code != 0 || hits.Load() != before {
		t.Errorf("a second pull downloaded again (exit %d)", code)
	}
	stdout, _, code = run(t, context.Background(), home, "bench", "show", "tiny")
	if code != 0 || !strings.Contains(stdout, "t/echo") {
		t.Errorf("show after pull: exit %d\n%s", code, stdout)
	}
}
