package cluster

import (
	"strings"
	"testing"
	"time"
)

func TestParseNode(t *testing.T) {
	good := map[string]Node{
		"127.0.0.1:9001":     {Addr: "127.0.0.1:9001"},
		"10.0.0.2:8080=32":   {Addr: "10.0.0.2:8080", Slots: 32},
		"node-3.lan:80=1":    {Addr: "node-3.lan:80", Slots: 1},
		"[::1]:8080=4":       {Addr: "[::1]:8080", Slots: 4},
		" 127.0.0.1:9001=2 ": {Addr: "127.0.0.1:9001", Slots: 2},
	}
	for in, want := range good {
		got, err := ParseNode(in)
		if err != nil || got != want {
			t.Errorf("ParseNode(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "127.0.0.1", ":8080", "h:0", "h:70000", "h:x", "h:80=0", "h:80=-1", "h:80=x", "a;b:80", "h{:80"} {
		if _, err := ParseNode(in); err == nil {
			t.Errorf("ParseNode(%q) accepted", in)
		}
	}
}

// TestNginxConfig checks each directive the cluster relies on.
func TestNginxConfig(t *testing.T) {
	conf, err := NginxConfig(NginxOptions{
		Nodes:  []Node{{Addr: "10.0.0.1:8080", Slots: 32}, {Addr: "10.0.0.2:8080"}},
		Listen: []string{"8080", "127.0.0.1:9000"}, MaxRequestTime: 10 * time.Minute, MaxBodyBytes: 128 << 20,
		User: "www-data",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"user www-data;",
		"least_conn;",
		"server 10.0.0.1:8080 max_conns=32 max_fails=1 fail_timeout=10s;",
		"server 10.0.0.2:8080 max_fails=1 fail_timeout=10s;",
		"keepalive 32;",
		"listen 8080;", "listen 127.0.0.1:9000;",
		"proxy_http_version 1.1;",
		`proxy_set_header Connection "";`,
		"proxy_next_upstream error http_502 http_503 non_idempotent;",
		"proxy_next_upstream_tries 2;",
		"proxy_read_timeout 660s;", "proxy_send_timeout 660s;",
		"client_max_body_size 134217728;",
		"$upstream_addr", "$upstream_response_time", "$request_time",
		"access_log access.log scalebox;",
		"pid nginx.pid;",
		"client_body_temp_path client_body_temp;",
	} {
		if !strings.Contains(conf, want) {
			t.Errorf("the configuration lacks %q:\n%s", want, conf)
		}
	}
	// A timed-out request is never sent to another node.
	for _, line := range strings.Split(conf, "\n") {
		if strings.Contains(line, "proxy_next_upstream ") && strings.Contains(line, "timeout") {
			t.Errorf("retries after a timeout: %s", line)
		}
	}
	if strings.Count(conf, "{") != strings.Count(conf, "}") {
		t.Errorf("unbalanced braces:\n%s", conf)
	}
}

func TestNginxConfigDefaults(t *testing.T) {
	conf, err := NginxConfig(NginxOptions{Nodes: []Node{{Addr: "a:1"}, {Addr: "b:1"}, {Addr: "c:1"}, {Addr: "d:1"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"listen 127.0.0.1:8080;", "proxy_next_upstream_tries 3;", "proxy_read_timeout 1860s;",
		"client_max_body_size 67108864;", "keepalive 64;"} {
		if !strings.Contains(conf, want) {
			t.Errorf("the configuration lacks %q", want)
		}
	}
	if strings.Contains(conf, "user ") {
		t.Error("a user directive without --user")
	}
}

func TestNginxConfigErrors(t *testing.T) {
	for name, o := range map[string]NginxOptions{
		"no node":      {},
		"twice":        {Nodes: []Node{{Addr: "a:1"}, {Addr: "a:1"}}},
		"listen port":  {Nodes: []Node{{Addr: "a:1"}}, Listen: []string{"a:b"}},
		"listen range": {Nodes: []Node{{Addr: "a:1"}}, Listen: []string{"0"}},
		"listen chars": {Nodes: []Node{{Addr: "a:1"}}, Listen: []string{"8080;"}},
		"user":         {Nodes: []Node{{Addr: "a:1"}}, User: "x; y"},
	} {
		if _, err := NginxConfig(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
