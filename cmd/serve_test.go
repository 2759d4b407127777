package cmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

func TestServeFlags(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want serveOptions
	}{
		{nil, nil, serveOptions{listen: "127.0.0.1:8080", jobs: defaultJobs(), sandbox: "auto", retries: 2, memoryShare: 0.75,
			maxBody: "64MiB", drain: 30 * time.Second, cpuTime: 10 * time.Second, memory: "1GiB", logFormat: "json", statsInterval: 5 * time.Second, statsWindow: 15 * time.Minute, peerTimeout: 2 * time.Second, warm: "auto", rotateBuilds: 20000}},
		{[]string{"--listen", "0.0.0.0:9000", "--token-file", "tok", "-j", "16", "--bench", "codecontests=cc.jsonl", "--bench", "humanevalplus",
			"--max-queue", "500", "--drain-timeout", "5s", "--warm", "none", "--log-format", "text",
			"--peers", "10.0.0.2:8080,http://10.0.0.3:8080/scalebox", "--peer-timeout", "1s", "--stats-window", "1h"}, map[string]string{"SCALEBOX_RETRIES": "4"},
			serveOptions{listen: "0.0.0.0:9000", tokenFile: "tok", jobs: 16, sandbox: "auto", retries: 4, memoryShare: 0.75,
				benches: []string{"codecontests=cc.jsonl", "humanevalplus"}, maxQueue: 500, maxBody: "64MiB", drain: 5 * time.Second,
				cpuTime: 10 * time.Second, memory: "1GiB", logFormat: "text", statsInterval: 5 * time.Second, warm: "none", rotateBuilds: 20000,
				peers: []string{"10.0.0.2:8080", "http://10.0.0.3:8080/scalebox"}, peerTimeout: time.Second, statsWindow: time.Hour}},
	}
	for _, tt := range tests {
		var got *serveOptions
		home := t.TempDir()
		g := &globalOptions{deps: Deps{Stdout: &strings.Builder{}, Stderr: &strings.Builder{}, Getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return home
			}
			return tt.env[k]
		}}}
		c := NewServeCmd(g, func(_ context.Context, o *serveOptions) error { got = o; return nil })
		c.PersistentPreRunE = func(c *cobra.Command, _ []string) error {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			return g.loadConfig(c)
		}
		c.SetArgs(tt.args)
		if err := c.Execute(); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		got.g = nil
		if diff := cmp.Diff(tt.want, *got, cmp.AllowUnexported(serveOptions{})); diff != "" {
			t.Errorf("%v (-want +got):\n%s", tt.args, diff)
		}
	}
}

func TestServeUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{[]string{"serve", "--jobs", "0"}, "--jobs must be positive"},
		{[]string{"serve", "--listen", "8080"}, "--listen"},
		{[]string{"serve", "--bench", "a", "--bench", "b", "--data", "x"}, "--data goes with exactly one --bench"},
		{[]string{"serve", "--log-format", "xml"}, "--log-format"},
		{[]string{"serve", "--peers", "ftp://a:1"}, "--peers: peer \"ftp://a:1\""},
		{[]string{"serve", "--stats-window", "1s"}, "--stats-window"},
		{[]string{"serve", "--listen", "0.0.0.0:0", "--warm", "none"}, "--token-file"},
		{[]string{"serve", "--listen", "[::]:0", "--warm", "none"}, "--token-file"},
	} {
		_, stderr, code := run(t, context.Background(), "", tt.args...)
		if code != int(ExitUsage) || !strings.Contains(stderr, tt.says) {
			t.Errorf("%v: exit %d, %q; want %d saying %q", tt.args, code, stderr, ExitUsage, tt.says)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "localhost": true, "::1": true, "[::1]": true,
		"": false, "0.0.0.0": false, "::": false, "10.0.0.1": false, "example.com": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}
