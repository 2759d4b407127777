package server

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestExtractCode follows ScaleBox's default_extract_helper: complete
// fences first, the request's language preferred, else the first block;
// then Python's def/class heuristic; then an unclosed fence; else nothing.
func TestExtractCode(t *testing.T) {
	for _, tt := range []struct {
		name, text, lang, want string
	}{
		{"fenced", "Sure:\n```python\nprint(1)\n```\ndone", "python3", "print(1)"},
		{"language preferred", "```cpp\nint main(){}\n```\n```py\nprint(2)\n```", "python3", "print(2)"},
		{"first when none matches", "```\nA\n```\n```rust\nB\n```", "python3", "A"},
		{"alias js", "```js\nconsole.log(1)\n```", "javascript", "console.log(1)"},
		{"unclosed fence", "Here:\n```python\nprint(3)\n", "python3", "print(3)\n"},
		{"python heuristic", "I think\n\ndef f(x):\n    return x\n\nthat is it", "python3", "def f(x):\n    return x\n"},
		{"heuristic keeps imports", "import os\ndef f():\n    pass\ntext", "python3", "import os\ndef f():\n    pass\n"},
		{"nothing", "no code at all", "python3", ""},
		{"bash is all lines", "echo 1\n\necho 2", "bash", "echo 1\necho 2\n"},
		{"complete beats unclosed", "```python\nA\n```\n```python\nB", "python3", "A"},
	} {
		if got := extractCode(tt.text, tt.lang); got != tt.want {
			t.Errorf("%s: extractCode = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func FuzzExtractCode(f *testing.F) {
	f.Add("```python\nprint(1)\n```", "python3")
	f.Add("def f():\n  pass\n", "python3")
	f.Add("```\n```cpp\nx", "cpp")
	f.Fuzz(func(t *testing.T, text, lang string) {
		got := extractCode(text, lang)
		if got != "" && got != "\n" && !strings.Contains(text, strings.TrimSuffix(got, "\n")) && lang != "bash" && lang != "python3" {
			t.Fatalf("extracted %q is not in the text %q", got, text)
		}
	})
}

// FuzzParseCases: any provided_data is parsed or refused naming a field,
// never a panic.
func FuzzParseCases(f *testing.F) {
	f.Add(`{"test_cases": {"type": "stdin_stdout", "input": ["1"], "output": ["1"]}}`, true)
	f.Add(`{"test_cases": [{"input": "1", "output": "2", "fn_name": "f"}]}`, false)
	f.Add(`{"test_cases": {"type": "assert", "test": "assert 1"}}`, true)
	f.Add(`{"test_cases": {"fn_name": "f", "json_input": true, "input": ["1\n2"], "output": ["3"]}}`, true)
	f.Fuzz(func(t *testing.T, data string, batch bool) {
		var pd map[string]json.RawMessage
		if json.Unmarshal([]byte(data), &pd) != nil {
			return
		}
		c, err := parseCases(pd, batch)
		if err != nil {
			if err.Field == "" {
				t.Fatalf("error without a field: %v", err)
			}
			return
		}
		if c.Type == "function_call" {
			functionProblems(c)
		}
	})
}

// TestOpenAPIListsEveryEndpoint keeps docs/openapi.yaml in step with the
// routes.
func TestOpenAPIListsEveryEndpoint(t *testing.T) {
	data, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	s.routes()
	for _, route := range s.routeList {
		method, path, _ := strings.Cut(route, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("docs/openapi.yaml lacks %s", route)
		}
	}
	ops := 0
	for _, item := range doc.Paths {
		for method := range item {
			if method != "parameters" {
				ops++
			}
		}
	}
	if ops != len(s.routeList) {
		t.Errorf("docs/openapi.yaml has %d operations, the server %d routes", ops, len(s.routeList))
	}
}

func TestAssertedFunction(t *testing.T) {
	for _, tt := range []struct{ tests, code, want string }{
		{"assert add(1, 2) == 3\n", "def add(a, b):\n    return a + b", "add"},
		{"assert len(f(3)) == 2\n", "import os\ndef f(n):\n    return [1, 2]", "f"},
		{"assert math.isclose(area(2), 4)\n", "import math\ndef area(r): return r*r", "area"},
		{"assert sorted(g([2, 1])) == [1, 2]\n", "g = lambda x: x", "g"},
		{"assert x.append(1) is None and h(1)\n", "def append(x): pass\nclass h: pass", "h"},
		{"assert missing(1) == 2\n", "def other(): pass", "missing"},
		{"assert len([1]) == 1\n", "def other(): pass", ""},
	} {
		if got := assertedFunction(tt.tests, tt.code); got != tt.want {
			t.Errorf("assertedFunction(%q, %q) = %q, want %q", tt.tests, tt.code, got, tt.want)
		}
	}
}
