package benchmarks

import (
	"bytes"
	_ "embed"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"text/template"

	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/runner"
)

// KindMultiple: a MultiPL-E problem. The program is the prompt, the
// completion cut at its first stop token, a newline and the tests; it runs
// once and passes when the tests ran to their end and it exited 0. A
// harness (per language) prints a per-run random marker after the tests,
// so that a program that exits 0 before them fails.
const KindMultiple Kind = "multiple"

func init() {
	RegisterKind(KindMultiple, KindSpec{
		Validate: func(p *Problem, cfg *Config) error {
			if p.TestCode == "" {
				return fmt.Errorf("task %s: a MultiPL-E problem needs tests", p.TaskID)
			}
			lang := p.Language
			if lang == "" {
				lang = cfg.Language
			}
			if _, ok := multipleHarnesses[lang]; !ok {
				return fmt.Errorf("task %s: MultiPL-E problems run in %s, not %s", p.TaskID, strings.Join(MultipleLanguages(), ", "), lang)
			}
			return nil
		},
		Plan: multiplePlan,
	})
}

// CutAtStopTokens returns completion up to the first occurrence of any of
// the stop tokens (MultiPL-E's rule).
func CutAtStopTokens(completion string, stop []string) string {
	end := len(completion)
	for _, s := range stop {
		if s == "" {
			continue
		}
		if i := strings.Index(completion[:end], s); i >= 0 {
			end = i
		}
	}
	return completion[:end]
}

// multipleHarness says how one language's MultiPL-E programs are built and
// run, and how the completion marker gets in and out. The program is
// pre + code + mid + "\n" + tests + post; the marker is the run's stdin.
type multipleHarness struct {
	// pre, mid and post surround the program (see above).
	pre, mid, post string
	// preIf, when set, is the text the prompt must contain for pre to be
	// added.
	preIf string
	// files are written next to the program.
	files map[string][]byte
	// compile, when set, replaces the language's compile command; env is
	// added to the environment of the compile step and the run.
	compile, env []string
	// run, when set, rewrites the language's run command.
	run func(argv []string) []string
	// testFailed tells a failed test from another error (WA, not RE).
	// errorLine finds the line of stderr that names the error (an
	// exception's type and message), for the verdict's message.
	testFailed func(r *runner.Result) bool
	errorLine  *regexp.Regexp
	// needs are host files the harness needs (a library).
	needs []string
}

var (
	//go:embed harness/multiple/post.cpp
	multiplePostCpp string
	//go:embed harness/multiple/post.java
	multiplePostJava string
	//go:embed harness/multiple/post.cs
	multiplePostCs string
	//go:embed harness/multiple/marker.js
	multipleMarkerJS []byte
	//go:embed harness/multiple/marker.php
	multipleMarkerPHP []byte
)

// JavatuplesJar is the javatuples library that MultiPL-E's Java prompts
// import (org.javatuples), where Debian's libjavatuples-java puts it.
const JavatuplesJar = "/usr/share/java/javatuples.jar"

