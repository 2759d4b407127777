package runner

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// langLimits are a test run's limits: the benchmark defaults (256 MiB, 64
// processes), with time to spare for a loaded machine and -race.
var langLimits = Limits{
	CPUTime:       10 * time.Second,
	WallTime:      60 * time.Second,
	MemoryBytes:   256 << 20,
	OutputBytes:   1 << 20,
	FileSizeBytes: 16 << 20,
	Processes:     64,
	TmpfsBytes:    64 << 20,
}

// langFixture is a sandbox, a builder and a resolver over the real
// language table.
type langFixture struct {
	sb  *Bwrap
	b   *Builder
	res *Resolver
}

// shared is the fixture the language tests share, so that each language's
// prepare step runs once per test binary; TestMain closes it.
var shared struct {
	once sync.Once
	f    *langFixture
	err  error

	mu          sync.Mutex
	closeAtExit []func()
}

func TestMain(m *testing.M) {
	// As in the main program: orphans of killed sandboxes come here and are
	// reaped, and checkNoLeftovers can see that none is left.
	stopReaper, err := StartReaper()
	if err != nil {
		fmt.Fprintln(os.Stderr, "reaper:", err)
		os.Exit(1)
	}
	code := m.Run()
	defer stopReaper()
	if f := shared.f; f != nil {
		f.b.Close()
		f.sb.Close()
	}
	for _, c := range shared.closeAtExit {
		c()
	}
	os.Exit(code)
}

// newLangFixture returns the shared fixture. A machine without bubblewrap
// skips the test, except in CI.
func newLangFixture(t testing.TB) *langFixture {
	t.Helper()
	shared.once.Do(func() {
		sb, err := NewBwrap(Options{})
		if err != nil {
			shared.err = err
			return
		}
		langs, err := DefaultLanguages()
		if err != nil {
			shared.err = err
			sb.Close()
			return
		}
		uid, gid := sb.HostIDs()
		b, err := NewBuilder(sb, uid, gid)
		if err != nil {
			shared.err = err
			sb.Close()
			return
		}
		shared.f = &langFixture{sb: sb, b: b, res: NewResolver(langs, sb.Visible)}
	})
	if shared.err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the sandbox is unavailable: %v", shared.err)
		}
		t.Skipf("sandbox unavailable: %v", shared.err)
	}
	return shared.f
}

// withOwnBuilder returns a fixture on the shared sandbox with a builder of
// its own, for counting compiles.
func (f *langFixture) withOwnBuilder(t testing.TB) *langFixture {
	t.Helper()
	uid, gid := f.sb.HostIDs()
	b, err := NewBuilder(f.sb, uid, gid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &langFixture{sb: f.sb, b: b, res: f.res}
}

// toolchain resolves language id. A missing toolchain skips the test,
// except in CI, where scripts/install-deps.sh installs every language.
func (f *langFixture) toolchain(t testing.TB, id string) *Toolchain {
	t.Helper()
	tc, err := f.res.Toolchain(id)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Skip(err)
	}
	return tc
}

// build builds source as the language's source file; a compile error fails
// the test.
func (f *langFixture) build(t testing.TB, tc *Toolchain, source string) *Program {
	t.Helper()
	br, err := f.b.Build(context.Background(), tc, map[string][]byte{tc.Lang.Source: []byte(source)})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	if br.Program == nil {
		t.Fatalf("does not compile (%s): %s", br.Status, br.Message)
	}
	return br.Program
}

func (f *langFixture) run(t testing.TB, p *Program, stdin string, lim Limits) *Result {
	t.Helper()
	r, err := f.sb.Run(context.Background(), &Spec{Args: p.Argv, Env: p.Env, Dir: WorkDir, Mounts: p.Mounts, Stdin: []byte(stdin), Limits: lim})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return r
}

