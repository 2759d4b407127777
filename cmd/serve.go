package cmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/eval"
	"github.com/scalebox-dev/scalebox/internal/buildinfo"
	"github.com/scalebox-dev/scalebox/runner"
	"github.com/scalebox-dev/scalebox/server"
	"github.com/scalebox-dev/scalebox/server/dashboard"
)

type serveOptions struct {
	g *globalOptions

	listen         string
	tokenFile      string
	insecureNoAuth bool
	jobs           int
	sandbox        string
	retries        int
	memoryShare    float64
	benches        []string
	data           string
	maxQueue       int
	maxBody        string
	drain          time.Duration
	cpuTime        time.Duration
	memory         string
	logFormat      string
	statsInterval  time.Duration
	statsWindow    time.Duration
	peers          []string
	peerTimeout    time.Duration
	warm           string
	rotateBuilds   int
	// LiveCodeBench: release and contest window of a loaded livecodebench.
	release, startDate, endDate string
}

// NewServeCmd returns `scalebox serve`. runF replaces the run in tests.
func NewServeCmd(g *globalOptions, runF func(context.Context, *serveOptions) error) *cobra.Command {
	o := &serveOptions{g: g}
	c := &cobra.Command{
		Use:   "serve [--listen ADDR] [--token-file FILE] [-j N] [--bench NAME[=DATA]]...",
		Short: "Serve evaluations over HTTP (SandboxFusion and ScaleBox compatible)",
		Long: `Serve code execution and judging over HTTP, for RL training (verl's
sandbox_fusion reward, ScaleBox's custom reward function) and remote
evaluation. One engine serves every request: tests of all requests share one
bounded pool of sandboxes (-j), taken in turn from each request, and the
compile cache (the same program is compiled once).

Endpoints (docs/api.md): POST /run_code and GET /v1/ping (SandboxFusion),
POST /common_evaluate_batch and /common_evaluate (ScaleBox), POST /v1/evaluate
(samples against a benchmark loaded with --bench, or inline tests; NDJSON
streaming), GET /healthz, /readyz, /metrics (Prometheus), /v1/stats (JSON),
and /dashboard: a live page of this node, and with --peers of the whole
cluster (docs/dashboard.md).

It listens on loopback unless told otherwise; another address needs
--token-file (clients send Authorization: Bearer <token>, or ?token=) or
--insecure-no-auth. When the queue of admitted tests is full, requests get
503 with Retry-After at once. SIGTERM or Ctrl-C drains: no new requests,
those in flight finish (up to --drain-timeout), then it exits 0.`,
		Example: `  scalebox serve
  scalebox serve --listen 127.0.0.1:8080 -j 16 --bench codecontests=data/code_contests.jsonl
  scalebox serve --bench livecodebench --data code_generation_lite/ --release v5
  scalebox serve --listen 0.0.0.0:8080 --token-file /run/secrets/scalebox-token
  scalebox serve --listen 10.0.0.1:8080 --token-file token --peers 10.0.0.2:8080,10.0.0.3:8080
  curl -s localhost:8080/run_code -d '{"code": "print(1+1)", "language": "python"}'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o.jobs = g.v.GetInt("jobs")
			o.sandbox = g.v.GetString("sandbox")
			o.retries = g.v.GetInt("retries")
			o.memoryShare = g.v.GetFloat64("memory_share")
			if o.memoryShare <= 0 || o.memoryShare > 1 {
				return usageError("--memory-share must be in (0, 1], not %v", o.memoryShare)
			}
			if o.jobs <= 0 {
				return usageError("--jobs must be positive")
			}
			if o.retries < 0 {
				return usageError("--retries must not be negative")
			}
			if o.rotateBuilds < 0 {
				return usageError("--rotate-builds must not be negative")
			}
			if o.statsInterval < 100*time.Millisecond {
				return usageError("--stats-interval must be at least 100ms")
			}
			if o.statsWindow < o.statsInterval || o.statsWindow/o.statsInterval > 100000 {
				return usageError("--stats-window must hold from 1 to 100000 intervals of --stats-interval, not %v / %v", o.statsWindow, o.statsInterval)
			}
			if o.peerTimeout <= 0 {
				return usageError("--peer-timeout must be positive")
			}
			for _, p := range o.peers {
				if _, _, err := dashboard.ParsePeer(p); err != nil {
					return usageError("--peers: %v", err)
				}
			}
			if o.drain <= 0 {
				return usageError("--drain-timeout must be positive")
			}
			if o.logFormat != "json" && o.logFormat != "text" {
				return usageError("--log-format is json or text, not %q", o.logFormat)
			}
			if o.data != "" && len(o.benches) != 1 {
				return usageError("--data goes with exactly one --bench; for several, write --bench NAME=DATA")
			}
			if _, _, err := net.SplitHostPort(o.listen); err != nil {
				return usageError("--listen %q: %v (want HOST:PORT, e.g. 127.0.0.1:8080)", o.listen, err)
			}
			if runF != nil {
				return runF(c.Context(), o)
			}
			return runServe(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to listen on (HOST:PORT; port 0 picks a free one)")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the bearer token clients must send (needed to listen beyond loopback)")
	f.BoolVar(&o.insecureNoAuth, "insecure-no-auth", false, "listen beyond loopback without a token: anyone who reaches the port runs code here")
	f.IntVarP(&o.jobs, "jobs", "j", defaultJobs(), "sandboxed processes at once, over all requests")
	f.StringVar(&o.sandbox, "sandbox", runner.BackendAuto, "sandbox backend: auto, bwrap, nsjail, or none (no isolation)")
	f.IntVar(&o.retries, "retries", 2, "retries of a run after a system error")
	f.Float64Var(&o.memoryShare, "memory-share", 0.75, "the share of this machine's memory that the memory limits of the tests running at once may add up to")
	f.StringArrayVarP(&o.benches, "bench", "b", nil, "load a benchmark for /v1/evaluate: NAME or FILE.toml, or NAME=DATA (repeatable)")
	f.StringVar(&o.data, "data", "", "data of the one --bench (file or folder)")
	f.StringVar(&o.release, "release", "", "LiveCodeBench: release v1 … v6 or latest")
	f.StringVar(&o.startDate, "start-date", "", "LiveCodeBench: first contest date (YYYY-MM-DD)")
	f.StringVar(&o.endDate, "end-date", "", "LiveCodeBench: last contest date (YYYY-MM-DD)")
	f.IntVar(&o.maxQueue, "max-queue", 0, "tests admitted at once before requests get 503 (default 256 per job, at least 1024)")
	f.StringVar(&o.maxBody, "max-body", "64MiB", "largest request body (413 beyond)")
	f.DurationVar(&o.drain, "drain-timeout", 30*time.Second, "on SIGTERM, how long requests in flight may take to finish")
	f.DurationVar(&o.cpuTime, "cpu-time", server.DefaultLimits.CPUTime, "CPU time limit of an inline test whose request names none")
	f.StringVar(&o.memory, "memory", "1GiB", "memory limit of an inline test whose request names none")
	f.StringVar(&o.logFormat, "log-format", "json", "request log format on stderr: json or text")
	f.StringVar(&o.warm, "warm", "auto", "languages whose toolchain is prepared at start (precompiled headers, class-data archives): auto (every one that has a prepare step), none, or a comma-separated list")
	f.IntVar(&o.rotateBuilds, "rotate-builds", 20000, "start a fresh build cache after this many new builds, removing the old one once unused (0: never), so that a long-running server does not keep every program it built")
	f.DurationVar(&o.statsInterval, "stats-interval", 5*time.Second, "length of one interval of /v1/stats's history and the dashboard's charts")
	f.DurationVar(&o.statsWindow, "stats-window", 15*time.Minute, "how far back /v1/stats's history and the dashboard's charts reach (kept in memory)")
	f.StringSliceVar(&o.peers, "peers", nil, "the other nodes of a cluster (http://HOST:PORT, comma-separated), shown on this node's /dashboard; the list may name this node too")
	f.DurationVar(&o.peerTimeout, "peer-timeout", 2*time.Second, "how long the dashboard waits for a peer's statistics before it counts the peer as not answering")
	return c
}

func runServe(ctx context.Context, o *serveOptions) error {
	stderr := o.g.deps.Stderr
	host, _, _ := net.SplitHostPort(o.listen)
	token := ""
	if o.tokenFile != "" {
		data, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return fmt.Errorf("--token-file: %w", err)
		}
		if token = strings.TrimSpace(string(data)); token == "" {
			return fmt.Errorf("--token-file %s is empty", o.tokenFile)
		}
	}
	if !isLoopback(host) && token == "" {
		if !o.insecureNoAuth {
			return usageError("--listen %s is reachable beyond this machine: give --token-file (or --insecure-no-auth to accept that anyone who reaches it runs code here)", o.listen)
		}
		fmt.Fprintf(stderr, "warning: --insecure-no-auth: anyone who reaches %s can run code on this machine\n", o.listen)
	}
	maxBody, err := benchmarks.ParseByteSize(o.maxBody)
	if err != nil {
		return usageError("--max-body: %v", err)
	}
	memory, err := benchmarks.ParseByteSize(o.memory)
	if err != nil || memory < 1<<20 {
		return usageError("--memory %q: want a size of at least 1MiB, e.g. 1GiB", o.memory)
	}
	if o.cpuTime <= 0 {
		return usageError("--cpu-time must be positive")
	}

	env, err := startSandbox(o.g, o.sandbox)
	if err != nil {
		return err
	}
	defer env.Close()
	var benches []*benchmarks.Benchmark
	for _, spec := range o.benches {
		name, data, _ := strings.Cut(spec, "=")
		if data == "" {
			data = o.data
		}
		b, err := loadBenchmark(o.g, name, data, func(cfg *benchmarks.Config) error {
			if cfg.Format != "livecodebench" {
				return nil
			}
			if err := cfg.SetLiveCodeBench(o.release, o.startDate, o.endDate); err != nil {
				return usageError("--release, --start-date, --end-date: %v", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		env.bench = b
		opts := env.options(nil, o.jobs, false, o.retries)
		if _, err := env.prepareReference(ctx, opts); err != nil {
			return err
		}
		benches = append(benches, b)
		if !o.g.quiet {
			fmt.Fprintf(stderr, "loaded %s %s: %d problems\n", b.Config.Name, b.Config.Version, len(b.Problems))
		}
	}
	engineOpts := eval.EngineOptions{Sandbox: env.sb, Resolver: env.res, Builder: env.builder, Jobs: o.jobs, Retries: o.retries, Logger: o.g.logger()}
	if o.rotateBuilds > 0 {
		uid, gid := env.sb.HostIDs()
		engineOpts.MaxBuilds = o.rotateBuilds
		engineOpts.NewBuilder = func() (*runner.Builder, error) {
			b, err := runner.NewBuilder(env.sb, uid, gid)
			if err == nil {
				b.Limits = env.builder.Limits
			}
			return b, err
		}
	}
	if total := totalMemory(); total > 0 {
		engineOpts.MemoryBudgetBytes = int64(o.memoryShare * float64(total))
	}
	engine, err := eval.NewEngine(engineOpts)
	if err != nil {
		return err
	}
	defer engine.Close()

	level := slog.LevelInfo
	if o.g.verbose {
		level = slog.LevelDebug
	}
	hopts := &slog.HandlerOptions{Level: level}
	var handler slog.Handler = slog.NewJSONHandler(stderr, hopts)
	if o.logFormat == "text" {
		handler = slog.NewTextHandler(stderr, hopts)
	}
	warm, err := warmLanguages(o.warm, env.res)
	if err != nil {
		return err
	}
	limits := server.DefaultLimits
	limits.CPUTime, limits.MemoryBytes = o.cpuTime, int64(memory)
	srv, err := server.New(server.Config{
		Engine: engine, Resolver: env.res, Benchmarks: benches, Limits: limits,
		MaxQueuedTests: o.maxQueue, MaxBodyBytes: int64(maxBody), Token: token,
		Logger: slog.New(handler), Version: buildinfo.Version(), Commit: buildinfo.Commit(),
		HistoryInterval: o.statsInterval, HistoryLength: int(o.statsWindow / o.statsInterval), Warm: warm,
		Peers: o.peers, PeerTimeout: o.peerTimeout,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", o.listen, err)
	}
	fmt.Fprintf(stderr, "scalebox serve: listening on http://%s (-j %d, sandbox %s)\n", ln.Addr(), o.jobs, env.desc.Backend)
	if err := srv.Serve(ctx, ln, o.drain); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

// warmLanguages resolves --warm: "auto" is every language with a prepare
// step whose toolchain is installed.
func warmLanguages(spec string, res *runner.Resolver) ([]string, error) {
	switch spec {
	case "none", "":
		return nil, nil
	case "auto":
		var ids []string
		for _, id := range res.Languages().IDs() {
			if len(res.Languages()[id].Prepare) == 0 {
				continue
			}
			if _, err := res.Toolchain(id); err == nil {
				ids = append(ids, id)
			}
		}
		return ids, nil
	}
	var ids []string
	for _, id := range strings.Split(spec, ",") {
		id = strings.TrimSpace(id)
		if _, err := res.Toolchain(id); err != nil {
			return nil, usageError("--warm: %v", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// isLoopback reports whether a listen host is only reachable from this
// machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
