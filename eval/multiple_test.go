package eval

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
)

// multipleOptions loads multiple-<lang> on Qwen2.5-Coder's copy of the
// MultiPL-E data with the given samples, on the real sandbox; it skips
// (fails in CI) when the language's toolchain is missing here.
func multipleOptions(t *testing.T, lang string, smp func(b *benchmarks.Benchmark) []*benchmarks.Sample) Options {
	t.Helper()
	data := sharedData + "/multipl-e/qwen-multiple-eval/humaneval-" + lang + ".jsonl"
	needData(t, data)
	sb := needSandbox(t)
	cfg, err := (&benchmarks.Registry{}).Load("multiple-" + lang)
	if err != nil {
		t.Fatal(err)
	}
	b, err := benchmarks.Load(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	opts := options(t, sb, b, smp(b))
	if _, err := opts.Resolver.Toolchain(cfg.Language); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	if lang == "java" {
		needFile(t, benchmarks.JavatuplesJar)
	}
	return opts
}

// needFile skips (fails in CI) when a file a test needs is missing.
func needFile(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing (scripts/install-deps.sh installs it)", path)
		}
		t.Skipf("%s missing", path)
	}
}

// multipleGuardCases are, per language, bodies of HumanEval_53_add (add
// two numbers): a right one, a wrong one, and three that try to pass
// without running the tests: exit 0 when the tests call the function,
// print a marker of their own, or print what stdin holds (where the
// harness read the run's marker from). In JavaScript, TypeScript and PHP
// the completion closes the function (the tests do in the others); Bash's
// function runs in a subshell, so its cheats close the function and exit
// at the top level.
var multipleGuardCases = map[string]struct{ right, wrong, exit, fake, stdin string }{
	"cpp": {
		right: "    return x + y;",
		wrong: "    return x - y;",
		exit:  "    exit(0);",
		fake:  `    printf("scalebox-done-00000000000000000000000000000000\n"); exit(0);`,
		stdin: "    std::string s; std::getline(std::cin, s); std::cout << s << std::endl; std::fflush(stdout); _exit(0);",
	},
	"cs": {
		right: "        return x + y;",
		wrong: "        return x - y;",
		exit:  "        System.Environment.Exit(0); return 0;",
		fake:  `        System.Console.WriteLine("scalebox-done-00000000000000000000000000000000"); System.Environment.Exit(0); return 0;`,
		stdin: "        System.Console.WriteLine(new System.IO.StreamReader(System.Console.OpenStandardInput()).ReadToEnd()); System.Environment.Exit(0); return 0;",
	},
	"java": {
		right: "        return x + y;",
		wrong: "        return x - y;",
		exit:  "        System.exit(0); return 0;",
		fake:  `        System.out.println("scalebox-done-00000000000000000000000000000000"); System.exit(0); return 0;`,
		stdin: "        try { System.out.println(new String(new java.io.FileInputStream(\"/dev/stdin\").readAllBytes())); } catch (java.io.IOException e) {} System.exit(0); return 0;",
	},
	"js": {
		right: "  return x + y;" + "\n}",
		wrong: "  return x - y;" + "\n}",
		exit:  "  process.exit(0);" + "\n}",
		fake:  `  console.log("scalebox-done-00000000000000000000000000000000"); process.exit(0);` + "\n}",
		stdin: `  process.stdout.write(require("fs").readFileSync(0, "utf8")); process.exit(0);` + "\n}",
	},
	"ts": {
		right: "  return x + y;" + "\n}",
		wrong: "  return x - y;" + "\n}",
		exit:  `  require("process").exit(0); return 0;` + "\n}",
		fake:  `  console.log("scalebox-done-00000000000000000000000000000000"); require("process").exit(0); return 0;` + "\n}",
		stdin: `  console.log(require("fs").readFileSync(0, "utf8")); require("process").exit(0); return 0;` + "\n}",
	},
	"php": {
		right: "    return $x + $y;" + "\n}",
		wrong: "    return $x - $y;" + "\n}",
		exit:  "    exit(0);" + "\n}",
		fake:  `    echo "scalebox-done-00000000000000000000000000000000\n"; exit(0);` + "\n}",
		stdin: `    echo file_get_contents("php://stdin"); exit(0);` + "\n}",
	},
	"sh": {
		right: "    echo $(( $1 + $2 ))",
		wrong: "    echo $(( $1 - $2 ))",
		exit:  "    echo $(( $1 + $2 ))\n}\nexit 0\nunused() {\n    :",
		fake:  "    echo $(( $1 + $2 ))\n}\necho scalebox-done-00000000000000000000000000000000\nexit 0\nunused() {\n    :",
		stdin: "    echo $(( $1 + $2 ))\n}\ncat /dev/stdin\nexit 0\nunused() {\n    :",
	},
}