// failing are, for each language, a program that does not compile and one
// that compiles but fails when it runs.
var failing = map[string]struct{ compileError, runtimeError string }{
	"python3":    {"def f(:\n    pass\n", "print(1 // 0)\n"},
	"pypy3":      {"def f(:\n    pass\n", "print(1 // 0)\n"},
	"c":          {"int main(void) { return x; }\n", "#include <stdlib.h>\nint main(void) { abort(); }\n"},
	"cpp":        {"int main() { return x; }\n", "#include <stdexcept>\nint main() { throw std::runtime_error(\"boom\"); }\n"},
	"java":       {"public class Main { public static void main(String[] a) { int x = \"s\"; } }\n", "public class Main { public static void main(String[] a) { throw new IllegalStateException(\"boom\"); } }\n"},
	"go":         {"package main\n\nfunc main() { x := 1 }\n", "package main\n\nfunc main() { panic(\"boom\") }\n"},
	"rust":       {"fn main() { let x: i32 = \"s\"; }\n", "fn main() { panic!(\"boom\"); }\n"},
	"javascript": {"function (\n", "throw new Error('boom');\n"},
	"typescript": {"const x: number = 'not a number';\n", "throw new Error('boom');\n"},
	"php":        {"<?php echo 1 +;\n", "<?php throw new Exception('boom');\n"},
	"ruby":       {"def f(\n", "raise 'boom'\n"},
	"lua":        {"if then end\n", "error('boom')\n"},
	"bash":       {"if then fi\n", "no-such-command-scalebox\n"},
	"csharp":     {"class P { static void Main() { int x = \"s\"; } }\n", "class P { static void Main() { throw new System.Exception(\"boom\"); } }\n"},
}

func TestLanguageTable(t *testing.T) {
	langs, err := DefaultLanguages()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range langs.IDs() {
		if _, ok := failing[id]; !ok {
			t.Errorf("language %s has no test programs in failing", id)
		}
		if langs[id].Hello == "" {
			t.Errorf("language %s has no hello program", id)
		}
		if len(langs[id].DebianPackages) == 0 {
			t.Errorf("language %s names no Debian package to install", id)
		}
	}
}