// multipleHarnesses are the languages MultiPL-E problems run in. Compile
// and run commands mirror MultiPL-E's evaluation scripts
// (evaluation/src/eval_<lang>.py) where the difference can change a
// verdict; the toolchain itself (tools, prepared caches, mounts) is the
// language's from runner/languages.toml.
var multipleHarnesses = map[string]*multipleHarness{
	// eval_cpp.py: g++ -std=c++17, no optimisation (undefined behaviour such
	// as a missing return acts as it does there). The prompts include
	// <bits/stdc++.h>; including it first, before <assert.h>, declares the
	// same and lets GCC use the precompiled header (built for these flags
	// by the language's prepare step). The tests' main is renamed so that
	// the harness's main runs it and then prints the marker.
	"cpp": {
		pre:       "#include <bits/stdc++.h>\n",
		preIf:     "<bits/stdc++.h>",
		mid:       "\n#define main scalebox_tests_main",
		post:      multiplePostCpp,
		compile:   []string{"{cxx}", "-std=c++17", "-pipe", "-I{cache}", "-o", "{out}/main", "{source}"},
		errorLine: regexp.MustCompile(`(?m)^.*(Assertion .* failed\.|terminate called .*)$`),
		testFailed: func(r *runner.Result) bool {
			return r.Status == runner.StatusSignaled && r.Signal == syscall.SIGABRT && strings.Contains(string(r.Stderr), "Assertion")
		},
	},
	// eval_java.py: javac with javatuples on the class path, java -ea (the
	// tests are assert statements). The harness's class is the entry point.
	"java": {
		post: multiplePostJava,
		env:  []string{"CLASSPATH=" + JavatuplesJar},
		run: func(argv []string) []string {
			out := []string{argv[0], "-ea"}
			for i := 1; i < len(argv); i++ {
				switch {
				case argv[i] == "{main}":
					out = append(out, "ScaleboxMain")
				case argv[i-1] == "-cp" || argv[i-1] == "-classpath":
					out = append(out, argv[i]+":"+JavatuplesJar)
				default:
					out = append(out, argv[i])
				}
			}
			return out
		},
		errorLine: regexp.MustCompile(`(?m)^Exception in thread .*$`),
		testFailed: func(r *runner.Result) bool {
			return r.Status == runner.StatusExited && strings.Contains(string(r.Stderr), "java.lang.AssertionError")
		},
		needs: []string{JavatuplesJar},
	},
	// eval_cs.py: Mono's compiler with DEBUG defined (Debug.Assert is the
	// test) and System.Numerics, and MONO_TRACE_LISTENER=Console.Error so
	// that a failed assertion is reported on stderr.
	"csharp": {
		post:      multiplePostCs,
		compile:   []string{"/bin/sh", "-c", "exec \"$0\" -d:DEBUG -r:System.Numerics -main:ScaleboxMain -out:\"$1/main.exe\" main.cs", "{mcs}", "{out}"},
		env:       []string{"MONO_TRACE_LISTENER=Console.Error"},
		errorLine: regexp.MustCompile(`(?m)^(System\.[\w.]*(Exception|Error)\b.*|scalebox: .*)$`),
		testFailed: func(r *runner.Result) bool {
			return r.Status == runner.StatusExited && r.ExitCode == 3
		},
	},
	// eval_javascript.py: node. The marker is read by a preloaded module.
	"javascript": {
		post:      "\n__scaleboxDone();\n",
		files:     map[string][]byte{"scalebox-marker.js": multipleMarkerJS},
		run:       nodePreload,
		errorLine: regexp.MustCompile(`(?m)^\w*(Error|Exception)\b.*$`),
		testFailed: func(r *runner.Result) bool {
			return r.Status == runner.StatusExited && strings.Contains(string(r.Stderr), "AssertionError")
		},
	},
	// TypeScript as the Qwen2.5-Coder evaluation compiles it (tsc --target
	// ES2015 --lib ES2015,DOM; the tests declare require themselves), then
	// node. --skipLibCheck only skips checking the library's own .d.ts
	// files (which check clean), and halves the compile time.
	"typescript": {
		post:      "\ndeclare var __scaleboxDone: () => void;\n__scaleboxDone();\n",
		files:     map[string][]byte{"scalebox-marker.js": multipleMarkerJS},
		compile:   []string{"{node}", "{tsc}", "--target", "ES2015", "--lib", "ES2015,DOM", "--skipLibCheck", "--outDir", "{out}", "main.ts"},
		run:       nodePreload,
		errorLine: regexp.MustCompile(`(?m)^\w*(Error|Exception)\b.*$`),
		testFailed: func(r *runner.Result) bool {
			return r.Status == runner.StatusExited && strings.Contains(string(r.Stderr), "AssertionError")
		},
	},
	// eval_php.py: php. The marker is read by an auto_prepend_file.
	"php": {
		post:  "\nScaleboxMarker::done();\n",
		files: map[string][]byte{"scalebox-marker.php": multipleMarkerPHP},
		run: func(argv []string) []string {
			return append([]string{argv[0], "-d", "auto_prepend_file=" + runner.WorkDir + "/scalebox-marker.php"}, argv[1:]...)
		},
		errorLine: regexp.MustCompile(`(?m)^PHP .*error: .*$`),
		testFailed: func(r *runner.Result) bool {
			return r.Status == runner.StatusExited && strings.Contains(string(r.Stderr)+string(r.Stdout), "Test failed!")
		},
	},
	// eval_sh.py: bash. The marker is read into a variable before the
	// program's first line (fd 0 is then /dev/null); the tests end with
	// `set -e`, so a failed test exits 1.
	"bash": {
		pre:  "IFS= read -r __scalebox_marker || true; exec 0</dev/null\n",
		post: "\nprintf '\\n%s\\n' \"$__scalebox_marker\"\n",
		testFailed: func(r *runner.Result) bool {
			return r.Status == runner.StatusExited && r.ExitCode == 1
		},
	},
}