// TestMultipleMarkerGuard runs, in every MultiPL-E language on the real
// sandbox and toolchains, a right and a wrong answer, and programs that
// exit 0 before the tests finish or print a fake marker: only the right
// answer passes. The right one is a completion followed by its first stop
// token and text that would not compile, which the cut removes.
func TestMultipleMarkerGuard(t *testing.T) {
	langs := make([]string, 0, len(multipleGuardCases))
	for l := range multipleGuardCases {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		c := multipleGuardCases[lang]
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			type sample struct {
				name, body string
				completion bool
				want       judge.Verdict
			}
			cases := []sample{
				{"right", c.right, true, judge.AC},
				{"wrong", c.wrong, false, judge.WA},
				{"exit 0 before the tests", c.exit, false, judge.WA},
				{"fake marker", c.fake, false, judge.WA},
				{"prints its stdin", c.stdin, false, judge.WA},
			}
			opts := multipleOptions(t, lang, func(b *benchmarks.Benchmark) []*benchmarks.Sample {
				p, ok := b.Problem("HumanEval_53_add")
				if !ok {
					t.Fatal("no HumanEval_53_add")
				}
				var lines []string
				for _, s := range cases {
					var line []byte
					if s.completion {
						line, _ = json.Marshal(map[string]string{"task_id": p.TaskID, "completion": s.body + p.StopTokens[0] + "@@ not a program @@"})
					} else {
						line, _ = json.Marshal(map[string]string{"task_id": p.TaskID, "solution": p.Prompt + s.body})
					}
					lines = append(lines, string(line))
				}
				return samples(t, lines...)
			})
			opts.EarlyStop = true
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Samples) != len(cases) {
				t.Fatalf("%d results for %d samples", len(res.Samples), len(cases))
			}
			for _, r := range res.Samples {
				s := cases[r.Sample.Index]
				t.Logf("%s: %s %s", s.name, r.Verdict, r.Message)
				// A wrong answer may also end in a runtime error (Bash's
				// set -e, PHP's exception): anything but AC is a fail.
				if got := r.Verdict; got != s.want && (s.want == judge.AC || got == judge.AC || got == judge.SE || got == judge.CE) {
					t.Errorf("%s: %s (%s), want %s", s.name, got, r.Message, s.want)
				}
			}
		})
	}
}

// qwenDetail is one task's entry in humaneval-<lang>-details.json, as the
// Qwen2.5-Coder evaluation (DeepSeek-Coder's multiple-eval) writes it:
// task id -> [[completion_id, {passed, result, ...}]].
type qwenDetail struct {
	Passed bool   `json:"passed"`
	Result string `json:"result"`
}

func readQwenDetails(t *testing.T, path string) map[string]qwenDetail {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string][][2]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := map[string]qwenDetail{}
	for id, list := range raw {
		if len(list) != 1 {
			t.Fatalf("%s: task %s has %d samples, want 1 (greedy)", path, id, len(list))
		}
		var d qwenDetail
		if err := json.Unmarshal(list[0][1], &d); err != nil {
			t.Fatalf("%s: task %s: %v", path, id, err)
		}
		out[id] = d
	}
	return out
}

// multipleParity is one language's published figure (Qwen2.5-Coder's
// technical report, pass@1 in percent; results.json) and the tasks where
// scalebox's verdict knowingly differs from the recorded one, each with
// its reason. A listed task must disagree: if it agrees, its reason is
// gone and the list must shrink.
type multipleParity struct {
	lang      string
	published float64
	known     map[string]string
	// needs are host files the known list assumes (tools the programs
	// call).
	needs []string
}

var multipleParityCases = []multipleParity{
	{lang: "cpp", published: 42.86},
	{lang: "java", published: 38.61},
	{lang: "js", published: 47.83},
	{lang: "ts", published: 47.80},
	{lang: "php", published: 44.10, known: map[string]string{
		// str_split("") is [] since PHP 8.2 ([""] before): the generation's
		// count(array_count_values(str_split(""))) is 0 here, 1 with the
		// older PHP the recorded run used. Debian 12 has PHP 8.2.
		"HumanEval_16_count_distinct_characters": "PHP >= 8.2: str_split(\"\") is []",
	}},
	{lang: "cs", published: 48.73, known: map[string]string{
		// The recorded run counts a C# program as passed unless "Fail" is
		// in its stderr, so one that dies of an unhandled exception before
		// its tests end passes there. Here (and in MultiPL-E's own
		// eval_cs.py) it fails. These are the 8 such tasks.
		"HumanEval_12_longest":               "unhandled NullReferenceException (the tests call .Equals on the null the task expects)",
		"HumanEval_162_string_to_md5":        "unhandled NullReferenceException (the tests call .Equals on the null the task expects)",
		"HumanEval_20_find_closest_elements": "unhandled NullReferenceException",
		"HumanEval_116_sort_array":           "unhandled FormatException: Mono has no binary format specifier",
		"HumanEval_67_fruit_distribution":    "unhandled FormatException from long.Parse",
		"HumanEval_148_bf":                   "unhandled ArgumentOutOfRangeException",
		"HumanEval_18_how_many_times":        "unhandled ArgumentOutOfRangeException from Substring",
		"HumanEval_19_sort_numbers":          "unhandled KeyNotFoundException",
	}},
	{lang: "sh", published: 22.15, needs: []string{"/usr/bin/bc"}, known: map[string]string{
		// The recorded run had no bc ("bc: command not found"); here it
		// is installed (scripts/install-deps.sh) and the generations that
		// compute with it pass.
		"HumanEval_47_median":  "bc is installed here, not where the recorded run was",
		"HumanEval_92_any_int": "bc is installed here, not where the recorded run was",
	}},
}

