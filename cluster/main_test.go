package cluster_test

// End-to-end helpers: the real scalebox binary as serve nodes on loopback,
// and the real nginx in front of them, started by the tests.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/cluster"
)

var (
	binary     string
	binaryDir  string
	binaryOnce sync.Once
	binaryErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// buildBinary builds scalebox once for the tests of this package.
func buildBinary(t testing.TB) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "scalebox-cluster-test-")
		if binaryErr != nil {
			return
		}
		binary = filepath.Join(binaryDir, "scalebox")
		args := []string{"build", "-o", binary}
		if raceEnabled {
			args = append(args, "-race")
		}
		gobin := "go"
		if _, err := exec.LookPath(gobin); err != nil {
			gobin = "/usr/local/go/bin/go"
		}
		if out, err := exec.Command(gobin, append(args, "..")...).CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("build scalebox: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binary
}

// need skips a test when a tool is missing, except in CI, where it fails.
func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing", tool)
			}
			t.Skipf("%s missing", tool)
		}
	}
}

const nginxPath = "/usr/sbin/nginx"

func needNginx(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(nginxPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing (scripts/install-deps.sh installs nginx)", nginxPath)
		}
		t.Skipf("%s missing", nginxPath)
	}
}

// node is a running `scalebox serve`.
type node struct {
	url  string
	addr string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	mu   sync.Mutex
	logs bytes.Buffer
}

var listening = regexp.MustCompile(`listening on http://(\S+)`)

// startNode runs `scalebox serve` on a free loopback port (or addr) with a
// private home, and stops it when the test ends.
func startNode(t testing.TB, args ...string) *node {
	t.Helper()
	return startNodeWith(t, nil, args...)
}

// startNodeWith starts a node under a wrapper command (taskset -c 0).
func startNodeWith(t testing.TB, wrap []string, args ...string) *node {
	t.Helper()
	bin := buildBinary(t)
	home := t.TempDir()
	cache, _ := os.UserCacheDir()
	argv := append(append(slices.Clone(wrap), bin), append([]string{"serve", "--listen", "127.0.0.1:0", "-j", "1", "-q", "--warm", "none", "--log-format", "text"}, args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data", "XDG_CACHE_HOME="+cache)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &node{cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			n.mu.Lock()
			n.logs.WriteString(sc.Text() + "\n")
			n.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		n.err = cmd.Wait()
		close(n.done)
	}()
	select {
	case n.addr = <-found:
	case <-n.done:
		t.Fatalf("scalebox serve exited (%v):\n%s", n.err, n.stderr())
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("scalebox serve did not start:\n%s", n.stderr())
	}
	n.url = "http://" + n.addr
	t.Cleanup(func() {
		n.stop()
		if strings.Contains(n.stderr(), "WARNING: DATA RACE") {
			t.Errorf("node %s has a data race:\n%s", n.addr, n.stderr())
		}
	})
	waitReady(t, n.url, time.Minute)
	return n
}

func (n *node) stderr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.logs.String()
}

// stop sends SIGTERM and waits (a minute at most, then SIGKILL).
func (n *node) stop() {
	select {
	case <-n.done:
		return
	default:
	}
	n.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(time.Minute):
		n.cmd.Process.Kill()
		<-n.done
	}
}

// kill sends SIGKILL and waits for the exit.
func (n *node) kill() {
	n.cmd.Process.Kill()
	<-n.done
}

func waitReady(t testing.TB, url string, within time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(within); ; {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %v", url, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freePort is a loopback port nobody listens on (now).
func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// frontDoor is a running nginx made from `scalebox cluster nginx-conf`.
type frontDoor struct {
	url, dir string
	cmd      *exec.Cmd
	done     chan struct{}
	out      bytes.Buffer
}

// startNginx writes the configuration for nodes with the library the
// command uses, checks it with nginx -t and runs nginx in the foreground
// until the test ends.
func startNginx(t testing.TB, o cluster.NginxOptions) *frontDoor {
	t.Helper()
	needNginx(t)
	dir := t.TempDir()
	addr := freePort(t)
	o.Listen = []string{addr}
	conf, err := cluster.NginxConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(nginxPath, "-t", "-q", "-p", dir, "-c", path).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t rejects the configuration: %v\n%s\n%s", err, out, conf)
	}
	f := &frontDoor{url: "http://" + addr, dir: dir, done: make(chan struct{})}
	f.cmd = exec.Command(nginxPath, "-p", dir, "-c", path, "-g", "daemon off;")
	f.cmd.Stdout, f.cmd.Stderr = &f.out, &f.out
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { f.cmd.Wait(); close(f.done) }()
	t.Cleanup(func() {
		f.cmd.Process.Signal(syscall.SIGQUIT) // graceful stop
		select {
		case <-f.done:
		case <-time.After(20 * time.Second):
			f.cmd.Process.Kill()
			<-f.done
		}
	})
	for deadline := time.Now().Add(20 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-f.done:
			t.Fatalf("nginx exited: %s\n%s", f.out.String(), readFile(filepath.Join(dir, "error.log")))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not listen on %s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return f
}

// accessLog is nginx's access log, one record per request.
type accessEntry struct {
	Request        string  `json:"request"`
	Status         int     `json:"status"`
	RequestTime    float64 `json:"request_time"`
	UpstreamAddr   string  `json:"upstream_addr"`
	UpstreamStatus string  `json:"upstream_status"`
	UpstreamTime   string  `json:"upstream_response_time"`
}

func (f *frontDoor) accessLog(t testing.TB) []accessEntry {
	t.Helper()
	var out []accessEntry
	for _, line := range strings.Split(strings.TrimSpace(readFile(filepath.Join(f.dir, "access.log"))), "\n") {
		if line == "" {
			continue
		}
		var e accessEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func readFile(path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

var httpClient = &http.Client{Timeout: 2 * time.Minute}

// postJSON posts body to url and decodes the answer into out.
func postJSON(t testing.TB, url string, body, out any) int {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == 200 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: %d %s: %v", url, resp.StatusCode, raw, err)
		}
	}
	return resp.StatusCode
}
