package runner

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestFetchPath(t *testing.T) {
	for _, c := range []struct {
		name string
		want []string
	}{
		{"out.txt", []string{"out.txt"}},
		{"./sub/f", []string{"sub", "f"}},
		{"sub//f", []string{"sub", "f"}},
		{"/box/sub/f", []string{"sub", "f"}},
		{"/box/../etc/passwd", nil},
		{"../etc/passwd", nil},
		{"sub/../out.txt", nil},
		{"/etc/passwd", nil},
		{"/boxer/f", nil},
		{"/box", nil},
		{".", nil},
		{"", nil},
		{"a\x00b", nil},
	} {
		got, ok := fetchPath(WorkDir, c.name)
		if ok != (c.want != nil) || !reflect.DeepEqual(got, c.want) {
			t.Errorf("fetchPath(%q) = %q, %v; want %q", c.name, got, ok, c.want)
		}
	}
}

// fetchProgram leaves, in the work directory, files to fetch and things
// that must not be fetched: links out of it, a FIFO (which would block a
// reader that opened it so), a file over the cap.
const fetchProgram = `import os
open('out.txt', 'w').write('hello')
os.makedirs('sub/dir')
open('sub/dir/f.bin', 'wb').write(bytes(range(256)))
os.symlink('/etc/passwd', 'link')
os.symlink('.', 'here')
os.symlink('out.txt', 'alias')
os.mkfifo('fifo')
os.mkdir('adir')
open('big', 'wb').write(b'x' * 4096)
print('done')
`

var fetchNames = []string{"out.txt", "/box/sub/dir/f.bin", "link", "alias", "here/out.txt", "fifo", "adir", "../etc/passwd",
	"/etc/passwd", "sub/../out.txt", "missing", "out.txt", "big"}

// TestFetchFiles fetches a program's files with every backend: found
// files come back (relative or absolute names, as asked), links, FIFOs,
// directories and names leaving the work directory do not, the total cap
// truncates, and nothing of the run is left (the next run in a warm
// sandbox finds an empty work directory; no host directory stays).
func TestFetchFiles(t *testing.T) {
	needPython(t)
	programs := map[string][]string{
		"python": {python, "-I", "-c", fetchProgram}, // the pool's fork server
		"sh":     {"/bin/sh", "-c", "exec " + python + " -c \"$0\"", fetchProgram},
	}
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		for name, argv := range programs {
			t.Run(name, func(t *testing.T) {
				// 5 + 256 bytes, then 739 of big's 4096.
				spec := &Spec{Args: argv, Env: BaseEnv, Limits: testLimits, Fetch: fetchNames, FetchBytes: 1000}
				r, err := sb.Run(context.Background(), spec)
				if err != nil {
					t.Fatalf("run: %v", err)
				}
				if r.Status != StatusExited || r.ExitCode != 0 || string(r.Stdout) != "done\n" {
					t.Fatalf("run: %v %d %q %q", r.Status, r.ExitCode, r.Stdout, r.Stderr)
				}
				want := []FetchedFile{
					{Name: "out.txt", Data: []byte("hello")},
					{Name: "/box/sub/dir/f.bin", Data: func() []byte {
						b := make([]byte, 256)
						for i := range b {
							b[i] = byte(i)
						}
						return b
					}()},
					{Name: "big", Data: bytes.Repeat([]byte("x"), 739), Truncated: true},
				}
				if !reflect.DeepEqual(r.Files, want) {
					var got []string
					for _, f := range r.Files {
						got = append(got, f.Name+"="+strings.ReplaceAll(string(f.Data[:min(len(f.Data), 16)]), "\n", "|"))
					}
					t.Fatalf("fetched %v, want out.txt, /box/sub/dir/f.bin, big (truncated)", got)
				}
				// The per-file cap is the file size limit.
				lim := testLimits
				lim.FileSizeBytes = 100
				r, err = sb.Run(context.Background(), &Spec{Args: []string{python, "-I", "-c", "open('a', 'w').write('y' * 100)"}, Env: BaseEnv, Limits: lim, Fetch: []string{"a"}})
				if err != nil || len(r.Files) != 1 || len(r.Files[0].Data) != 100 || r.Files[0].Truncated {
					t.Fatalf("fetch at the file size limit: %v %+v", err, r)
				}
				// A program that makes its work directory unreadable
				// gets its own verdict, not a failure of the sandbox.
				r, err = sb.Run(context.Background(), &Spec{Args: []string{python, "-I", "-c", "import os; open('out.txt', 'w').write('z'); os.mkdir('d'); open('d/f', 'w').write('z'); os.chmod('d', 0); os.chmod('.', 0)"},
					Env: BaseEnv, Limits: testLimits, Fetch: []string{"d/f", "out.txt"}})
				if err != nil || r.Status != StatusExited || r.ExitCode != 0 {
					t.Fatalf("unreadable work directory: %v %+v", err, r)
				}
				r = runPy(t, sb, "import os; print(sorted(os.listdir('/box')))")
				if string(r.Stdout) != "[]\n" {
					t.Errorf("the next run finds %q in the work directory", r.Stdout)
				}
			})
		}
	})
}

// TestFetchFilesTooMany refuses a fetch list over MaxFetchFiles.
func TestFetchFilesTooMany(t *testing.T) {
	eachBackend(t, func(t *testing.T, sb ClosableSandbox) {
		names := make([]string, MaxFetchFiles+1)
		for i := range names {
			names[i] = "f"
		}
		if _, err := sb.Run(context.Background(), &Spec{Args: []string{"/bin/true"}, Env: BaseEnv, Limits: testLimits, Fetch: names}); err == nil {
			t.Fatal("no error")
		}
	})
}

// TestFetchFilesDirect fetches from the unisolated backend's host work
// directory, with the same refusals.
func TestFetchFilesDirect(t *testing.T) {
	needPython(t)
	noLeftovers(t)
	d, err := NewDirect(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	r, err := d.Run(context.Background(), &Spec{Args: []string{python, "-I", "-c", fetchProgram}, Env: BaseEnv, Limits: testLimits, Fetch: fetchNames, FetchBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Files {
		got = append(got, f.Name)
	}
	if strings.Join(got, " ") != "out.txt /box/sub/dir/f.bin big" || string(r.Files[0].Data) != "hello" || len(r.Files[2].Data) != 739 || !r.Files[2].Truncated {
		t.Fatalf("fetched %v (%q %q)", got, r.Stdout, r.Stderr)
	}
}
