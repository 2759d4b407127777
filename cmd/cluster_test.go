package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClusterNginxConf(t *testing.T) {
	out, stderr, code := run(t, context.Background(), t.TempDir(), "cluster", "nginx-conf", "--node", "10.0.0.1:8080=8", "--node", "10.0.0.2:8080", "--listen", "9000", "--max-request-time", "5m", "--max-body", "256MiB")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"server 10.0.0.1:8080 max_conns=8", "server 10.0.0.2:8080 max_fails", "listen 9000;", "proxy_read_timeout 360s;", "client_max_body_size 268435456;"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	path := filepath.Join(t.TempDir(), "nginx.conf")
	if _, stderr, code := run(t, context.Background(), t.TempDir(), "cluster", "nginx-conf", "--node", "h:1", "--out", path); code != 0 {
		t.Fatalf("--out: exit %d: %s", code, stderr)
	}
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), "server h:1 ") {
		t.Errorf("--out wrote %q, %v", data, err)
	}
	for _, args := range [][]string{{}, {"--node", "h"}, {"--node", "h:1=0"}, {"--node", "h:1", "--max-body", "1k"}, {"--node", "h:1", "--listen", "x:y"}} {
		if _, stderr, code := run(t, context.Background(), t.TempDir(), append([]string{"cluster", "nginx-conf"}, args...)...); code != int(ExitUsage) {
			t.Errorf("%v: exit %d, want %d (usage): %s", args, code, ExitUsage, stderr)
		}
	}
}
