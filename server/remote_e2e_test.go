package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestExecEndpoints drives the remote-execution API the way eval --remote
// does: blobs by hash (a wrong hash refused), a run naming a blob the node
// lacks (404 with the list), another toolchain version (409), an unknown
// language (422), then a build and a run with the raw result, and a
// streamed run.
func TestExecEndpoints(t *testing.T) {
	s := sharedServer(t)
	put := func(data string) (string, int) {
		sum := sha256.Sum256([]byte(data))
		key := hex.EncodeToString(sum[:])
		resp := s.do(t, "PUT", "/v1/blobs/"+key, data, nil)
		resp.Body.Close()
		return key, resp.StatusCode
	}
	resp := s.do(t, "PUT", "/v1/blobs/"+strings.Repeat("0", 64), "not that", nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a blob under the wrong hash: %d, want 400", resp.StatusCode)
	}
	src, code := put("import sys\nprint(sys.stdin.read().strip()[::-1])\n")
	if code != http.StatusNoContent {
		t.Fatalf("PUT blob: %d", code)
	}
	if resp := s.do(t, "HEAD", "/v1/blobs/"+src, nil, nil); resp.StatusCode != 200 {
		t.Errorf("HEAD of a stored blob: %d", resp.StatusCode)
	}
	stdinSum := sha256.Sum256([]byte("abc\n"))
	stdin := hex.EncodeToString(stdinSum[:])
	build := map[string]any{"language": "python3", "version": "not this one", "files": map[string]string{"main.py": src}}
	limits := map[string]any{"CPUTime": 5e9, "WallTime": 10e9, "MemoryBytes": 256 << 20, "OutputBytes": 1 << 20, "FileSizeBytes": 1 << 20, "Processes": 16, "TmpfsBytes": 16 << 20}

	var conflict struct {
		Error string `json:"error"`
	}
	if code := s.post(t, "/v1/exec/build", map[string]any{"build": build}, &conflict); code != http.StatusConflict {
		t.Fatalf("another version: %d %s", code, conflict.Error)
	}
	m := regexp.MustCompile(`this node's python3 is "([^"]*)"`).FindStringSubmatch(conflict.Error)
	if m == nil {
		t.Fatalf("409 without the node's version: %s", conflict.Error)
	}
	build["version"] = m[1]
	if code := s.post(t, "/v1/exec/build", map[string]any{"build": map[string]any{"language": "cobol", "files": map[string]string{}}}, nil); code != http.StatusUnprocessableEntity {
		t.Errorf("an unknown language: %d, want 422", code)
	}
	var missing struct {
		Missing []string `json:"missing"`
	}
	if code := s.post(t, "/v1/exec/run", map[string]any{"build": build, "stdin": stdin, "limits": limits}, &missing); code != http.StatusNotFound || len(missing.Missing) != 1 || missing.Missing[0] != stdin {
		t.Fatalf("a run whose input the node lacks: %d %+v", code, missing)
	}
	var out struct {
		Node  string `json:"node"`
		Build struct {
			OK bool `json:"ok"`
		} `json:"build"`
		Result struct {
			Status   int    `json:"Status"`
			ExitCode int    `json:"ExitCode"`
			Stdout   []byte `json:"Stdout"`
		} `json:"result"`
	}
	// The input inline: stored, then run.
	body := map[string]any{"build": build, "stdin": stdin, "limits": limits, "blobs": map[string][]byte{stdin: []byte("abc\n")}}
	if code := s.post(t, "/v1/exec/run", body, &out); code != 200 || !out.Build.OK || string(out.Result.Stdout) != "cba\n" || out.Node == "" {
		t.Fatalf("run: %d %+v", code, out)
	}
	if n := s.metric(t, `scalebox_runs_total{language="python3",verdict="remote"}`); n < 1 {
		t.Errorf("the run is not counted in /metrics (verdict remote): %v", n)
	}
	// Streamed: stdout lines, then the response without stdout.
	delete(body, "blobs")
	body["stream"] = true
	resp = s.do(t, "POST", "/v1/exec/run", body, nil)
	defer resp.Body.Close()
	dec := json.NewDecoder(resp.Body)
	var got []byte
	var last map[string]json.RawMessage
	for dec.More() {
		var line map[string]json.RawMessage
		if err := dec.Decode(&line); err != nil {
			t.Fatal(err)
		}
		if raw, ok := line["stdout"]; ok {
			var chunk []byte
			json.Unmarshal(raw, &chunk)
			got = append(got, chunk...)
			continue
		}
		last = line
	}
	if string(got) != "cba\n" || last["result"] == nil || resp.Header.Get("X-Scalebox-Node") == "" {
		t.Errorf("streamed run: stdout %q, last line %s", got, last["result"])
	}
}
