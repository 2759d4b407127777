// Package cluster runs scalebox over many machines: it writes the nginx
// configuration that fronts a set of `scalebox serve` nodes, and (Remote)
// sends an evaluation's builds and tests to such nodes, a test case at a
// time, so that one evaluation spreads over all of them while the client
// judges and assembles the report exactly as a local run does.
package cluster

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"text/template"
	"time"
)

// Node is one `scalebox serve` node of a cluster.
type Node struct {
	// Addr is HOST:PORT.
	Addr string
	// Slots caps the requests nginx keeps in flight on the node at once
	// (nginx's max_conns); zero leaves it uncapped.
	Slots int
}

// ParseNode reads HOST:PORT[=SLOTS].
func ParseNode(s string) (Node, error) {
	addr, slots, hasSlots := strings.Cut(strings.TrimSpace(s), "=")
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return Node{}, fmt.Errorf("node %q: want HOST:PORT[=SLOTS], e.g. 10.0.0.1:8080=64", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return Node{}, fmt.Errorf("node %q: port %q is not a number from 1 to 65535", s, port)
	}
	if strings.ContainsAny(host, " \t;{}'\"#$\\") {
		return Node{}, fmt.Errorf("node %q: host %q has a character nginx would misread", s, host)
	}
	n := Node{Addr: addr}
	if hasSlots {
		k, err := strconv.Atoi(slots)
		if err != nil || k <= 0 {
			return Node{}, fmt.Errorf("node %q: slots %q is not a positive number", s, slots)
		}
		n.Slots = k
	}
	return n, nil
}

// NginxOptions shape the configuration NginxConfig writes.
type NginxOptions struct {
	Nodes []Node
	// Listen are nginx's listen addresses (PORT or HOST:PORT); none means
	// 127.0.0.1:8080.
	Listen []string
	// MaxRequestTime is the longest a request may take on a node (the
	// largest total_timeout a client sends, or a whole batch); nginx's
	// read and send timeouts are set a minute above it, so that nginx
	// never cuts a long evaluation short. Zero means 30 minutes.
	MaxRequestTime time.Duration
	// MaxBodyBytes is the largest request body (a batch with its tests);
	// it should be the nodes' --max-body. Zero means 64 MiB.
	MaxBodyBytes int64
	// Tries bounds how many nodes one request is tried on (the first and
	// the retries after an error, 502 or 503). Zero means up to 3.
	Tries int
	// Keepalive is the number of idle connections to the nodes each
	// nginx worker keeps; zero means 16 per node.
	Keepalive int
	// FailTimeout is how long a node that failed (connection error, 502,
	// 503) is left out; zero means 10 s.
	FailTimeout time.Duration
	// User, when set, is the user nginx's workers run as (nginx's user
	// directive, read only when nginx starts as root).
	User string
	// AccessLog and ErrorLog are where nginx logs (relative to its
	// prefix); empty means access.log and error.log. /dev/stdout and
	// /dev/stderr suit a container.
	AccessLog, ErrorLog string
}

// NginxConfig returns a complete nginx.conf for opts. Relative paths in it
// (pid, logs, temporary files) are under nginx's prefix, so that it runs
// from any directory: nginx -p DIR -c nginx.conf.
func NginxConfig(o NginxOptions) (string, error) {
	if len(o.Nodes) == 0 {
		return "", fmt.Errorf("nginx-conf: no node (give --node HOST:PORT[=SLOTS])")
	}
	seen := map[string]bool{}
	for _, n := range o.Nodes {
		if seen[n.Addr] {
			return "", fmt.Errorf("nginx-conf: node %s given twice", n.Addr)
		}
		seen[n.Addr] = true
	}
	if len(o.Listen) == 0 {
		o.Listen = []string{"127.0.0.1:8080"}
	}
	for _, l := range o.Listen {
		if err := checkListen(l); err != nil {
			return "", err
		}
	}
	if o.MaxRequestTime <= 0 {
		o.MaxRequestTime = 30 * time.Minute
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 20
	}
	if o.Tries <= 0 {
		o.Tries = min(3, len(o.Nodes))
	}
	if o.Keepalive <= 0 {
		o.Keepalive = 16 * len(o.Nodes)
	}
	if o.FailTimeout <= 0 {
		o.FailTimeout = 10 * time.Second
	}
	if o.AccessLog == "" {
		o.AccessLog = "access.log"
	}
	if o.ErrorLog == "" {
		o.ErrorLog = "error.log"
	}
	for what, v := range map[string]string{"user": o.User, "access log": o.AccessLog, "error log": o.ErrorLog} {
		if strings.ContainsAny(v, " \t;{}'\"#$\\") {
			return "", fmt.Errorf("nginx-conf: %s %q has a character nginx would misread", what, v)
		}
	}
	var b strings.Builder
	err := nginxTemplate.Execute(&b, map[string]any{
		"Nodes": o.Nodes, "Listen": o.Listen, "User": o.User, "AccessLog": o.AccessLog, "ErrorLog": o.ErrorLog,
		"TimeoutSeconds":     int64((o.MaxRequestTime + time.Minute).Seconds()),
		"MaxRequestTime":     o.MaxRequestTime.String(),
		"BodyBytes":          o.MaxBodyBytes,
		"Tries":              o.Tries,
		"Keepalive":          o.Keepalive,
		"FailTimeoutSeconds": int64(max(o.FailTimeout.Seconds(), 1)),
	})
	return b.String(), err
}

