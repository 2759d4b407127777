package kattis

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/judge"
	"github.com/scalebox-dev/scalebox/judge/checker"
)

// Load reads a folder of Kattis problem packages (the problemtools
// layout that the Code Jam archive uses): every folder holding a
// problem.yaml is a problem, its task id that folder's path under the data
// folder (or the folder's name when the data folder is itself a package).
//
// Each problem's tests are the data/**/X.ans files that have an X.in, in
// problemtools' order (every folder's entries sorted by name, sample
// before secret), named by their path under data/ without the extension
// ("secret/subtask1/1"). data.test_groups, when set, keeps the tests whose
// first folder under data/ it lists. The tests are judged with the kattis
// comparator (the default output validator) and the flags problemtools
// gives it: problem.yaml's validator_flags (or output_validator_flags, as
// the Code Jam archive writes them) followed by the output_validator_flags
// (or output_validator_args) of the test's folder, the nearest
// testdata.yaml that sets them.
//
// A problem with validation: custom (or custom ..., an output_validator(s)
// folder without a validation key, or an interactive type) is loaded with
// Validation "custom". Its output validator, when the package has one that
// is a single C, C++, Python or Java source (see kattisOutputValidator),
// becomes its checker, run with the Kattis protocol and problem.yaml's
// validator flags; otherwise it has no judge here unless a judge registry
// gives it one. limits.time_limit (seconds)
// and limits.memory (MiB) become the problem's own limits; the statement is
// problem_statement/ or statement/ problem.en.md, .md, .tex or .html.
func Load(cfg *benchmarks.Config, fsys fs.FS, name string) ([]*benchmarks.Problem, error) {
	if isFile(fsys, "problem.yaml") {
		p, err := loadKattisProblem(cfg, fsys, ".", path.Base(strings.TrimRight(strings.ReplaceAll(name, "\\", "/"), "/")))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		prefixWarnings(p, name)
		return []*benchmarks.Problem{p}, nil
	}
	var out []*benchmarks.Problem
	err := fs.WalkDir(fsys, ".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if dir != "." && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if !isFile(fsys, path.Join(dir, "problem.yaml")) {
			return nil
		}
		p, err := loadKattisProblem(cfg, fsys, dir, dir)
		if err != nil {
			return err
		}
		prefixWarnings(p, name)
		out = append(out, p)
		return fs.SkipDir
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no problem packages (folders with a problem.yaml) in it", name)
	}
	return out, nil
}

// prefixWarnings makes the files a problem's warnings name paths under
// the data folder as shown (name).
func prefixWarnings(p *benchmarks.Problem, name string) {
	for i, w := range p.Warnings {
		p.Warnings[i] = strings.TrimRight(name, "/") + "/" + w
	}
}

// kattisMeta is what scalebox reads of a problem.yaml; other keys are
// ignored.
type kattisMeta struct {
	Name       yaml.Node `yaml:"name"`
	Source     yaml.Node `yaml:"source"`
	Type       yaml.Node `yaml:"type"`
	Validation *string   `yaml:"validation"`
	// validator_flags is problemtools' legacy key; the Code Jam archive
	// writes output_validator_flags.
	ValidatorFlags       yaml.Node `yaml:"validator_flags"`
	OutputValidatorFlags yaml.Node `yaml:"output_validator_flags"`
	Limits               struct {
		TimeLimit *float64 `yaml:"time_limit"`
		Memory    *float64 `yaml:"memory"`
	} `yaml:"limits"`
}

// Facts are what a problem.yaml says about how a problem is judged.
type Facts struct {
	Name string
	// Type is problem.yaml's type ("scoring", "interactive"), Validation
	// its validation ("default", "custom", "custom interactive"), both as
	// written (empty when absent).
	Type, Validation string
	// ValidatorFlags are its validator_flags and output_validator_flags.
	ValidatorFlags []string
}