// nodePreload runs node with the marker module preloaded.
func nodePreload(argv []string) []string {
	return append([]string{argv[0], "-r", runner.WorkDir + "/scalebox-marker.js"}, argv[1:]...)
}

// MultipleLanguages lists the languages MultiPL-E problems run in.
func MultipleLanguages() []string {
	return slices.Sorted(maps.Keys(multipleHarnesses))
}

// MultipleProgram is the program a MultiPL-E sample runs in lang: the
// sample's code (prompt and completion, or a whole solution), the tests
// and the harness's marker code around them.
func MultipleProgram(p *Problem, code, lang string) (string, error) {
	h, ok := multipleHarnesses[lang]
	if !ok {
		return "", fmt.Errorf("task %s: MultiPL-E problems run in %s, not %s", p.TaskID, strings.Join(MultipleLanguages(), ", "), lang)
	}
	pre := h.pre
	if h.preIf != "" && !strings.Contains(p.Prompt, h.preIf) {
		pre = ""
	}
	return pre + code + h.mid + "\n" + p.TestCode + h.post, nil
}

func multiplePlan(_ *Benchmark, p *Problem, code string, lang *runner.Language, _ PlanOptions) (*Plan, error) {
	h := multipleHarnesses[lang.ID]
	program, err := MultipleProgram(p, code, lang.ID)
	if err != nil {
		return nil, err
	}
	for _, f := range h.needs {
		if _, err := os.Stat(f); err != nil {
			return nil, &runner.ToolchainError{Lang: lang.ID, Reason: fmt.Sprintf("MultiPL-E needs %s: %v", f, err), Install: "apt-get install libjavatuples-java"}
		}
	}
	plan := &Plan{Language: lang.ID, Files: map[string][]byte{lang.Source: []byte(program)}, Compile: h.compile, Env: h.env}
	for name, data := range h.files {
		plan.Files[name] = data
	}
	if h.run != nil {
		plan.Argv = h.run(lang.Run)
	}
	marker, err := newMarker()
	if err != nil {
		return nil, err
	}
	plan.Runs = []Run{{Test: 0, Stdin: []byte(marker + "\n"), Judge: func(r *runner.Result) Outcome {
		return judgeMultipleRun(r, marker, h)
	}}}
	return plan, nil
}

