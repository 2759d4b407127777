package server_test

// End-to-end tests of `scalebox serve`: the real binary, on a loopback
// port, with the real sandbox and toolchains.

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the scalebox binary built for these tests, on first use.
var (
	binary     string
	binaryDir  string
	binaryOnce sync.Once
	binaryErr  error
)

func buildBinary(t testing.TB) {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "scalebox-serve-test-")
		if binaryErr != nil {
			return
		}
		binary = filepath.Join(binaryDir, "scalebox")
		args := []string{"build", "-o", binary}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, "..")...).CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("build scalebox: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
		if strings.Contains(shared.stderr(), "WARNING: DATA RACE") {
			fmt.Fprintf(os.Stderr, "the shared server has a data race:\n%s", shared.stderr())
			code = 1
		}
	}
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// needSandbox skips a test when bwrap or a toolchain it names is missing,
// except in CI, where it fails.
func needSandbox(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range append([]string{"bwrap", "python3"}, tools...) {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing", tool)
			}
			t.Skipf("%s missing", tool)
		}
	}
}

// server is a running `scalebox serve`.
type server struct {
	t    testing.TB
	url  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process exited
	err  error         // its exit, once done
	mu   sync.Mutex
	logs bytes.Buffer // stderr
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

// startServer runs `scalebox serve` on a free loopback port with a
// private config and data directory, and stops it when the test ends.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	buildBinary(t)
	home := t.TempDir()
	cache, _ := os.UserCacheDir()
	if !slices.Contains(args, "--warm") {
		args = append(args, "--warm", "none")
	}
	cmd := exec.Command(binary, append([]string{"serve", "--listen", "127.0.0.1:0", "-j", "2", "-q"}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home+"/config", "XDG_DATA_HOME="+home+"/data", "XDG_CACHE_HOME="+cache)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.logs.WriteString(line + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		s.err = cmd.Wait()
		close(s.done)
	}()
	select {
	case s.url = <-found:
	case <-s.done:
		t.Fatalf("scalebox serve exited (%v):\n%s", s.err, s.stderr())
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("scalebox serve did not start:\n%s", s.stderr())
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil && !strings.Contains(err.Error(), "signal") {
			t.Errorf("scalebox serve: %v", err)
		}
		if strings.Contains(s.stderr(), "WARNING: DATA RACE") {
			t.Errorf("the server has a data race:\n%s", s.stderr())
		}
	})
	// Ready: the toolchains it was asked to warm are prepared.
	for deadline := time.Now().Add(5 * time.Minute); ; {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("scalebox serve not ready after 5 minutes:\n%s", s.stderr())
		}
		time.Sleep(200 * time.Millisecond)
	}
	return s
}

func (s *server) stderr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// stop sends SIGTERM and waits for the exit (killing it after a minute).
func (s *server) stop() error {
	select {
	case <-s.done:
		return s.err
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		<-s.done
		return errors.New("scalebox serve did not stop within a minute of SIGTERM")
	}
	return s.err
}

var client = &http.Client{Timeout: 5 * time.Minute}

// post sends a JSON body and decodes the JSON answer into out (when not
// nil); it returns the status.
func (s *server) post(t testing.TB, path string, body any, out any) int {
	t.Helper()
	resp := s.do(t, "POST", path, body, nil)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("POST %s: %d %s: %v", path, resp.StatusCode, data, err)
		}
	}
	return resp.StatusCode
}