// ReadFacts reads a problem.yaml's facts about judging with the
// tolerant reader the loader uses (DecodeYAML): a file that is not
// valid YAML is read in part, with warnings naming file and line.
func ReadFacts(file string, raw []byte) (Facts, []string, error) {
	var m kattisMeta
	warnings, err := DecodeYAML(file, raw, &m)
	if err != nil {
		return Facts{}, warnings, err
	}
	f := Facts{Name: yamlText(&m.Name), Type: yamlText(&m.Type)}
	if m.Validation != nil {
		f.Validation = *m.Validation
	}
	for _, n := range []*yaml.Node{&m.ValidatorFlags, &m.OutputValidatorFlags} {
		fl, err := yamlFlags(n)
		if err != nil {
			return Facts{}, warnings, fmt.Errorf("%s: %w", file, err)
		}
		f.ValidatorFlags = append(f.ValidatorFlags, fl...)
	}
	return f, warnings, nil
}

// kattisGroup is what scalebox reads of a testdata.yaml.
type kattisGroup struct {
	OutputValidatorFlags yaml.Node `yaml:"output_validator_flags"`
	OutputValidatorArgs  yaml.Node `yaml:"output_validator_args"`
}

func loadKattisProblem(cfg *benchmarks.Config, fsys fs.FS, dir, taskID string) (*benchmarks.Problem, error) {
	file := path.Join(dir, "problem.yaml")
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	var m kattisMeta
	warnings, err := DecodeYAML(file, raw, &m)
	if err != nil {
		return nil, err
	}
	p := &benchmarks.Problem{TaskID: taskID, Kind: benchmarks.KindStdio, Comparator: "kattis", Meta: map[string]string{}, Warnings: warnings}
	for key, n := range map[string]*yaml.Node{"name": &m.Name, "source": &m.Source, "type": &m.Type} {
		if v := yamlText(n); v != "" {
			p.Meta[key] = v
		}
	}
	for _, n := range []*yaml.Node{&m.ValidatorFlags, &m.OutputValidatorFlags} {
		f, err := yamlFlags(n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		p.ValidatorFlags = append(p.ValidatorFlags, f...)
	}
	validation := "default"
	switch {
	case m.Validation != nil:
		validation = *m.Validation
	case isDir(fsys, path.Join(dir, "output_validators")) || isDir(fsys, path.Join(dir, "output_validator")):
		validation = "custom (an output validator folder)"
	}
	if strings.Contains(p.Meta["type"], "interactive") || strings.Contains(p.Meta["type"], "multi-pass") {
		validation = "custom (" + p.Meta["type"] + ")"
	}
	p.Meta["validation"] = validation
	switch {
	case strings.HasPrefix(validation, "custom"):
		p.Validation = benchmarks.ValidationCustom
		if !strings.Contains(validation, "interactive") && !strings.Contains(validation, "multi-pass") {
			spec, err := kattisOutputValidator(fsys, dir)
			if err != nil {
				return nil, err
			}
			if spec != nil {
				spec.Args = append([]string{}, p.ValidatorFlags...)
				p.Checker, p.CheckerOrigin = spec, "data"
			}
		}
	case validation != "default":
		return nil, fmt.Errorf("%s: validation %q is unknown (want default or custom)", file, validation)
	}
	if t := m.Limits.TimeLimit; t != nil {
		if !(*t > 0 && *t < 1e6) {
			return nil, fmt.Errorf("%s: limits.time_limit %v is not a positive number of seconds", file, *t)
		}
		p.CPUTimeLimitMS = int64(math.Ceil(*t * 1000))
	}
	if mem := m.Limits.Memory; mem != nil {
		if !(*mem >= 1 && *mem < 1<<30) {
			return nil, fmt.Errorf("%s: limits.memory %v is not a number of MiB", file, *mem)
		}
		p.MemoryLimitBytes = int64(*mem * (1 << 20))
	}
	p.Statement = kattisStatement(fsys, dir)
	data := path.Join(dir, "data")
	if !isDir(fsys, data) {
		return nil, fmt.Errorf("%s: no data folder", dir)
	}
	if err := kattisTests(cfg, fsys, data, "", nil, p); err != nil {
		return nil, err
	}
	if p.Validation == "" {
		// The default validator refuses flags it does not know; custom
		// validators take their own.
		for _, t := range p.Tests {
			if _, err := judge.NewKattis(append(append([]string{}, p.ValidatorFlags...), t.ValidatorFlags...)); err != nil {
				return nil, fmt.Errorf("%s: test %s: %w", dir, t.Name, err)
			}
		}
	}
	if len(p.Tests) == 0 {
		if len(cfg.Data.TestGroups) > 0 {
			return nil, fmt.Errorf("%s: no tests (X.in with X.ans under data/) in the groups %s", dir, strings.Join(cfg.Data.TestGroups, ", "))
		}
		return nil, fmt.Errorf("%s: no tests (X.in with X.ans under data/)", dir)
	}
	return p, nil
}

// kattisTests adds the tests under the folder dir (rel is its path under
// data/, flags its inherited output validator flags) to p.
func kattisTests(cfg *benchmarks.Config, fsys fs.FS, dir, rel string, flags []string, p *benchmarks.Problem) error {
	if raw, err := fs.ReadFile(fsys, path.Join(dir, "testdata.yaml")); err == nil {
		var g kattisGroup
		w, err := DecodeYAML(path.Join(dir, "testdata.yaml"), raw, &g)
		if err != nil {
			return err
		}
		p.Warnings = append(p.Warnings, w...)
		for _, n := range []*yaml.Node{&g.OutputValidatorFlags, &g.OutputValidatorArgs} {
			if n.Kind == 0 {
				continue
			}
			f, err := yamlFlags(n)
			if err != nil {
				return fmt.Errorf("%s: %w", path.Join(dir, "testdata.yaml"), err)
			}
			flags = f
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		full, sub := path.Join(dir, name), path.Join(rel, name)
		if isDir(fsys, full) {
			if rel == "" && len(cfg.Data.TestGroups) > 0 && !slices.Contains(cfg.Data.TestGroups, name) {
				continue
			}
			if err := kattisTests(cfg, fsys, full, sub, flags, p); err != nil {
				return err
			}
			continue
		}
		// ".ans" alone has no suffix to Python's pathlib: not a test.
		base, ok := strings.CutSuffix(name, ".ans")
		if !ok || base == "" || rel == "" && len(cfg.Data.TestGroups) > 0 || !isFile(fsys, path.Join(dir, base+".in")) {
			continue
		}
		in, err := fs.ReadFile(fsys, path.Join(dir, base+".in"))
		if err != nil {
			return err
		}
		ans, err := fs.ReadFile(fsys, full)
		if err != nil {
			return err
		}
		p.Tests = append(p.Tests, benchmarks.Test{Input: string(in), Output: string(ans), Name: path.Join(rel, base), ValidatorFlags: flags})
	}
	return nil
}

// Statement returns the statement of the problem package at dir
// (problem_statement/ or statement/ problem.en.md, .md, .en.tex, .tex,
// .en.html or .html) as written, in the first form found; empty when it
// has none.
func Statement(fsys fs.FS, dir string) string { return kattisStatement(fsys, dir) }

// kattisStatement returns the problem's statement as written, in the first
// form found.
func kattisStatement(fsys fs.FS, dir string) string {
	for _, d := range []string{"problem_statement", "statement"} {
		for _, f := range []string{"problem.en.md", "problem.md", "problem.en.tex", "problem.tex", "problem.en.html", "problem.html"} {
			if b, err := fs.ReadFile(fsys, path.Join(dir, d, f)); err == nil {
				return string(b)
			}
		}
	}
	return ""
}

// yamlText renders a scalar, a list of scalars (joined by ", ") or a map
// by language ("en" first) as text.
func yamlText(n *yaml.Node) string {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value
	case yaml.SequenceNode:
		var parts []string
		for _, c := range n.Content {
			if c.Kind == yaml.ScalarNode {
				parts = append(parts, c.Value)
			}
		}
		return strings.Join(parts, ", ")
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "en" {
				return yamlText(n.Content[i+1])
			}
		}
		if len(n.Content) >= 2 {
			return yamlText(n.Content[1])
		}
	}
	return ""
}

