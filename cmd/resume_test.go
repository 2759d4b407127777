package cmd

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"encoding/json"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/report"
)

// buildBinary builds scalebox for tests that need a separate process.
func buildBinary(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI=true but the go tool is not in PATH")
		}
		t.Skip("go tool not in PATH")
	}
	bin := filepath.Join(t.TempDir(), "scalebox")
	if out, err := exec.Command(gobin, "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func stripped(t *testing.T, path string) string {
	t.Helper()
	rep, err := report.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	rep.StripTimings()
	data, _ := rep.Marshal()
	return string(data)
}

func journalEntries(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(data, []byte("\n")) - 1
}

// TestResumeAfterKill kills a running eval with SIGKILL midway, resumes it,
// and compares the final report with an uninterrupted run's.
func TestResumeAfterKill(t *testing.T) {
	needSandbox(t)
	if testing.Short() {
		t.Skip("slow")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "resumed.json")
	home := t.TempDir()
	cmd := exec.Command(bin, "eval", "--bench", "demo", "--out", out, "-j", "2", "-q")
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+home)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A bound, not a timing: a loaded machine takes a minute or more.
	deadline := time.Now().Add(5 * time.Minute)
	for journalEntries(out+".journal") < 12 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the journal did not fill")
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	done := journalEntries(out + ".journal")
	if done >= 47 {
		t.Fatalf("the run finished (%d samples) before it was killed", done)
	}

	stdout, stderr, code := run(t, context.Background(), home, "eval", "--bench", "demo", "--out", out, "--resume", "-j", "2")
	if code != 0 {
		t.Fatalf("resume: exit %d\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "already judged") {
		t.Errorf("resume did not say what it kept: %q", stderr)
	}
	if _, err := os.Stat(out + ".journal"); err == nil {
		t.Error("the journal outlived the complete report")
	}
	whole := filepath.Join(dir, "whole.json")
	if _, stderr, code := run(t, context.Background(), home, "eval", "--bench", "demo", "--out", whole, "-j", "2", "-q"); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	if diff := cmp.Diff(stripped(t, whole), stripped(t, out)); diff != "" {
		t.Errorf("resumed report differs from an uninterrupted run (-whole +resumed):\n%s", diff)
	}
	t.Logf("killed after %d of 47 samples", done)
}

func TestResumeRefusesChangedInputs(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	samples := filepath.Join(dir, "s.jsonl")
	os.WriteFile(samples, []byte("{\"task_id\": \"demo/add\", \"solution\": \"a, b = map(int, input().split())\\nprint(a + b)\"}\n"), 0o644)
	out := filepath.Join(dir, "r.json")
	// A journal left by an interrupted run on other samples.
	os.WriteFile(out+".journal", []byte(`{"scalebox_journal":1,"benchmark":"demo","version":"1","data_sha256":"x","samples_sha256":"y","config_sha256":"z","early_stop":true}`+"\n"), 0o644)
	_, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--samples", samples, "--out", out, "--resume")
	if code != 1 || !strings.Contains(stderr, "inputs changed") || !strings.Contains(stderr, "samples sha256") {
		t.Errorf("exit %d, stderr %q; want a refusal naming what changed", code, stderr)
	}
	_, stderr, code = run(t, context.Background(), "", "eval", "--bench", "demo", "--resume")
	if code != 2 || !strings.Contains(stderr, "--resume needs --out") {
		t.Errorf("resume without --out: exit %d, %q", code, stderr)
	}
}

// TestJournalSurvivesTornLine: a last line cut short by a crash is dropped
// and that sample runs again.
func TestJournalSurvivesTornLine(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	samples := filepath.Join(dir, "s.jsonl")
	os.WriteFile(samples, []byte("{\"task_id\": \"demo/add\", \"solution\": \"a, b = map(int, input().split())\\nprint(a + b)\"}\n{\"task_id\": \"demo/add\", \"solution\": \"print(0)\"}\n"), 0o644)
	out := filepath.Join(dir, "r.json")
	if _, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--samples", samples, "--out", out, "-q"); code != 0 {
		t.Fatal(stderr)
	}
	want := stripped(t, out)
	// Rebuild the journal a crash would leave: the header and one sample,
	// then half a line.
	rep, _ := report.Read(out)
	sample0, _ := jsonLine(map[string]any{"task_id": "demo/add", "sample": rep.Problems[0].Samples[0]})
	// Take the header a real run writes: start a run cancelled at once.
	var header string
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	run(t, ctx, "", "eval", "--bench", "demo", "--samples", samples, "--out", out, "-q")
	f, _ := os.Open(out + ".journal")
	sc := bufio.NewScanner(f)
	if sc.Scan() {
		header = sc.Text()
	}
	f.Close()
	os.WriteFile(out+".journal", []byte(header+"\n"+sample0+"\n"+sample0[:len(sample0)/2]), 0o644)
	stdout, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--samples", samples, "--out", out, "--resume")
	if code != 0 || !strings.Contains(stderr, "1 samples already judged") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if diff := cmp.Diff(want, stripped(t, out)); diff != "" {
		t.Errorf("(-whole +resumed):\n%s", diff)
	}
}

func TestFromReport(t *testing.T) {
	needSandbox(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first.json")
	if _, stderr, code := run(t, context.Background(), "", "eval", "--bench", "demo", "--out", first, "--cpu-time", "2s", "-j", "3", "-q"); code != 0 {
		t.Fatal(stderr)
	}
	again := filepath.Join(dir, "again.json")
	if _, stderr, code := run(t, context.Background(), "", "eval", "--from-report", first, "--out", again, "-q"); code != 0 {
		t.Fatal(stderr)
	}
	if diff := cmp.Diff(stripped(t, first), stripped(t, again)); diff != "" {
		t.Errorf("rerun differs (-first +again):\n%s", diff)
	}
	rep, _ := report.Read(again)
	if rep.Sandbox.Limits.CPUTimeMS != 2000 || rep.Timing.Jobs != 3 {
		t.Errorf("the rerun did not take the report's settings: cpu %d ms, jobs %d", rep.Sandbox.Limits.CPUTimeMS, rep.Timing.Jobs)
	}
}

func jsonLine(v any) (string, error) {
	var b bytes.Buffer
	enc := jsonEncoder(&b)
	err := enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n"), err
}

func jsonEncoder(b *bytes.Buffer) *json.Encoder { return json.NewEncoder(b) }