func (s *server) do(t testing.TB, method, path string, body any, header http.Header) *http.Response {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.url+path, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

func (s *server) get(t testing.TB, path string) (int, []byte) {
	t.Helper()
	resp := s.do(t, "GET", path, nil, nil)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

var (
	sharedOnce sync.Once
	shared     *server
)

// sharedServer is one server for the tests that need no special flags.
// It lives until the test binary exits (its process dies with it).
func sharedServer(t *testing.T) *server {
	t.Helper()
	needSandbox(t)
	sharedOnce.Do(func() {
		shared = startServer(cleanupless{t}, "--bench", "../testdata/attacks/attacks.toml", "--warm", "cpp,java")
	})
	if shared == nil {
		t.Fatal("the shared server did not start")
	}
	return shared
}

// cleanupless hands startServer a test whose cleanup never runs, for the
// shared server (it is stopped when the test binary exits).
type cleanupless struct{ *testing.T }

func (cleanupless) Cleanup(func()) {}

// runCode is a body exactly as verl's sandbox_fusion client sends it.
func runCode(lang, code, stdin string, timeout float64) map[string]any {
	return map[string]any{
		"compile_timeout": timeout, "run_timeout": timeout, "code": code, "stdin": stdin,
		"memory_limit_MB": 1024, "language": lang, "files": map[string]any{}, "fetch_files": []any{},
	}
}

type runResult struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	CompileResult *struct {
		Status     string `json:"status"`
		ReturnCode *int   `json:"return_code"`
		Stderr     string `json:"stderr"`
	} `json:"compile_result"`
	RunResult *struct {
		Status        string   `json:"status"`
		ExecutionTime *float64 `json:"execution_time"`
		ReturnCode    *int     `json:"return_code"`
		Stdout        string   `json:"stdout"`
		Stderr        string   `json:"stderr"`
	} `json:"run_result"`
	Files    map[string]string `json:"files"`
	Scalebox struct {
		Verdict        string   `json:"verdict"`
		Message        string   `json:"message"`
		FilesTruncated []string `json:"files_truncated"`
	} `json:"scalebox"`
}

// verlScore scores a /run_code answer as verl's sandbox_fusion client does
// (utils.py check_correctness): true for a pass, -1 SandboxError, -4
// compile error, -3 run timeout, -2 runtime error, false wrong output.
func verlScore(r *runResult, want string) any {
	switch {
	case r.Status == "SandboxError":
		return -1
	case r.Status == "Failed" && r.CompileResult != nil && (r.CompileResult.Status != "Finished" || r.CompileResult.ReturnCode == nil || *r.CompileResult.ReturnCode != 0):
		return -4
	case r.RunResult != nil && r.RunResult.Status == "TimeLimitExceeded":
		return -3
	case r.RunResult != nil && (r.RunResult.Status == "Error" || r.RunResult.ReturnCode == nil || *r.RunResult.ReturnCode != 0):
		return -2
	case r.Status == "Success" && r.RunResult != nil && r.RunResult.Status == "Finished":
		return strings.TrimRight(r.RunResult.Stdout, "\n") == strings.TrimRight(want, "\n")
	}
	return fmt.Sprintf("unexpected %+v", r)
}

// TestRunCodeFetchFiles fetches a program's files through /run_code, as
// SandboxFusion does: the files found come back base64-encoded under the
// names asked for; a missing one, a link (to the host's /etc/passwd), a
// FIFO and a path out of the working directory are left out; past the
// total cap a file comes back cut, and the scalebox part says so.
func TestRunCodeFetchFiles(t *testing.T) {
	s := sharedServer(t)
	var r runResult
	body := runCode("python", `import os
open('out.txt', 'w').write('hello\n')
os.makedirs('sub')
open('sub/b.bin', 'wb').write(bytes(range(256)))
os.symlink('/etc/passwd', 'link')
os.mkfifo('fifo')
open('big1', 'wb').write(b'1' * (9 << 20))
open('big2', 'wb').write(b'2' * (9 << 20))
print('ok')
`, "", 10)
	body["fetch_files"] = []string{"out.txt", "sub/b.bin", "link", "fifo", "../etc/passwd", "/etc/passwd", "missing.txt", "big1", "big2"}
	s.post(t, "/run_code", body, &r)
	if r.Status != "Success" || r.RunResult == nil || r.RunResult.Stdout != "ok\n" {
		t.Fatalf("run: %+v %+v", r, r.RunResult)
	}
	bin := make([]byte, 256)
	for i := range bin {
		bin[i] = byte(i)
	}
	want := map[string][]byte{
		"out.txt":   []byte("hello\n"),
		"sub/b.bin": bin,
		"big1":      bytes.Repeat([]byte("1"), 9<<20),
		// Cut at the 16 MiB cap of all files together.
		"big2": bytes.Repeat([]byte("2"), 16<<20-9<<20-len("hello\n")-256),
	}
	var names []string
	for name, b64 := range r.Files {
		names = append(names, name)
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			t.Errorf("%s: not base64: %v", name, err)
		} else if !bytes.Equal(data, want[name]) {
			t.Errorf("%s: %d bytes %.20q, want %d %.20q", name, len(data), data, len(want[name]), want[name])
		}
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "big1 big2 out.txt sub/b.bin" {
		t.Errorf("files %v, want big1 big2 out.txt sub/b.bin", names)
	}
	if !slices.Equal(r.Scalebox.FilesTruncated, []string{"big2"}) {
		t.Errorf("files_truncated %v, want [big2]", r.Scalebox.FilesTruncated)
	}
	// Nothing of that run is left for the next.
	body = runCode("python", "import os; print(sorted(os.listdir('.')))", "", 10)
	body["fetch_files"] = []string{"out.txt"}
	r = runResult{}
	s.post(t, "/run_code", body, &r)
	if r.RunResult == nil || r.RunResult.Stdout != "['main.py']\n" || len(r.Files) != 0 {
		t.Errorf("next run: %+v %+v", r, r.RunResult)
	}
}

// TestEvaluateFetchFiles: an inline stdio problem's tests fetch files;
// with keep_output each test returns its own, without it none.
func TestEvaluateFetchFiles(t *testing.T) {
	s := sharedServer(t)
	body := map[string]any{"problems": []any{map[string]any{"task_id": "f", "kind": "stdio", "tests": []any{
		map[string]any{"input": "1\n", "output": "", "fetch_files": []string{"out.txt", "missing"}},
		map[string]any{"input": "2\n", "output": "", "fetch_files": []string{"out.txt"}}}}},
		"samples":   []any{map[string]any{"solution": "open('out.txt', 'w').write(str(int(input()) * 7))"}},
		"all_tests": true, "keep_output": true}
	type out struct {
		Results []struct {
			Tests []struct {
				Index int               `json:"index"`
				Files map[string]string `json:"files"`
			} `json:"tests"`
		} `json:"results"`
	}
	var r out
	if code := s.post(t, "/v1/evaluate", body, &r); code != 200 || len(r.Results) != 1 || len(r.Results[0].Tests) != 2 {
		t.Fatalf("%d %+v", code, r)
	}
	for _, tt := range r.Results[0].Tests {
		want := map[string]string{"out.txt": base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(7 * (tt.Index + 1))))}
		if !maps.Equal(tt.Files, want) {
			t.Errorf("test %d: files %v, want %v", tt.Index, tt.Files, want)
		}
	}
	body["keep_output"] = false
	r = out{}
	if code := s.post(t, "/v1/evaluate", body, &r); code != 200 || len(r.Results) != 1 || len(r.Results[0].Tests) != 2 || r.Results[0].Tests[0].Files != nil {
		t.Errorf("without keep_output: %d %+v", code, r)
	}
}