func checkListen(l string) error {
	port := l
	if strings.Contains(l, ":") {
		var err error
		if _, port, err = net.SplitHostPort(l); err != nil {
			return fmt.Errorf("nginx-conf: listen %q: want PORT or HOST:PORT", l)
		}
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return fmt.Errorf("nginx-conf: listen %q: port %q is not a number from 1 to 65535", l, port)
	}
	if strings.ContainsAny(l, " \t;{}'\"#$\\") {
		return fmt.Errorf("nginx-conf: listen %q has a character nginx would misread", l)
	}
	return nil
}

var nginxTemplate = template.Must(template.New("nginx").Parse(`# nginx in front of scalebox serve nodes; written by scalebox cluster nginx-conf.
# Run: nginx -p DIR -c nginx.conf (relative paths below are under DIR).
{{- if .User}}
user {{.User}};
{{- end}}
worker_processes auto;
worker_rlimit_nofile 65536;
pid nginx.pid;
error_log {{.ErrorLog}} warn;

events {
    worker_connections 16384;
}

http {
    client_body_temp_path client_body_temp;
    proxy_temp_path       proxy_temp;
    fastcgi_temp_path     fastcgi_temp;
    uwsgi_temp_path       uwsgi_temp;
    scgi_temp_path        scgi_temp;

    # Which node served each request, how long it took there and in all.
    log_format scalebox escape=json '{"time":"$time_iso8601","remote":"$remote_addr","request":"$request",'
        '"status":$status,"bytes":$body_bytes_sent,"request_time":$request_time,'
        '"upstream_addr":"$upstream_addr","upstream_status":"$upstream_status",'
        '"upstream_connect_time":"$upstream_connect_time","upstream_response_time":"$upstream_response_time",'
        '"request_id":"$scalebox_request_id"}';
    access_log {{.AccessLog}} scalebox;

    # The client's request id when it sends one, else nginx's.
    map $http_x_request_id $scalebox_request_id {
        ""      $request_id;
        default $http_x_request_id;
    }

    # A request runs on one node; an evaluation is a pure function of its
    # code and tests, so a request a node refused (503: its queue is full,
    # or it is draining), could not take (502) or never reached (error) is
    # sent to the next node -- but never one that timed out, which would
    # run long work twice.
    upstream scalebox {
        least_conn;
{{- range .Nodes}}
        server {{.Addr}}{{if .Slots}} max_conns={{.Slots}}{{end}} max_fails=1 fail_timeout={{$.FailTimeoutSeconds}}s;
{{- end}}
        keepalive {{.Keepalive}};
        keepalive_timeout 60s;
        keepalive_requests 100000;
    }

    server {
{{- range .Listen}}
        listen {{.}};
{{- end}}

        # The largest batch with its tests (the nodes' --max-body).
        client_max_body_size {{.BodyBytes}};
        client_body_buffer_size 1m;

        location / {
            proxy_pass http://scalebox;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Request-Id $scalebox_request_id;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;

            proxy_next_upstream error http_502 http_503 non_idempotent;
            proxy_next_upstream_tries {{.Tries}};

            # Above the longest request ({{.MaxRequestTime}}).
            proxy_connect_timeout 5s;
            proxy_send_timeout {{.TimeoutSeconds}}s;
            proxy_read_timeout {{.TimeoutSeconds}}s;
            send_timeout {{.TimeoutSeconds}}s;

            # Streams (/v1/evaluate with NDJSON) reach the client as they come.
            proxy_buffering off;
        }

        location = /nginx_status {
            stub_status;
            allow 127.0.0.1;
            allow ::1;
            deny all;
        }
    }
}
`))