func judgeMultipleRun(r *runner.Result, marker string, h *multipleHarness) Outcome {
	if r.Status == runner.StatusExited && r.ExitCode == 0 {
		if hasLine(r.Stdout, []byte(marker)) {
			return Outcome{Verdict: judge.AC}
		}
		return Outcome{Verdict: judge.WA, Message: "the program ended before its tests finished (no completion marker)"}
	}
	if h.testFailed != nil && h.testFailed(r) {
		return Outcome{Verdict: judge.WA, Message: "a test failed" + h.note(r.Stderr)}
	}
	o, _ := RunOutcome(r)
	if o.Verdict == judge.RE && r.Status == runner.StatusExited {
		o.Message = fmt.Sprintf("exit code %d%s", r.ExitCode, h.note(r.Stderr))
	}
	return o
}

// note is ": " and the line of stderr that names the error, or its last
// line.
func (h *multipleHarness) note(stderr []byte) string {
	if h.errorLine != nil {
		if m := h.errorLine.Find(stderr); m != nil {
			return ": " + strings.TrimSpace(strings.ToValidUTF8(string(m), "\uFFFD"))
		}
	}
	return stderrNote(stderr)
}

//go:embed builtin/multiple.toml.tmpl
var multipleTemplate string

// multipleBuiltin is one language's builtin MultiPL-E benchmark,
// multiple-<Lang>, generated from builtin/multiple.toml.tmpl.
type multipleBuiltin struct {
	Lang, Language, Display string
	// CPUTime is MultiPL-E's timeout for the language (safe_subprocess's
	// 15 s, eval_cs.py's 5 s), here on CPU time; WallTime caps sleepers.
	CPUTime, WallTime string
	// The sha256 of each published copy of the data.
	QwenSHA256, ScaleboxSHA256 string
}

var multipleBuiltins = []multipleBuiltin{
	{"cpp", "cpp", "C++", "15s", "30s", "8717eabdf202137158c84506144b0fb1e73d5ecccbe5363ec79009ca014df629", "a1a0796d028d53cd385cb295e906f57b721181a6152ebbec9fa4efaae126c82c"},
	{"cs", "csharp", "C#", "5s", "15s", "1c3fe18be10addc2d0b96311f4db192ae3232e08628d17768d889d6ab87be224", "8a6d67d57fe967b36439b25ebd546e6e227dc75b2539e08c96a81ab879d672ff"},
	{"java", "java", "Java", "15s", "30s", "b21b015763452ec4f9f4e0e6425148ec331ace4da1232c8b4d441186185f6265", "6250789eb51e9f9463f750d3a228e13657cde5ca2a5fd2af0189161624a72482"},
	{"js", "javascript", "JavaScript", "15s", "30s", "634e2eee8d6e22de07c121b972207683dd96be76256bf44bdfc1a3386b739287", "5faa6c748fef5834526292b176ac6097b8feddc10002006fd49f12e4d193746f"},
	{"php", "php", "PHP", "15s", "30s", "bebd86875b1d8e65a8b7e692ed7bdf64612b44aa388825ea4dab40c7047c786b", "5e974c19d5c6285f3c8adb880c5bffc08af30bf3e148d6a2069d8ae340c39172"},
	{"sh", "bash", "Bash", "15s", "30s", "2f702106e9ce4aa7385de568d9248d6c57c90382d782b162cb9e072fbd01ccf8", "339613e446df07743cb05fb70328d20e4f0819fc66169291c5f7cc48a65bc8c7"},
	{"ts", "typescript", "TypeScript", "15s", "30s", "4b1af1050c9f226335d54a8c80553c39454a525cace3e67bdcfcc9092ba02637", "02b891d976ec6496de73781d6c65742a027f77537b808d74173c4411731dc127"},
}

// generatedBuiltins returns the TOML of the builtin benchmarks generated
// from templates, by name.
var generatedBuiltins = sync.OnceValue(func() map[string][]byte {
	tmpl := template.Must(template.New("multiple").Parse(multipleTemplate))
	out := map[string][]byte{}
	for _, b := range multipleBuiltins {
		var buf bytes.Buffer
		if err := tmpl.Execute(&buf, b); err != nil {
			panic(err)
		}
		out["multiple-"+b.Lang] = buf.Bytes()
	}
	return out
})