// TestRunCodeVerlBodies sends the bodies verl's sandbox_fusion reward
// sends to /run_code, in Python, C++ and Java: a right and a wrong answer,
// a timeout, a compile error and a memory hog each get the status and
// return code verl scores them by, and the exact verdict besides.
func TestRunCodeVerlBodies(t *testing.T) {
	needSandbox(t, "g++", "javac")
	s := sharedServer(t)
	programs := map[string]map[string]string{
		"python": {
			"right": "n = int(input())\nprint(n * 2)\n",
			"wrong": "n = int(input())\nprint(n * 3)\n",
			"tle":   "while True:\n    pass\n",
			"ce":    "def f(:\n    pass\n",
			"mle":   "x = bytearray(1 << 30)\nx[-1] = 1\nprint(len(x))\n",
		},
		"cpp": {
			"right": "#include <iostream>\nint main(){long long n; std::cin >> n; std::cout << n * 2 << std::endl;}\n",
			"wrong": "#include <iostream>\nint main(){long long n; std::cin >> n; std::cout << n * 3 << std::endl;}\n",
			"tle":   "int main(){ volatile unsigned long long x = 0; for(;;) x++; }\n",
			"ce":    "int main( { return 0; }\n",
			"mle":   "#include <cstdio>\n#include <vector>\nint main(){ std::vector<char> v((size_t)1 << 31, 1); long s = 0; for (size_t i = 0; i < v.size(); i += 4096) s += v[i]; printf(\"%ld\\n\", s); }\n",
		},
		"java": {
			"right": "import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); long n = s.nextLong(); System.out.println(n * 2); } }\n",
			"wrong": "import java.util.*;\npublic class Main { public static void main(String[] a) { Scanner s = new Scanner(System.in); long n = s.nextLong(); System.out.println(n * 3); } }\n",
			"tle":   "public class Main { public static void main(String[] a) { long x = 0; while (true) { x++; if (x < 0) System.out.println(x); } } }\n",
			"ce":    "public class Main { public static void main(String[] a) { int x = } }\n",
			"mle":   "import java.util.*;\npublic class Main { public static void main(String[] a) { List<long[]> l = new ArrayList<>(); while (true) l.add(new long[1 << 20]); } }\n",
		},
	}
	wantScore := map[string]any{"right": true, "wrong": false, "tle": -3, "ce": -4, "mle": -2}
	wantVerdict := map[string][]string{"right": {"AC"}, "wrong": {"AC"}, "tle": {"TLE"}, "ce": {"CE"}, "mle": {"MLE", "RE"}}
	for lang, progs := range programs {
		for kind, code := range progs {
			t.Run(lang+"/"+kind, func(t *testing.T) {
				t.Parallel()
				timeout := 10.0
				if kind == "tle" {
					timeout = 2
				}
				var r runResult
				if code := s.post(t, "/run_code", runCode(lang, code, "21\n", timeout), &r); code != 200 {
					t.Fatalf("status %d: %+v", code, r)
				}
				want := wantScore[kind]
				if lang == "python" && kind == "ce" {
					want = -2 // SandboxFusion compiles no Python: a syntax error fails its run
				}
				if got := verlScore(&r, "42"); got != want {
					t.Errorf("verl would score %v, want %v: %+v %+v", got, want, r, r.RunResult)
				}
				ok := false
				for _, v := range wantVerdict[kind] {
					ok = ok || r.Scalebox.Verdict == v
				}
				if lang == "java" && kind == "mle" && r.Scalebox.Verdict == "RE" && !strings.Contains(r.RunResult.Stderr, "OutOfMemoryError") {
					ok = false
				}
				if !ok {
					t.Errorf("verdict %s (%s), want one of %v", r.Scalebox.Verdict, r.Scalebox.Message, wantVerdict[kind])
				}
			})
		}
	}
}

