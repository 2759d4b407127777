package eval

import (
	"context"
	"encoding/json"
	"os"
	"sort"
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