func TestLanguageValidate(t *testing.T) {
	tests := []struct {
		name string
		lang Language
		want string // part of the error; "" for none
	}{
		{"ok", Language{Source: "main.x", Run: []string{"{x}", "{dir}/main.x", "${HOME}"}, Tools: map[string][]string{"x": {"x"}}}, ""},
		{"no run", Language{Source: "main.x"}, "needs source and run"},
		{"source with directory", Language{Source: "a/main.x", Run: []string{"x"}}, "must be a file name"},
		{"unknown source_from", Language{Source: "main.x", Run: []string{"x"}, SourceFrom: "guess"}, "unknown source_from"},
		{"unknown placeholder", Language{Source: "main.x", Run: []string{"{nope}"}}, "unknown placeholder {nope}"},
		{"unknown placeholder in env", Language{Source: "main.x", Run: []string{"x"}, Env: []string{"A={nope}"}}, "unknown placeholder {nope}"},
		{"reserved tool name", Language{Source: "main.x", Run: []string{"x"}, Tools: map[string][]string{"cache": {"x"}}}, "reserved placeholder"},
		{"tool name a placeholder cannot name", Language{Source: "main.x", Run: []string{"x"}, Tools: map[string][]string{"my-tool": {"x"}}}, "lowercase"},
		{"support file clobbers the source", Language{Source: "main.x", Run: []string{"x"}, SupportFiles: map[string]string{"main.x": ""}}, "support file"},
	}
	for _, tt := range tests {
		err := tt.lang.validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestExpand(t *testing.T) {
	tc := &Toolchain{Lang: &Language{Source: "Main.java"}, Tools: map[string]string{"java": "/usr/bin/java"}}
	got := tc.expand([]string{"{java}", "-XX:SharedArchiveFile={cache}/a.jsa", "-cp", "{dir}/classes", "{main}", "{out}/{source}", "${x}", "{unknown}"}, vars{dir: "/box", cache: "/cache", source: "Solution.java", main: "p.Solution"})
	want := []string{"/usr/bin/java", "-XX:SharedArchiveFile=/cache/a.jsa", "-cp", "/box/classes", "p.Solution", "/out/Solution.java", "${x}", "{unknown}"}
	if !slices.Equal(got, want) {
		t.Errorf("expand:\n got %q\nwant %q", got, want)
	}
}

// TestLanguages builds and runs, in the sandbox, each language's hello
// program, a program that does not compile and one that fails at run time.
func TestLanguages(t *testing.T) {
	f := newLangFixture(t)
	for _, id := range f.res.Languages().IDs() {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			tc := f.toolchain(t, id)
			progs := failing[id]

			p := f.build(t, tc, tc.Lang.Hello)
			if r := f.run(t, p, "hello\n", langLimits); r.Status != StatusExited || r.ExitCode != 0 || strings.TrimSpace(string(r.Stdout)) != "hello" {
				t.Errorf("hello: %s exit %d, stdout %q, stderr %q", r.Status, r.ExitCode, r.Stdout, tail(r.Stderr))
			}

			br, err := f.b.Build(context.Background(), tc, map[string][]byte{tc.Lang.Source: []byte(progs.compileError)})
			if err != nil {
				t.Fatalf("build: %v", err)
			}
			if br.Program != nil || strings.TrimSpace(br.Message) == "" {
				t.Errorf("compile error: program %v, message %q; want no program and the compiler's message", br.Program != nil, br.Message)
			}

			p = f.build(t, tc, progs.runtimeError)
			r := f.run(t, p, "", langLimits)
			if r.Status != StatusSignaled && (r.Status != StatusExited || r.ExitCode == 0) {
				t.Errorf("runtime error: %s exit %d, want a non-zero exit or a signal (stderr %q)", r.Status, r.ExitCode, tail(r.Stderr))
			}
		})
	}
}

// TestStartupUnderMemoryLimit: runtimes that reserve much more address
// space than they use (JVM, Go, V8, Mono) start under the default 256 MiB
// limit, since it is a cgroup limit, not RLIMIT_AS, and a JVM that cannot
// see the cgroup keeps a garbage-heavy program with ~100 MiB of live data
// under it.
func TestStartupUnderMemoryLimit(t *testing.T) {
	f := newLangFixture(t)
	const javaGarbage = `import java.util.*;

public class Main {
    public static void main(String[] args) {
        List<int[]> live = new ArrayList<>();
        long sum = 0;
        for (int i = 0; i < 1_000_000; i++) {
            int[] garbage = new int[1000];
            garbage[i % 1000] = i;
            sum += garbage[7];
            if (i % 40 == 0) live.add(new int[1000]); // 25,000 x 4 KB = 100 MB
        }
        System.out.println(live.size() + " " + sum);
    }
}
`
	tests := []struct {
		lang, name, source, stdin, want string
	}{
		{"java", "hello", "", "hello\n", "hello"},
		{"java", "garbage with 100 MiB live", javaGarbage, "", "25000 499507000"},
		{"go", "hello", "", "hello\n", "hello"},
		{"javascript", "hello", "", "hello\n", "hello"},
		{"typescript", "hello", "", "hello\n", "hello"},
		{"csharp", "hello", "", "hello\n", "hello"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+" "+tt.name, func(t *testing.T) {
			t.Parallel()
			tc := f.toolchain(t, tt.lang)
			src := tt.source
			if src == "" {
				src = tc.Lang.Hello
			}
			p := f.build(t, tc, src)
			r := f.run(t, p, tt.stdin, langLimits)
			if r.Status != StatusExited || r.ExitCode != 0 || strings.TrimSpace(string(r.Stdout)) != tt.want {
				t.Errorf("%s exit %d (peak %d MiB), stdout %q, stderr %q", r.Status, r.ExitCode, r.Usage.MemoryPeakBytes>>20, r.Stdout, tail(r.Stderr))
			}
		})
	}
}