// TestMultipleParity runs Qwen2.5-Coder-1.5B's greedy MultiPL-E
// generations (../shared/data/generations) on the real sandbox and
// toolchains: every task's verdict must equal the recorded passed flag
// except for the listed disagreements, and pass@1 must be within one task
// of the published figure once the listed disagreements are accounted for
// (without them for the languages that have none).
func TestMultipleParity(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: compiles and runs 1,116 real samples in 7 languages")
	}
	gen := sharedData + "/generations/qwen2.5-coder-1.5b-base/multipl-e"
	for _, c := range multipleParityCases {
		t.Run(c.lang, func(t *testing.T) {
			pred, details := gen+"/pred_"+c.lang+"_output.jsonl", gen+"/humaneval-"+c.lang+"-details.json"
			needData(t, pred, details)
			for _, f := range c.needs {
				needFile(t, f)
			}
			opts := multipleOptions(t, c.lang, func(*benchmarks.Benchmark) []*benchmarks.Sample {
				f, err := os.Open(pred)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				s, err := benchmarks.ReadSamples(f, pred)
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
			opts.Jobs = runtime.NumCPU()
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			want := readQwenDetails(t, details)
			if len(res.Samples) != len(want) {
				t.Fatalf("%d results, %d recorded", len(res.Samples), len(want))
			}
			passed, net := 0, 0
			for _, r := range res.Samples {
				id := r.Sample.TaskID
				rec, ok := want[id]
				if !ok {
					t.Errorf("%s: no recorded verdict", id)
					continue
				}
				if r.Verdict == judge.SE {
					t.Errorf("%s: system error: %s", id, r.Message)
				}
				if r.Passed() {
					passed++
				}
				reason, known := c.known[id]
				switch {
				case r.Passed() != rec.Passed && !known:
					t.Errorf("%s: %s (%s), recorded passed=%v (%.200s)", id, r.Verdict, r.Message, rec.Passed, rec.Result)
				case r.Passed() == rec.Passed && known:
					t.Errorf("%s: agrees with the recorded verdict (%v), but is listed as a known disagreement (%s)", id, rec.Passed, reason)
				case known && r.Passed():
					net++
				case known:
					net--
				}
			}
			n := len(res.Samples)
			got := 100 * float64(passed) / float64(n)
			// The published figure counted in tasks, moved by the listed
			// disagreements.
			expected := c.published*float64(n)/100 + float64(net)
			t.Logf("multiple-%s: pass@1 %.2f (%d/%d), published %.2f, %d known disagreements (net %+d tasks)", c.lang, got, passed, n, c.published, len(c.known), net)
			if math.Abs(float64(passed)-expected) > 1 {
				t.Errorf("pass@1 %.2f (%d of %d); published %.2f is %.1f tasks, %.1f with the known disagreements: more than one task apart", got, passed, n, c.published, c.published*float64(n)/100, expected)
			}
		})
	}
}

// TestMultipleKnownDisagreementsAreExplained keeps the lists honest: every
// entry names a task of its language and gives a reason.
func TestMultipleKnownDisagreementsAreExplained(t *testing.T) {
	for _, c := range multipleParityCases {
		for id, reason := range c.known {
			if !strings.HasPrefix(id, "HumanEval_") || strings.TrimSpace(reason) == "" {
				t.Errorf("%s: %q: %q", c.lang, id, reason)
			}
		}
		if _, ok := multipleGuardCases[c.lang]; !ok {
			t.Errorf("%s has no marker guard cases", c.lang)
		}
	}
	if len(multipleParityCases) != len(benchmarks.MultipleLanguages()) {
		t.Errorf("%d parity cases for %d languages", len(multipleParityCases), len(benchmarks.MultipleLanguages()))
	}
}