// yamlFlags reads validator flags: a string split on whitespace, or a list
// of strings.
func yamlFlags(n *yaml.Node) ([]string, error) {
	switch n.Kind {
	case 0:
		return nil, nil
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil, nil
		}
		return strings.Fields(n.Value), nil
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: validator flags must be a string or a list of strings", c.Line)
			}
			out = append(out, c.Value)
		}
		return out, nil
	}
	return nil, fmt.Errorf("line %d: validator flags must be a string or a list of strings", n.Line)
}

func isFile(fsys fs.FS, name string) bool {
	fi, err := fs.Stat(fsys, name)
	return err == nil && fi.Mode().IsRegular()
}

func isDir(fsys fs.FS, name string) bool {
	fi, err := fs.Stat(fsys, name)
	return err == nil && fi.IsDir()
}

// kattisValidatorLanguages maps a validator source's extension to its
// language (runner/languages.toml ids).
var kattisValidatorLanguages = map[string]string{
	".cpp": "cpp", ".cc": "cpp", ".cxx": "cpp", ".c": "c", ".py": "python3", ".java": "java",
}

// maxValidatorFileBytes bounds a file of an output validator's folder.
const maxValidatorFileBytes = 4 << 20

// kattisOutputValidator reads a problem package's output validator: the
// output_validators (or output_validator) folder, or its only subfolder,
// holding one source file (C, C++, Python or Java) and the headers it
// includes (testlib.h, validate.h). It returns nil when there is none, or
// one scalebox cannot build (several sources, a build script): the problem
// then has no judge here, as before.
func kattisOutputValidator(fsys fs.FS, dir string) (*checker.Spec, error) {
	var folder string
	for _, n := range []string{"output_validators", "output_validator"} {
		if isDir(fsys, path.Join(dir, n)) {
			folder = path.Join(dir, n)
			break
		}
	}
	if folder == "" {
		return nil, nil
	}
	entries, err := fs.ReadDir(fsys, folder)
	if err != nil {
		return nil, err
	}
	var subdirs []string
	files := 0
	for _, e := range entries {
		switch {
		case e.IsDir():
			subdirs = append(subdirs, e.Name())
		case e.Type().IsRegular():
			files++
		}
	}
	if files == 0 && len(subdirs) == 1 {
		folder = path.Join(folder, subdirs[0])
		if entries, err = fs.ReadDir(fsys, folder); err != nil {
			return nil, err
		}
	}
	spec := &checker.Spec{Protocol: checker.Kattis, Files: map[string]string{}}
	var sources []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		name := e.Name()
		if info, err := e.Info(); err != nil || info.Size() > maxValidatorFileBytes {
			return nil, fmt.Errorf("%s: more than %d bytes, or unreadable", path.Join(folder, name), maxValidatorFileBytes)
		}
		data, err := fs.ReadFile(fsys, path.Join(folder, name))
		if err != nil {
			return nil, err
		}
		if lang, ok := kattisValidatorLanguages[strings.ToLower(path.Ext(name))]; ok {
			sources = append(sources, name)
			spec.Language, spec.Source = lang, string(data)
			continue
		}
		spec.Files[name] = string(data)
	}
	if len(sources) != 1 {
		return nil, nil
	}
	if len(spec.Files) == 0 {
		spec.Files = nil
	}
	return spec, nil
}
