package cmd

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/cluster"
)

// NewClusterCmd returns `scalebox cluster`, the commands that set up many
// serve nodes behind one front door.
func NewClusterCmd(g *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "cluster",
		Short: "Set up many scalebox serve nodes behind nginx (docs/cluster.md)",
		Args:  cobra.NoArgs,
	}
	c.AddCommand(newNginxConfCmd(g))
	return c
}

type nginxConfOptions struct {
	nodes       []string
	listen      []string
	out         string
	maxRequest  time.Duration
	maxBody     string
	tries       int
	keepalive   int
	failTimeout time.Duration
	user        string
	accessLog   string
	errorLog    string
}

func newNginxConfCmd(g *globalOptions) *cobra.Command {
	o := &nginxConfOptions{}
	c := &cobra.Command{
		Use:   "nginx-conf --node HOST:PORT[=SLOTS]... [--listen ADDR]... [--out FILE]",
		Short: "Write the nginx configuration that fronts a set of serve nodes",
		Long: `Write a complete nginx.conf that spreads requests over scalebox serve nodes:
least_conn balancing, at most SLOTS requests in flight per node (max_conns),
keepalive connections to the nodes (HTTP/1.1), a request that a node
refused (503, 502) or never reached sent to the next node (bounded tries,
never after a timeout), timeouts above the longest request, a body limit
that fits the largest batch, and an access log (JSON lines) naming the node
and the times of every request. SandboxFusion and ScaleBox clients (verl)
pointed at nginx work unchanged; so does scalebox eval --remote.

Paths in it are relative to nginx's prefix: run it with
  nginx -p DIR -c nginx.conf
(DIR holds nginx.pid, access.log, error.log and the *_temp folders).`,
		Example: `  scalebox cluster nginx-conf --node 10.0.0.1:8080=32 --node 10.0.0.2:8080=32 --listen 8080 --out /etc/scalebox/nginx.conf
  scalebox cluster nginx-conf --node 127.0.0.1:9001 --node 127.0.0.1:9002 --max-request-time 10m`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var nodes []cluster.Node
			for _, s := range o.nodes {
				n, err := cluster.ParseNode(s)
				if err != nil {
					return usageError("--node: %v", err)
				}
				nodes = append(nodes, n)
			}
			if len(nodes) == 0 {
				return usageError("--node is required (HOST:PORT[=SLOTS], once per serve node)")
			}
			body, err := benchmarks.ParseByteSize(o.maxBody)
			if err != nil || body < 1<<20 {
				return usageError("--max-body %q: want a size of at least 1MiB, e.g. 64MiB", o.maxBody)
			}
			if o.maxRequest <= 0 || o.tries < 0 || o.keepalive < 0 || o.failTimeout < 0 {
				return usageError("--max-request-time must be positive; --tries, --keepalive and --fail-timeout must not be negative")
			}
			conf, err := cluster.NginxConfig(cluster.NginxOptions{
				Nodes: nodes, Listen: o.listen, MaxRequestTime: o.maxRequest, MaxBodyBytes: int64(body),
				Tries: o.tries, Keepalive: o.keepalive, FailTimeout: o.failTimeout, User: o.user,
				AccessLog: o.accessLog, ErrorLog: o.errorLog,
			})
			if err != nil {
				return usageError("%v", err)
			}
			if o.out == "" {
				_, err = fmt.Fprint(g.deps.Stdout, conf)
				return err
			}
			return os.WriteFile(o.out, []byte(conf), 0o644)
		},
	}
	f := c.Flags()
	f.StringArrayVar(&o.nodes, "node", nil, "a serve node, HOST:PORT[=SLOTS] (repeatable); SLOTS caps its requests in flight")
	f.StringArrayVar(&o.listen, "listen", nil, "where nginx listens, PORT or HOST:PORT (repeatable; default 127.0.0.1:8080)")
	f.StringVarP(&o.out, "out", "o", "", "write the configuration here (default: stdout)")
	f.DurationVar(&o.maxRequest, "max-request-time", 30*time.Minute, "the longest a request may take on a node (the largest total_timeout or batch); nginx waits a minute more")
	f.StringVar(&o.maxBody, "max-body", "64MiB", "the largest request body (use the nodes' --max-body)")
	f.IntVar(&o.tries, "tries", 0, "nodes one request may be tried on after errors, 502 and 503 (default: up to 3)")
	f.IntVar(&o.keepalive, "keepalive", 0, "idle connections to the nodes each nginx worker keeps (default 16 per node)")
	f.DurationVar(&o.failTimeout, "fail-timeout", 10*time.Second, "how long a node that failed or answered 502/503 is left out")
	f.StringVar(&o.accessLog, "access-log", "access.log", "where nginx writes its access log (JSON lines; /dev/stdout in a container)")
	f.StringVar(&o.errorLog, "error-log", "error.log", "where nginx writes its error log (/dev/stderr in a container)")
	f.StringVar(&o.user, "user", "", "user nginx's workers run as when nginx starts as root (nginx's user directive)")
	return c
}
