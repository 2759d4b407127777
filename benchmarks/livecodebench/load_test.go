package livecodebench_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scalebox-dev/scalebox/benchmarks"
)

// pickledTests is base64(zlib(pickle(s))), as code_generation_lite stores
// private test cases (a protocol 4 pickle of one str).
func pickledTests(t testing.TB, s string) string {
	t.Helper()
	var p bytes.Buffer
	p.Write([]byte{0x80, 4, 'X'})
	binary.Write(&p, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
	p.WriteByte('.')
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(p.Bytes())
	w.Close()
	return base64.StdEncoding.EncodeToString(z.Bytes())
}

type lcbCase struct {
	Input    string `json:"input"`
	Output   string `json:"output"`
	TestType string `json:"testtype"`
}

// lcbRecord is a code_generation_lite line; private tests are pickled
// unless plain is set.
func lcbRecord(t testing.TB, id, platform, date, difficulty, funcName string, public, private []lcbCase, plain bool) string {
	t.Helper()
	pub, _ := json.Marshal(public)
	priv, _ := json.Marshal(private)
	privField := string(priv)
	if !plain {
		privField = pickledTests(t, string(priv))
	}
	meta := "{}"
	if funcName != "" {
		meta = `{"func_name": "` + funcName + `"}`
	}
	rec := map[string]string{
		"question_title": "title " + id, "question_content": "content " + id, "platform": platform,
		"question_id": id, "contest_id": "c" + id, "contest_date": date, "starter_code": "",
		"difficulty": difficulty, "public_test_cases": string(pub), "private_test_cases": privField, "metadata": meta,
	}
	b, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lcbFolder writes test.jsonl, test2.jsonl and test3.jsonl: problems p1
// (2023-05-01, stdin), p2 (2023-06-15 10:00, functional), p3 (2023-07-01,
// stdin), one file each.
func lcbFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	stdin := []lcbCase{{"1 2\n", "3\n", "stdin"}}
	writeFile(t, dir, "test.jsonl", lcbRecord(t, "p1", "atcoder", "2023-05-01T00:00:00", "easy", "", stdin, []lcbCase{{"5 5\n", "10\n", "stdin"}}, false)+"\n")
	writeFile(t, dir, "test2.jsonl", lcbRecord(t, "p2", "leetcode", "2023-06-15T10:00:00", "medium", "add",
		[]lcbCase{{"1\n2", "3", "functional"}}, []lcbCase{{"[1]\n[2]", "[1, 2]", "functional"}, {"1.5\n2", "3.5", "functional"}}, false)+"\n")
	writeFile(t, dir, "test3.jsonl", lcbRecord(t, "p3", "codeforces", "2023-07-01T00:00:00", "hard", "", stdin, nil, true))
	return dir
}

func loadLCB(t *testing.T, data string, set func(c *benchmarks.Config)) (*benchmarks.Benchmark, error) {
	t.Helper()
	cfg, err := (&benchmarks.Registry{}).Load("livecodebench")
	if err != nil {
		t.Fatal(err)
	}
	if set != nil {
		set(cfg)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return benchmarks.Load(cfg, data)
}

func taskIDs(b *benchmarks.Benchmark) []string {
	var ids []string
	for _, p := range b.Problems {
		ids = append(ids, p.TaskID)
	}
	return ids
}

func TestLoadLiveCodeBench(t *testing.T) {
	dir := lcbFolder(t)
	b, err := loadLCB(t, dir, func(c *benchmarks.Config) { c.LiveCodeBench.Release = "v3" })
	if err != nil {
		t.Fatal(err)
	}
	want := []*benchmarks.Problem{
		{TaskID: "p1", Kind: benchmarks.KindStdio, Statement: "content p1",
			Tests: []benchmarks.Test{{Input: "1 2\n", Output: "3\n"}, {Input: "5 5\n", Output: "10\n"}},
			Meta:  map[string]string{"difficulty": "easy", "platform": "atcoder", "contest_month": "2023-05"}},
		{TaskID: "p2", Kind: benchmarks.KindLCBFunction, Statement: "content p2", EntryPoint: "add",
			Tests: []benchmarks.Test{{Input: "1\n2", Output: "3"}, {Input: "[1]\n[2]", Output: "[1, 2]"}, {Input: "1.5\n2", Output: "3.5"}},
			Meta:  map[string]string{"difficulty": "medium", "platform": "leetcode", "contest_month": "2023-06"}},
		{TaskID: "p3", Kind: benchmarks.KindStdio, Statement: "content p3",
			Tests: []benchmarks.Test{{Input: "1 2\n", Output: "3\n"}},
			Meta:  map[string]string{"difficulty": "hard", "platform": "codeforces", "contest_month": "2023-07"}},
	}
	if diff := cmp.Diff(want, b.Problems, cmpopts.IgnoreUnexported(benchmarks.Problem{})); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if b.Config.Version != "release_v3" {
		t.Errorf("version %q", b.Config.Version)
	}
	if b.DataPath != dir {
		t.Errorf("data path %q, want %q", b.DataPath, dir)
	}
	if c, _ := b.Comparator(b.Problems[0]); c.Name() != "lcb" {
		t.Errorf("comparator %s, want lcb", c.Name())
	}
}

func TestLiveCodeBenchReleases(t *testing.T) {
	dir := lcbFolder(t)
	tests := []struct {
		release, version string
		ids              []string
		err              string
	}{
		{"v1", "release_v1", []string{"p1"}, ""},
		{"release_v2", "release_v2", []string{"p1", "p2"}, ""},
		{"v3", "release_v3", []string{"p1", "p2", "p3"}, ""},
		{"latest", "release_latest", []string{"p1", "p2", "p3"}, ""},
		{"v4", "", nil, "LiveCodeBench release_v4 needs test4.jsonl, which is not there"},
		{"v6", "", nil, "needs test4.jsonl"},
		{"v0", "", nil, `livecodebench.release "v0" is unknown`},
		{"6", "", nil, `livecodebench.release "6" is unknown`},
	}
	for _, tt := range tests {
		b, err := loadLCB(t, dir, func(c *benchmarks.Config) { c.LiveCodeBench.Release = tt.release })
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("release %s: error %v, want one containing %q", tt.release, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("release %s: %v", tt.release, err)
			continue
		}
		if diff := cmp.Diff(tt.ids, taskIDs(b)); diff != "" || b.Config.Version != tt.version {
			t.Errorf("release %s: version %s, tasks (-want +got):\n%s", tt.release, b.Config.Version, diff)
		}
	}
	// Each release's data has its own sha256; one file is read as it is.
	b1, _ := loadLCB(t, dir, func(c *benchmarks.Config) { c.LiveCodeBench.Release = "v1" })
	b2, _ := loadLCB(t, dir, func(c *benchmarks.Config) { c.LiveCodeBench.Release = "v2" })
	f, err := loadLCB(t, filepath.Join(dir, "test2.jsonl"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b1.SHA256 == b2.SHA256 || b1.SHA256 != sha256Hex(readFile(t, filepath.Join(dir, "test.jsonl"))) {
		t.Errorf("sha256 v1 %s v2 %s", b1.SHA256, b2.SHA256)
	}
	if diff := cmp.Diff([]string{"p2"}, taskIDs(f)); diff != "" {
		t.Errorf("one file: tasks (-want +got):\n%s", diff)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestLiveCodeBenchWindow: lcb_runner keeps p_start_date <= contest_date
// <= p_end_date, both dates at 00:00, so a contest at 10:00 on the end date
// is left out.
func TestLiveCodeBenchWindow(t *testing.T) {
	dir := lcbFolder(t)
	tests := []struct {
		start, end string
		ids        []string
	}{
		{"", "", []string{"p1", "p2", "p3"}},
		{"2023-05-01", "", []string{"p1", "p2", "p3"}},
		{"2023-05-02", "", []string{"p2", "p3"}},
		{"", "2023-07-01", []string{"p1", "p2", "p3"}},
		{"", "2023-06-30", []string{"p1", "p2"}},
		{"", "2023-06-15", []string{"p1"}},
		{"2023-06-15", "2023-06-16", []string{"p2"}},
		{"2023-06-01", "2023-06-30", []string{"p2"}},
	}
	for _, tt := range tests {
		b, err := loadLCB(t, dir, func(c *benchmarks.Config) {
			if err := c.SetLiveCodeBench("latest", tt.start, tt.end); err != nil {
				t.Fatal(err)
			}
		})
		if err != nil {
			t.Errorf("%s..%s: %v", tt.start, tt.end, err)
			continue
		}
		if diff := cmp.Diff(tt.ids, taskIDs(b)); diff != "" {
			t.Errorf("%s..%s: tasks (-want +got):\n%s", tt.start, tt.end, diff)
		}
	}
	_, err := loadLCB(t, dir, func(c *benchmarks.Config) { c.SetLiveCodeBench("latest", "2024-01-01", "") })
	if err == nil || !strings.Contains(err.Error(), "no problems with a contest_date from 2024-01-01 to (open)") {
		t.Errorf("empty window: error %v", err)
	}
}

func TestLiveCodeBenchConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		set  func(c *benchmarks.Config) error
		err  string
	}{
		{"bad start", func(c *benchmarks.Config) error { return c.SetLiveCodeBench("", "2023-13-01", "") }, `livecodebench.start_date "2023-13-01" is not a date (YYYY-MM-DD)`},
		{"bad end", func(c *benchmarks.Config) error { return c.SetLiveCodeBench("", "", "May 1") }, `livecodebench.end_date "May 1" is not a date`},
		{"end before start", func(c *benchmarks.Config) error { return c.SetLiveCodeBench("", "2024-02-01", "2024-01-01") }, "end_date 2024-01-01 is before start_date 2024-02-01"},
		{"bad release", func(c *benchmarks.Config) error { return c.SetLiveCodeBench("v1.5", "", "") }, `livecodebench.release "v1.5" is unknown`},
	}
	for _, tt := range tests {
		cfg, err := (&benchmarks.Registry{}).Load("livecodebench")
		if err != nil {
			t.Fatal(err)
		}
		if err := tt.set(cfg); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: SetLiveCodeBench error %v, want one containing %q", tt.name, err, tt.err)
		}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: Validate error %v, want one containing %q", tt.name, err, tt.err)
		}
	}
	// The section is for LiveCodeBench only, from flags and from files.
	demo, err := (&benchmarks.Registry{}).Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := demo.SetLiveCodeBench("v1", "", ""); err == nil || !strings.Contains(err.Error(), "not a LiveCodeBench benchmark") {
		t.Errorf("SetLiveCodeBench on demo: %v", err)
	}
	dir := t.TempDir()
	file := writeFile(t, dir, "b.toml", "name = \"x\"\nversion = \"1\"\n[data]\npath = \"p\"\n[livecodebench]\nrelease = \"v1\"\n")
	if _, err := (&benchmarks.Registry{}).LoadFile(file); err == nil || !strings.Contains(err.Error(), `livecodebench applies to format "livecodebench", not "scalebox"`) {
		t.Errorf("section in a scalebox benchmark: %v", err)
	}
	file = writeFile(t, dir, "c.toml", "name = \"livecodebench\"\n[livecodebench]\nrelease_version = \"v1\"\n")
	if _, err := (&benchmarks.Registry{}).LoadFile(file); err == nil || !strings.Contains(err.Error(), "unknown key livecodebench.release_version") {
		t.Errorf("unknown key: %v", err)
	}
	// A file overriding the builtin sets the window.
	file = writeFile(t, dir, "d.toml", "name = \"livecodebench\"\n[livecodebench]\nrelease = \"v2\"\nstart_date = \"2023-06-01\"\n")
	cfg, err := (&benchmarks.Registry{}).LoadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LiveCodeBench != (benchmarks.LiveCodeBenchConfig{Release: "v2", StartDate: "2023-06-01"}) {
		t.Errorf("override: %+v", cfg.LiveCodeBench)
	}
}

func TestLiveCodeBenchDataErrors(t *testing.T) {
	stdin := []lcbCase{{"1\n", "1\n", "stdin"}}
	good := lcbRecord(t, "q", "atcoder", "2023-05-01T00:00:00", "easy", "", stdin, stdin, false)
	tests := []struct {
		name, line, err string
	}{
		{"not JSON", "{", "test.jsonl:1: "},
		{"bad date", strings.Replace(good, "2023-05-01T00:00:00", "yesterday", 1), `question q: contest_date "yesterday" is not an ISO date`},
		{"bad platform", strings.Replace(good, `"atcoder"`, `"topcoder"`, 1), `platform "topcoder" is not leetcode, codeforces or atcoder`},
		{"bad difficulty", strings.Replace(good, `"easy"`, `"trivial"`, 1), `difficulty "trivial" is not easy, medium or hard`},
		{"bad pickle", strings.Replace(good, pickledTests(t, `[{"input":"1\n","output":"1\n","testtype":"stdin"}]`), "bm90IHpsaWI=", 1), "private_test_cases: lcb tests: zlib: invalid header"},
		{"bad testtype", lcbRecord(t, "q", "atcoder", "2023-05-01T00:00:00", "easy", "", []lcbCase{{"1", "1", "batch"}}, stdin, false), `public_test_cases: test 0: testtype "batch" is not stdin or functional`},
		{"functional input not JSON", lcbRecord(t, "q", "leetcode", "2023-05-01T00:00:00", "easy", "f", []lcbCase{{"[1,", "1", "functional"}}, nil, true), "task q: test 0: input line 1 is not JSON"},
		{"no tests", lcbRecord(t, "q", "atcoder", "2023-05-01T00:00:00", "easy", "", nil, nil, true), "a stdio problem needs tests"},
		{"no question_id", strings.Replace(good, `"question_id":"q"`, `"question_id":null`, 1), "question_id: task_id is missing"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		writeFile(t, dir, "test.jsonl", tt.line+"\n")
		_, err := loadLCB(t, dir, func(c *benchmarks.Config) { c.LiveCodeBench.Release = "v1" })
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.err)
		}
	}
	// The same question in two files of a release.
	dir := t.TempDir()
	writeFile(t, dir, "test.jsonl", good+"\n")
	writeFile(t, dir, "test2.jsonl", good+"\n")
	if _, err := loadLCB(t, dir, func(c *benchmarks.Config) { c.LiveCodeBench.Release = "v2" }); err == nil || !strings.Contains(err.Error(), `task_id "q" appears twice`) {
		t.Errorf("duplicate: %v", err)
	}
}

func FuzzLoadLiveCodeBench(f *testing.F) {
	stdin := []lcbCase{{"1\n", "1\n", "stdin"}}
	f.Add(lcbRecord(f, "q", "atcoder", "2023-05-01T00:00:00", "easy", "", stdin, stdin, false))
	f.Add(lcbRecord(f, "q", "leetcode", "2023-05-01", "hard", "g", []lcbCase{{"[1]\n\"a\"", "null", "functional"}}, nil, true))
	cfg, err := (&benchmarks.Registry{}).Load("livecodebench")
	if err != nil {
		f.Fatal(err)
	}
	cfg.LiveCodeBench.StartDate = "2023-01-01"
	f.Fuzz(func(t *testing.T, line string) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "test.jsonl"), []byte(line), 0o644)
		c := *cfg
		b, err := benchmarks.Load(&c, filepath.Join(dir, "test.jsonl"))
		if err == nil && len(b.Problems) == 0 {
			t.Errorf("loaded no problems without an error")
		}
	})
}