// TestRunCodeCompilesOnce: verl sends the same program once per test
// case; across those requests it is compiled once.
func TestRunCodeCompilesOnce(t *testing.T) {
	needSandbox(t, "g++")
	s := sharedServer(t)
	code := "#include <cstdio>\n// compile-once\nint main(){int x; scanf(\"%d\", &x); printf(\"%d\\n\", x + 1);}\n"
	hits, misses := s.metric(t, `scalebox_compile_cache_total{result="hit"}`), s.metric(t, `scalebox_compile_cache_total{result="miss"}`)
	var wg sync.WaitGroup
	results := make([]runResult, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.post(t, "/run_code", runCode("cpp", code, fmt.Sprint(i), 10), &results[i])
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Status != "Success" || r.RunResult == nil || strings.TrimSpace(r.RunResult.Stdout) != fmt.Sprint(i+1) {
			t.Errorf("request %d: %+v", i, r)
		}
	}
	if h, m := s.metric(t, `scalebox_compile_cache_total{result="hit"}`)-hits, s.metric(t, `scalebox_compile_cache_total{result="miss"}`)-misses; h != 5 || m != 1 {
		t.Errorf("6 requests of one program: %v cache hits and %v misses, want 5 and 1", h, m)
	}
}

// metric returns the value of one series of /metrics (0 when absent).
func (s *server) metric(t testing.TB, series string) float64 {
	t.Helper()
	_, body := s.get(t, "/metrics")
	for _, line := range strings.Split(string(body), "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return 0
}

// TestRunCodeFilesAndErrors: SandboxFusion's files reach the program;
// bad requests get 400 naming the field, unknown languages list the known
// ones, a body over the limit gets 413.
func TestRunCodeFilesAndErrors(t *testing.T) {
	s := sharedServer(t)
	var r runResult
	body := runCode("python", "print(open('data.txt').read().strip())", "", 10)
	body["files"] = map[string]any{"data.txt": "aGVsbG8K"} // "hello\n"
	s.post(t, "/run_code", body, &r)
	if r.Status != "Success" || r.RunResult.Stdout != "hello\n" {
		t.Errorf("files: %+v %+v", r, r.RunResult)
	}
	for _, tt := range []struct {
		body   any
		status int
		field  string
		says   string
	}{
		{`{"code": "print(1)", "language": "cobol"}`, 400, "language", "known: "},
		{`{"code": 12, "language": "python"}`, 400, "code", "expected a string"},
		{`{"language": "python"}`, 400, "code", "is required"},
		{`{"code": "print(1)", "language": "python", "run_timeout": -1}`, 400, "run_timeout", "seconds"},
		{`{"code": "print(1)", "language": "python", "files": {"../x": "YQ=="}}`, 400, "files", "directory"},
		{`{"code": "print(1)", "language": "python", "fetch_files": ["out.txt", ""]}`, 400, "fetch_files[1]", "must be a path"},
		{`{"code": "print(1)", "language": "python", "fetch_files": [` + strings.Repeat(`"a",`, 64) + `"a"]}`, 400, "fetch_files", "at most 64"},
		{`{"code": "print(1)", "language": "python"`, 400, "", "malformed JSON"},
		{`{"code": "` + strings.Repeat("x", 65<<20) + `", "language": "python"}`, 413, "", "over"},
	} {
		var e struct {
			Error string `json:"error"`
			Field string `json:"field"`
		}
		status := s.post(t, "/run_code", tt.body, &e)
		if status != tt.status || e.Field != tt.field || !strings.Contains(e.Error, tt.says) {
			b := fmt.Sprint(tt.body)
			t.Errorf("%.80s: %d %+v, want %d field %q saying %q", b, status, e, tt.status, tt.field, tt.says)
		}
	}
	if code, body := s.get(t, "/v1/ping"); code != 200 || strings.TrimSpace(string(body)) != `"pong"` {
		t.Errorf("/v1/ping: %d %s", code, body)
	}
}