// TestJavaClassNames: the file is named after the public class and the
// program runs from the class that has main, whatever it is called.
func TestJavaClassNames(t *testing.T) {
	f := newLangFixture(t)
	tc := f.toolchain(t, "java")
	tests := []struct {
		name, source string
	}{
		{"public Solution", `import java.util.*;
public class Solution {
    public static void main(String[] args) { System.out.println(new Scanner(System.in).next()); }
}
`},
		{"public Main with helpers", `import java.util.*;
class Helper { static String echo(String s) { return s; } }
public class Main {
    static class Inner { }
    public static void main(String[] args) { System.out.println(Helper.echo(new Scanner(System.in).next())); }
}
interface Unused { }
`},
		{"no public class", `import java.util.*;
class Helper { }
class Solution {
    public static void main(String[] args) { System.out.println(new Scanner(System.in).next()); }
}
`},
		{"package and comments", `package com.example.app;
// public class NotThis {
/* public class NorThis { */
import java.util.Scanner;
public final class App {
    static final String S = "public class Fake { static void main(";
    public static void main(final String... args) { System.out.println(new Scanner(System.in).next()); }
}
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := f.build(t, tc, tt.source)
			r := f.run(t, p, "hello\n", langLimits)
			if r.Status != StatusExited || r.ExitCode != 0 || strings.TrimSpace(string(r.Stdout)) != "hello" {
				t.Errorf("%s exit %d, stdout %q, stderr %q (argv %q)", r.Status, r.ExitCode, r.Stdout, tail(r.Stderr), p.Argv)
			}
		})
	}
}

func TestJavaMain(t *testing.T) {
	tests := []struct {
		name, src, main, file string
	}{
		{"empty", "", "Main", ""},
		{"public main class", "public class Solution { public static void main(String[] a) {} }", "Solution", "Solution.java"},
		{"public class without main", "public class A { } class B { public static void main(String[] a) {} }", "B", "A.java"},
		{"public class with main wins", "class B { public static void main(String[] a) {} } public class A { static public void main(String[] a) {} }", "A", "A.java"},
		{"generic and annotated", "@SuppressWarnings({\"unchecked\"}) public class G<T extends Comparable<T>> implements Runnable { public void run() {} public static void main(String[] a) {} }", "G", "G.java"},
		{"nested main does not count", "class Outer { static class In { public static void main(String[] a) {} } }", "Main", ""},
		{"main in a string or comment", "class A { String s = \"static void main(\"; /* static void main( */ } class B { static void main(String[] a) {} }", "B", ""},
		{"text block and char", "public class T { String s = \"\"\"\n } public class X {\n\"\"\"; char c = '}'; char q = '\\''; public static void main(String[] a) {} }", "T", "T.java"},
		{"package", "package a.b;\nimport java.util.*;\npublic class P { public static void main(String[] a) {} }", "a.b.P", "P.java"},
		{"record and enum", "record R(int x) { } enum E { A; public static void main(String[] a) {} }", "E", ""},
		{"unicode name", "public class Ünï { public static void main(String[] a) {} }", "Ünï", "Ünï.java"},
		{"static field named main", "class A { static int main = 1; }", "Main", ""},
	}
	for _, tt := range tests {
		main, file := javaMain([]byte(tt.src))
		if main != tt.main || file != tt.file {
			t.Errorf("%s: javaMain = %q, %q; want %q, %q", tt.name, main, file, tt.main, tt.file)
		}
	}
}

func FuzzJavaMain(f *testing.F) {
	f.Add([]byte("public class Solution { public static void main(String[] a) {} }"))
	f.Add([]byte("package p; class A { String s = \"\"\" x \"\"\"; char c = '\\''; /* } */ }"))
	f.Add([]byte("\"unterminated\n'x"))
	f.Fuzz(func(t *testing.T, src []byte) {
		main, file := javaMain(src)
		if main == "" {
			t.Fatal("empty main class")
		}
		if file != "" && (!strings.HasSuffix(file, ".java") || strings.ContainsAny(file, "/\x00") || !isJavaIdent(strings.TrimSuffix(file, ".java"))) {
			t.Fatalf("file name %q", file)
		}
	})
}

// TestCompileOncePerSample builds one C++ sample for 100 concurrent test
// runs: the compiler runs exactly once.
func TestCompileOncePerSample(t *testing.T) {
	f := newLangFixture(t).withOwnBuilder(t)
	tc := f.toolchain(t, "cpp")
	src := []byte("#include <bits/stdc++.h>\nint main() { long long a, b; std::cin >> a >> b; std::cout << a + b << '\\n'; }\n")
	const runs = 100
	var wg sync.WaitGroup
	errs := make(chan error, runs)
	for i := 0; i < runs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			br, err := f.b.Build(context.Background(), tc, map[string][]byte{"main.cpp": src})
			if err != nil || br.Program == nil {
				errs <- fmt.Errorf("build: %v %+v", err, br)
				return
			}
			p := br.Program
			r, err := f.sb.Run(context.Background(), &Spec{Args: p.Argv, Env: p.Env, Dir: WorkDir, Mounts: p.Mounts, Stdin: []byte(fmt.Sprintf("%d 1\n", i)), Limits: langLimits})
			if err != nil {
				errs <- err
				return
			}
			if got, want := strings.TrimSpace(string(r.Stdout)), fmt.Sprint(i+1); got != want {
				errs <- fmt.Errorf("run %d: %s exit %d, stdout %q, want %q", i, r.Status, r.ExitCode, got, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.b.Compiles(); n != 1 {
		t.Errorf("%d compiles for %d runs of one sample, want 1", n, runs)
	}
}

// TestBuildWithOptions: a benchmark's own compile command and environment
// replace the language's, reach the compile step and the run, and are
// cached apart from the plain build of the same files.
func TestBuildWithOptions(t *testing.T) {
	f := newLangFixture(t).withOwnBuilder(t)
	tc := f.toolchain(t, "cpp")
	src := map[string][]byte{"main.cpp": []byte("#include <cstdio>\n#include <cstdlib>\nint main() { std::printf(\"%s %d\\n\", std::getenv(\"SCALEBOX_T\"), FLAG); }\n")}
	opts := BuildOptions{
		Compile: []string{"{cxx}", "-DFLAG=7", "-o", "{out}/main", "{source}"},
		Env:     []string{"SCALEBOX_T=x{dir}"},
	}
	ctx := context.Background()
	br, err := f.b.Build(ctx, tc, src)
	if err != nil {
		t.Fatal(err)
	}
	if br.Program != nil {
		t.Fatalf("the plain build compiled without FLAG defined")
	}
	for i := 0; i < 2; i++ {
		br, err = f.b.BuildWith(ctx, tc, src, opts)
		if err != nil || br.Program == nil {
			t.Fatalf("build with options: %v %+v", err, br)
		}
	}
	r := f.run(t, br.Program, "", langLimits)
	if want := "x" + WorkDir + " 7\n"; r.ExitCode != 0 || string(r.Stdout) != want {
		t.Errorf("%s exit %d, stdout %q (want %q), stderr %q", r.Status, r.ExitCode, r.Stdout, want, tail(r.Stderr))
	}
	if n := f.b.Compiles(); n != 2 {
		t.Errorf("%d compiles, want 2 (the plain build and one with options)", n)
	}
}

// TestPreparedCachesAreUsed checks that what the prepare steps make is
// used: GCC reads the precompiled bits/stdc++.h, the JVM maps the
// class-data archive, and go build finds the standard library compiled.
func TestPreparedCachesAreUsed(t *testing.T) {
	f := newLangFixture(t)
	ctx := context.Background()
	probe := func(t *testing.T, id string, files map[string][]byte, argv func(lay *buildLayout, tc *Toolchain) []string, extra []Mount, check func(r *Result) bool) {
		tc := f.toolchain(t, id)
		lay, err := f.b.layout(ctx, tc, files)
		if err != nil {
			t.Fatal(err)
		}
		mounts := append(append(append([]Mount{}, tc.Mounts...), lay.mounts...), extra...)
		// A directory the sandbox's user can read (t.TempDir's is private).
		dir, err := os.MkdirTemp("", "scalebox-probe-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range lay.files {
			p := dir + "/" + name
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			mounts = append(mounts, Mount{Source: p, Target: WorkDir + "/" + name})
		}
		lim := langLimits
		lim.MemoryBytes = 1 << 30
		r, err := f.sb.Run(ctx, &Spec{Args: argv(lay, tc), Env: lay.env, Dir: WorkDir, Mounts: mounts, Stdin: []byte("hello\n"), Limits: lim})
		if err != nil {
			t.Fatal(err)
		}
		if !check(r) {
			t.Errorf("%s exit %d\nstdout %s\nstderr %s", r.Status, r.ExitCode, tail(r.Stdout), tail(r.Stderr))
		}
	}
	t.Run("cpp precompiled header", func(t *testing.T) {
		t.Parallel()
		files := map[string][]byte{"main.cpp": []byte("#include <bits/stdc++.h>\nint main() { std::vector<int> v{1}; return v[0] - 1; }\n")}
		probe(t, "cpp", files, func(lay *buildLayout, tc *Toolchain) []string {
			a := lay.argv(tc.Lang.Compile)
			// -H lists the headers read; "! name.gch" marks a used PCH.
			return append(a[:len(a)-3], "-H", "-o", "/dev/null", "main.cpp")
		}, nil, func(r *Result) bool {
			return r.ExitCode == 0 && strings.Contains(string(r.Stderr), "! "+CacheDir+"/bits/stdc++.h.gch")
		})
	})
	t.Run("cpp precompiled header without -O", func(t *testing.T) {
		t.Parallel()
		// The flags of benchmarks that compile as their reference evaluator
		// does (MultiPL-E: g++ -std=c++17) find a variant of their own.
		files := map[string][]byte{"main.cpp": []byte("#include <bits/stdc++.h>\nint main() { std::vector<int> v{1}; return v[0] - 1; }\n")}
		probe(t, "cpp", files, func(lay *buildLayout, tc *Toolchain) []string {
			return lay.argv([]string{"{cxx}", "-std=c++17", "-pipe", "-I{cache}", "-H", "-o", "/dev/null", "main.cpp"})
		}, nil, func(r *Result) bool {
			return r.ExitCode == 0 && strings.Contains(string(r.Stderr), "! "+CacheDir+"/bits/stdc++.h.gch/O0")
		})
	})
	t.Run("java class-data archive", func(t *testing.T) {
		t.Parallel()
		tc := f.toolchain(t, "java")
		p := f.build(t, tc, tc.Lang.Hello)
		// -Xshare:on makes a JVM that cannot map the archive fail.
		probe(t, "java", map[string][]byte{"Main.java": []byte(tc.Lang.Hello)}, func(lay *buildLayout, tc *Toolchain) []string {
			a := lay.argv(tc.Lang.Run)
			return append([]string{a[0], "-Xshare:on"}, a[1:]...)
		}, p.Mounts, func(r *Result) bool { return r.ExitCode == 0 && string(r.Stdout) == "hello\n" })
	})
	t.Run("javac class-data archive", func(t *testing.T) {
		t.Parallel()
		tc := f.toolchain(t, "java")
		probe(t, "java", map[string][]byte{"Main.java": []byte(tc.Lang.Hello)}, func(lay *buildLayout, tc *Toolchain) []string {
			a := lay.argv(tc.Lang.Compile)
			a = append([]string{a[0], "-J-Xshare:on"}, a[1:]...)
			if i := slices.Index(a, "-d"); i >= 0 {
				a[i+1] = "/tmp/classes"
			}
			return a
		}, nil, func(r *Result) bool { return r.ExitCode == 0 })
	})
	t.Run("go standard library cache", func(t *testing.T) {
		t.Parallel()
		probe(t, "go", map[string][]byte{"main.go": []byte("package main\nfunc main() {}\n")}, func(lay *buildLayout, tc *Toolchain) []string {
			return []string{tc.Tools["go"], "list", "-f", "{{.ImportPath}} stale={{.Stale}}", "fmt", "bufio", "sort", "strings", "strconv", "math/big"}
		}, nil, func(r *Result) bool {
			return r.ExitCode == 0 && strings.Count(string(r.Stdout), "stale=false") == 6
		})
	})
}

// TestBwrapArgsHiddenDirReadOnlyAfterMounts: a tool under a hidden
// directory (/usr/local/go) is bound before the hiding tmpfs becomes
// read-only, since bwrap must create its mount point there.
func TestBwrapArgsHiddenDirReadOnlyAfterMounts(t *testing.T) {
	b := &Bwrap{base: []string{"bwrap", "--tmpfs", "/usr/local"}, hidden: []string{"/usr/local"}}
	spec := &Spec{Args: []string{"/usr/local/go/bin/go"}, Mounts: []Mount{{Source: "/usr/local/go", Target: "/usr/local/go"}}, Limits: Limits{TmpfsBytes: 1 << 20}}
	got := strings.Join(b.args(spec), " ")
	want := "--ro-bind /usr/local/go /usr/local/go --remount-ro /usr/local --remount-ro / "
	if !strings.Contains(got, want) {
		t.Errorf("got  %s\nwant it to contain %s", got, want)
	}
}

// TestHiddenDirMount: in the sandbox, a directory bound under /usr/local is
// visible, the rest of /usr/local is not, and /usr/local stays read-only.
func TestHiddenDirMount(t *testing.T) {
	f := newLangFixture(t)
	dir, err := os.MkdirTemp("/usr/local", "scalebox-test-")
	if err != nil {
		t.Skipf("cannot write /usr/local: %v", err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	if err := os.WriteFile(dir+"/tool", []byte("#!/bin/sh\necho tool\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	script := "cat " + dir + "/tool >/dev/null && ls /usr/local && if touch /usr/local/x 2>/dev/null; then echo writable; fi"
	r, err := f.sb.Run(context.Background(), &Spec{Args: []string{"/bin/sh", "-c", script}, Env: BaseEnv, Mounts: []Mount{{Source: dir, Target: dir}}, Limits: langLimits})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimPrefix(dir, "/usr/local/") + "\n"; r.ExitCode != 0 || string(r.Stdout) != want {
		t.Errorf("%s exit %d, stdout %q (want %q), stderr %q", r.Status, r.ExitCode, r.Stdout, want, r.Stderr)
	}
}

// TestCppPrecompiledHeaderVariants: programs that cannot use the
// precompiled header (other flags by pragma, macros that change the
// library, another header first) still compile and run as without it.
func TestCppPrecompiledHeaderVariants(t *testing.T) {
	f := newLangFixture(t)
	tc := f.toolchain(t, "cpp")
	body := "using namespace std;\nint main() { string s; cin >> s; vector<int> v{3, 1, 2}; sort(v.begin(), v.end()); cout << s << v[0] << endl; }\n"
	tests := []struct{ name, head string }{
		{"plain", "#include <bits/stdc++.h>\n"},
		{"optimize pragma first", "#pragma GCC optimize(\"O3,unroll-loops\")\n#include <bits/stdc++.h>\n"},
		{"target pragma first", "#pragma GCC target(\"avx2,bmi,popcnt\")\n#include <bits/stdc++.h>\n"},
		{"debug mode macro first", "#define _GLIBCXX_DEBUG\n#include <bits/stdc++.h>\n"},
		{"other header first", "#include <cstdio>\n#include <bits/stdc++.h>\n"},
		{"included twice", "#include <bits/stdc++.h>\n#include <bits/stdc++.h>\n"},
		{"with other headers", "#include <bits/stdc++.h>\n#include <ext/pb_ds/assoc_container.hpp>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := f.build(t, tc, tt.head+body)
			if r := f.run(t, p, "x\n", langLimits); r.ExitCode != 0 || string(r.Stdout) != "x1\n" {
				t.Errorf("%s exit %d, stdout %q, stderr %q", r.Status, r.ExitCode, r.Stdout, tail(r.Stderr))
			}
		})
	}
}

// TestLanguagesUnsandboxed: languages with a prepared cache or paths glued
// to flags also work under the unisolated backend (--sandbox none), which
// sees host paths and translates only the work directory and {out}.
func TestLanguagesUnsandboxed(t *testing.T) {
	f := newLangFixture(t)
	d, err := NewDirect(Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Closed at exit: the sandboxes of one process share their parent
	// cgroups, and closing d now would remove them under the shared
	// fixture's feet.
	shared.mu.Lock()
	shared.closeAtExit = append(shared.closeAtExit, func() { d.Close() })
	shared.mu.Unlock()
	uid, gid := d.HostIDs()
	b, err := NewBuilder(d, uid, gid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	g := &langFixture{b: b, res: NewResolver(f.res.Languages(), d.Visible)}
	for _, id := range []string{"cpp", "java", "go", "csharp"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			tc := g.toolchain(t, id)
			p := g.build(t, tc, tc.Lang.Hello)
			r, err := d.Run(context.Background(), &Spec{Args: p.Argv, Env: p.Env, Dir: WorkDir, Mounts: p.Mounts, Stdin: []byte("hello\n"), Limits: langLimits})
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode != 0 || string(r.Stdout) != "hello\n" {
				t.Errorf("%s exit %d, stdout %q, stderr %q", r.Status, r.ExitCode, r.Stdout, tail(r.Stderr))
			}
		})
	}
}

// TestTypeScriptNodeAPIs: without @types/node, programs that use Node's
// modules and globals the usual ways still type-check, compile and run.
func TestTypeScriptNodeAPIs(t *testing.T) {
	f := newLangFixture(t)
	tc := f.toolchain(t, "typescript")
	tests := []struct{ name, source string }{
		{"import fs", `import * as fs from "fs";
const words: string[] = fs.readFileSync(0, "utf8").trim().split(/\s+/);
console.log(words[0]);
`},
		{"readline", `import { createInterface } from "readline";
const rl = createInterface({ input: process.stdin });
const lines: string[] = [];
rl.on("line", (line: string) => lines.push(line));
rl.on("close", () => console.log(lines[0]));
`},
		{"process.stdin events", `let input = "";
process.stdin.on("data", (chunk: any) => { input += chunk; });
process.stdin.on("end", () => { console.log(input.trim()); });
`},
		{"MultiPL-E style", `declare var require: any;
const assert = require("node:assert");
function first(s: string): string { return s.split(" ")[0]; }
assert.deepEqual(first("hello world"), "hello");
console.log(first(require("fs").readFileSync(0, "utf8").trim()));
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := f.build(t, tc, tt.source)
			if r := f.run(t, p, "hello\n", langLimits); r.ExitCode != 0 || string(r.Stdout) != "hello\n" {
				t.Errorf("%s exit %d, stdout %q, stderr %q", r.Status, r.ExitCode, r.Stdout, tail(r.Stderr))
			}
		})
	}
}
