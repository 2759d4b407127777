package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Defaults of CompareOptions.
const (
	DefaultConfidence = 0.95
	DefaultResamples  = 10000
)

// Verdicts of a comparison.
const (
	VerdictRegression    = "regression"
	VerdictImprovement   = "improvement"
	VerdictNoSignificant = "no significant difference"
)

// McNemar rules: which per-problem outcome the test pairs.
const (
	// McNemarSingleSample: every paired problem has exactly one scored
	// sample in both reports; solved means that sample passed.
	McNemarSingleSample = "single-sample"
	// McNemarMajority: some problem has several samples; solved means
	// c/n ≥ 0.5. The test then is about majority-solved problems, an
	// approximation that the regression rule does not use.
	McNemarMajority = "majority"
)

// CompareOptions configure Compare.
type CompareOptions struct {
	// Confidence is the level of the bootstrap interval; 1 − Confidence is
	// the McNemar significance level. DefaultConfidence when 0.
	Confidence float64
	// Resamples is the number of bootstrap resamples; DefaultResamples
	// when 0.
	Resamples int
	// Seed seeds the bootstrap, so equal inputs give equal intervals.
	Seed uint64
	// Force compares reports of different benchmarks, versions or data,
	// with a warning, instead of refusing.
	Force bool
}

// Input is one report to compare: where it came from, and what it says.
type Input struct {
	Path   string
	Report *Report
}

// Comparison is the result of comparing a NEW report against a BASE one.
// Its JSON field names are stable (fields are added, never renamed).
type Comparison struct {
	Base Side `json:"base"`
	New  Side `json:"new"`
	// PassAtK holds each k in both summaries, in increasing k.
	PassAtK []Metric `json:"pass_at_k"`
	// BasePassAtK is the same for summary.base_pass_at_k, when both have it.
	BasePassAtK []Metric `json:"base_pass_at_k,omitempty"`

	// Paired counts the problems compared: in both reports, with at least
	// one scored (non-SE) sample in each.
	Paired     int      `json:"paired_problems"`
	OnlyInBase []string `json:"only_in_base"`
	OnlyInNew  []string `json:"only_in_new"`
	// Unscored are in both reports but have no scored sample in one.
	Unscored []string `json:"unscored"`
	// Fixed are paired problems whose pass@1 rose, Broken those whose
	// pass@1 fell; both sorted by task id.
	Fixed  []Flip `json:"fixed"`
	Broken []Flip `json:"broken"`

	PassAt1 PairedMean `json:"paired_pass_at_1"`
	McNemar McNemar    `json:"mcnemar"`
	// Verdict is VerdictRegression, VerdictImprovement or
	// VerdictNoSignificant, by the rule in Significant.
	Verdict string `json:"verdict"`
	// Gate is set by ApplyGate.
	Gate     *Gate    `json:"gate,omitempty"`
	Warnings []string `json:"warnings"`
}

// Side describes one report of a comparison.
type Side struct {
	Path          string `json:"path"`
	Benchmark     string `json:"benchmark"`
	Version       string `json:"version"`
	SHA256        string `json:"sha256"`
	SamplesSHA256 string `json:"samples_sha256"`
	Tool          string `json:"tool_version"`
	Problems      int    `json:"problems"`
	Samples       int    `json:"samples"`
}

// Metric is one summary number of both reports; Difference is New − Base.
type Metric struct {
	K          int     `json:"k"`
	Base       float64 `json:"base"`
	New        float64 `json:"new"`
	Difference float64 `json:"difference"`
}

// Flip is a paired problem whose pass@1 (c/n) changed.
type Flip struct {
	TaskID string  `json:"task_id"`
	Base   float64 `json:"base"`
	New    float64 `json:"new"`
}

// PairedMean is the mean over paired problems of per-problem pass@1 (c/n,
// n counting non-SE samples), with a paired bootstrap interval of the
// difference New − Base.
type PairedMean struct {
	Base       float64  `json:"base"`
	New        float64  `json:"new"`
	Difference float64  `json:"difference"`
	CI         Interval `json:"ci"`
	Confidence float64  `json:"confidence"`
	Resamples  int      `json:"resamples"`
	Seed       uint64   `json:"seed"`
}

// McNemar is the exact McNemar test on paired problems, each counted
// solved when its pass@1 is at least 0.5.
type McNemar struct {
	// Rule is McNemarSingleSample or McNemarMajority.
	Rule string `json:"rule"`
	// BaseOnly counts problems solved in BASE and not in NEW; NewOnly the
	// reverse.
	BaseOnly int     `json:"base_only_solved"`
	NewOnly  int     `json:"new_only_solved"`
	PValue   float64 `json:"p_value"`
}

// Gate is the outcome of a regression gate: Failed when NEW's paired
// pass@1 is lower than BASE's by more than MaxDropPP percentage points and
// the drop is significant.
type Gate struct {
	MaxDropPP float64 `json:"max_drop_pp"`
	Failed    bool    `json:"failed"`
}

// MismatchError says two reports are not of the same benchmark and data.
type MismatchError struct {
	Differences []string
}

func (e *MismatchError) Error() string {
	return "reports are not comparable: " + strings.Join(e.Differences, "; ")
}

// Compare compares NEW against BASE. It refuses (with a *MismatchError)
// reports of different benchmark names, versions or data sha256 unless
// opts.Force is set, and fails when no problem is paired. See Significant
// for the test it applies.
func Compare(baseIn, newIn Input, opts CompareOptions) (*Comparison, error) {
	if opts.Confidence == 0 {
		opts.Confidence = DefaultConfidence
	}
	if opts.Resamples == 0 {
		opts.Resamples = DefaultResamples
	}
	if !(opts.Confidence > 0 && opts.Confidence < 1) {
		return nil, fmt.Errorf("confidence %v is not between 0 and 1", opts.Confidence)
	}
	if opts.Resamples < 1 {
		return nil, fmt.Errorf("resamples %d is not positive", opts.Resamples)
	}
	br, nr := baseIn.Report, newIn.Report
	c := &Comparison{
		Base: side(baseIn), New: side(newIn),
		OnlyInBase: []string{}, OnlyInNew: []string{}, Unscored: []string{},
		Fixed: []Flip{}, Broken: []Flip{}, Warnings: []string{},
	}
	if diffs := mismatches(br.Benchmark, nr.Benchmark); len(diffs) > 0 {
		if !opts.Force {
			return nil, &MismatchError{Differences: diffs}
		}
		for _, d := range diffs {
			c.Warnings = append(c.Warnings, d+" (compared anyway: forced)")
		}
	}
	for _, in := range []Input{baseIn, newIn} {
		s := in.Report.Summary
		if s.Interrupted {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: the run was interrupted; the report is partial", in.Path))
		}
		if s.SystemErrors > 0 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: %d samples are system errors (SE), left out", in.Path, s.SystemErrors))
		}
	}

	c.PassAtK = metrics(br.Summary.PassAtK, nr.Summary.PassAtK)
	if bx, nx := baseIn.Report.Summary.BasePassAtK, newIn.Report.Summary.BasePassAtK; len(bx) > 0 && len(nx) > 0 {
		c.BasePassAtK = metrics(bx, nx)
	}

	bc, err := countsByTask(baseIn)
	if err != nil {
		return nil, err
	}
	nc, err := countsByTask(newIn)
	if err != nil {
		return nil, err
	}
	var paired []string
	for id, b := range bc {
		n, ok := nc[id]
		switch {
		case !ok:
			c.OnlyInBase = append(c.OnlyInBase, id)
		case b.N == 0 || n.N == 0:
			c.Unscored = append(c.Unscored, id)
		default:
			paired = append(paired, id)
		}
	}
	for id := range nc {
		if _, ok := bc[id]; !ok {
			c.OnlyInNew = append(c.OnlyInNew, id)
		}
	}
	sort.Strings(paired)
	sort.Strings(c.OnlyInBase)
	sort.Strings(c.OnlyInNew)
	sort.Strings(c.Unscored)
	if len(paired) == 0 {
		return nil, fmt.Errorf("%s and %s have no scored problem in common", baseIn.Path, newIn.Path)
	}
	if k := len(c.OnlyInBase) + len(c.OnlyInNew) + len(c.Unscored); k > 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("%d problems are not in both reports with scored samples; they are left out of the paired statistics", k))
	}

	c.Paired = len(paired)
	baseP, newP, diffs := make([]float64, len(paired)), make([]float64, len(paired)), make([]float64, len(paired))
	c.McNemar.Rule = McNemarSingleSample
	for i, id := range paired {
		b, n := bc[id], nc[id]
		baseP[i] = float64(b.C) / float64(b.N)
		newP[i] = float64(n.C) / float64(n.N)
		diffs[i] = newP[i] - baseP[i]
		switch {
		case newP[i] > baseP[i]:
			c.Fixed = append(c.Fixed, Flip{id, baseP[i], newP[i]})
		case newP[i] < baseP[i]:
			c.Broken = append(c.Broken, Flip{id, baseP[i], newP[i]})
		}
		if b.N != 1 || n.N != 1 {
			c.McNemar.Rule = McNemarMajority
		}
		switch bs, ns := baseP[i] >= 0.5, newP[i] >= 0.5; {
		case bs && !ns:
			c.McNemar.BaseOnly++
		case ns && !bs:
			c.McNemar.NewOnly++
		}
	}
	c.McNemar.PValue = McNemarExact(c.McNemar.BaseOnly, c.McNemar.NewOnly)
	c.PassAt1 = PairedMean{
		Base:       Mean(baseP),
		New:        Mean(newP),
		Difference: Mean(diffs),
		CI:         BootstrapMeanCI(diffs, opts.Resamples, opts.Confidence, opts.Seed),
		Confidence: opts.Confidence,
		Resamples:  opts.Resamples,
		Seed:       opts.Seed,
	}
	switch {
	case c.Significant(-1):
		c.Verdict = VerdictRegression
	case c.Significant(+1):
		c.Verdict = VerdictImprovement
	default:
		c.Verdict = VerdictNoSignificant
	}
	return c, nil
}

// Significant reports whether the paired pass@1 changed significantly in
// the direction of sign (−1: NEW lower, +1: NEW higher). The rule: the
// bootstrap interval of NEW − BASE lies wholly below 0 (above 0 for +1),
// and, when every paired problem has exactly one sample in both reports
// (McNemarSingleSample), also the McNemar p-value is below 1 − confidence.
// For multi-sample reports the McNemar (majority) p-value is shown but not
// used.
func (c *Comparison) Significant(sign int) bool {
	ci := c.PassAt1.CI
	var sig bool
	if sign < 0 {
		sig = ci.High < 0
	} else {
		sig = ci.Low > 0
	}
	if c.McNemar.Rule == McNemarSingleSample {
		sig = sig && c.McNemar.PValue < 1-c.PassAt1.Confidence
	}
	return sig
}

// ApplyGate sets c.Gate: failed when NEW's paired pass@1 is lower than
// BASE's by more than maxDropPP percentage points (with 1e-9 pp of slack
// for rounding) and Significant(−1) holds.
func (c *Comparison) ApplyGate(maxDropPP float64) {
	drop := -100 * c.PassAt1.Difference
	c.Gate = &Gate{MaxDropPP: maxDropPP, Failed: drop > maxDropPP+1e-9 && c.Significant(-1)}
}

func side(in Input) Side {
	r := in.Report
	return Side{
		Path: in.Path, Benchmark: r.Benchmark.Name, Version: r.Benchmark.Version, SHA256: r.Benchmark.SHA256,
		SamplesSHA256: r.Run.SamplesSHA256, Tool: r.Tool.Version, Problems: len(r.Problems), Samples: r.Summary.Samples,
	}
}

func mismatches(b, n Benchmark) []string {
	var out []string
	if b.Name != n.Name {
		out = append(out, fmt.Sprintf("benchmark differs: base %q, new %q", b.Name, n.Name))
	}
	if b.Version != n.Version {
		out = append(out, fmt.Sprintf("benchmark version differs: base %q, new %q", b.Version, n.Version))
	}
	if b.SHA256 != n.SHA256 {
		out = append(out, fmt.Sprintf("benchmark data differs: base sha256 %s, new sha256 %s", short(b.SHA256), short(n.SHA256)))
	}
	return out
}

func short(h string) string {
	if h == "" {
		return "(none)"
	}
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}

func metrics(base, next map[string]float64) []Metric {
	out := []Metric{}
	for _, k := range sortedK(base) {
		n, ok := next[k]
		ki, err := strconv.Atoi(k)
		if !ok || err != nil {
			continue
		}
		out = append(out, Metric{K: ki, Base: base[k], New: n, Difference: n - base[k]})
	}
	return out
}

// ProblemCount is a problem's scored samples (those not SE) and how many
// passed, as Summarize counts them for pass@k.
func ProblemCount(p Problem) TaskCount {
	var tc TaskCount
	for _, s := range p.Samples {
		if s.Verdict == "SE" {
			continue
		}
		tc.N++
		if s.Passed {
			tc.C++
		}
	}
	return tc
}

func countsByTask(in Input) (map[string]TaskCount, error) {
	out := make(map[string]TaskCount, len(in.Report.Problems))
	for _, p := range in.Report.Problems {
		if _, dup := out[p.TaskID]; dup {
			return nil, fmt.Errorf("%s: task %q appears twice in problems", in.Path, p.TaskID)
		}
		out[p.TaskID] = ProblemCount(p)
	}
	return out, nil
}

// pct formats a fraction as a percentage; pp a difference of fractions in
// percentage points.
func pct(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }
func pp(f float64) string  { return fmt.Sprintf("%+.2f pp", 100*f) }

// VerdictLine is a one-line account of the comparison.
func (c *Comparison) VerdictLine() string {
	m := c.PassAt1
	line := fmt.Sprintf("%s: pass@1 %s → %s (%s, %g%% CI [%+.2f, %+.2f] pp", c.Verdict, pct(m.Base), pct(m.New),
		pp(m.Difference), 100*m.Confidence, 100*m.CI.Low, 100*m.CI.High)
	if c.McNemar.Rule == McNemarSingleSample {
		line += fmt.Sprintf(", McNemar p = %.3g", c.McNemar.PValue)
	}
	line += fmt.Sprintf(") over %d paired problems; %d fixed, %d broken", c.Paired, len(c.Fixed), len(c.Broken))
	if c.Gate != nil {
		if c.Gate.Failed {
			line += fmt.Sprintf("; FAILS the gate (a significant drop of more than %g pp)", c.Gate.MaxDropPP)
		} else {
			line += fmt.Sprintf("; passes the gate (no significant drop of more than %g pp)", c.Gate.MaxDropPP)
		}
	}
	return line
}

// WriteText renders the comparison for a terminal.
func (c *Comparison) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "base: %s  (%s %s, samples sha256 %s)\n", c.Base.Path, c.Base.Benchmark, c.Base.Version, short(c.Base.SamplesSHA256))
	fmt.Fprintf(&b, "new:  %s  (%s %s, samples sha256 %s)\n\n", c.New.Path, c.New.Benchmark, c.New.Version, short(c.New.SamplesSHA256))
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tbase\tnew\tdifference")
	for _, m := range c.PassAtK {
		fmt.Fprintf(tw, "pass@%d\t%s\t%s\t%s\n", m.K, pct(m.Base), pct(m.New), pp(m.Difference))
	}
	for _, m := range c.BasePassAtK {
		fmt.Fprintf(tw, "pass@%d (base tests)\t%s\t%s\t%s\n", m.K, pct(m.Base), pct(m.New), pp(m.Difference))
	}
	m := c.PassAt1
	fmt.Fprintf(tw, "paired pass@1\t%s\t%s\t%s\n", pct(m.Base), pct(m.New), pp(m.Difference))
	tw.Flush()
	fmt.Fprintf(&b, "\npaired problems: %d (only in base: %d, only in new: %d, unscored in one: %d)\n",
		c.Paired, len(c.OnlyInBase), len(c.OnlyInNew), len(c.Unscored))
	fmt.Fprintf(&b, "%g%% bootstrap CI of the difference: [%+.2f, %+.2f] pp (%d resamples of problems, seed %d)\n",
		100*m.Confidence, 100*m.CI.Low, 100*m.CI.High, m.Resamples, m.Seed)
	fmt.Fprintf(&b, "McNemar exact test (%s): solved by base only %d, by new only %d, p = %.4g%s\n",
		c.McNemar.Rule, c.McNemar.BaseOnly, c.McNemar.NewOnly, c.McNemar.PValue, mcnemarNote(c.McNemar.Rule))
	fmt.Fprintf(&b, "\n%s\n", c.VerdictLine())
	writeList(&b, "fixed", flipIDs(c.Fixed))
	writeList(&b, "broken", flipIDs(c.Broken))
	writeList(&b, "only in base", c.OnlyInBase)
	writeList(&b, "only in new", c.OnlyInNew)
	writeList(&b, "unscored in one report", c.Unscored)
	_, err := io.WriteString(w, b.String())
	return err
}

func mcnemarNote(rule string) string {
	if rule == McNemarMajority {
		return " (solved = pass@1 ≥ 0.5; shown, not used for the verdict)"
	}
	return ""
}

func writeList(b *strings.Builder, name string, ids []string) {
	if len(ids) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d): %s\n", name, len(ids), strings.Join(ids, ", "))
}

func flipIDs(fs []Flip) []string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.TaskID
	}
	return ids
}

// WriteMarkdown renders the comparison as GitHub-flavoured markdown for a
// CI job summary: a table, a one-line verdict, and the flips in collapsed
// lists.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### scalebox compare: %s %s\n\n", mdEscape(c.New.Benchmark), mdEscape(c.New.Version))
	b.WriteString("| metric | base | new | difference |\n|---|---:|---:|---:|\n")
	for _, m := range c.PassAtK {
		fmt.Fprintf(&b, "| pass@%d | %s | %s | %s |\n", m.K, pct(m.Base), pct(m.New), pp(m.Difference))
	}
	for _, m := range c.BasePassAtK {
		fmt.Fprintf(&b, "| pass@%d (base tests) | %s | %s | %s |\n", m.K, pct(m.Base), pct(m.New), pp(m.Difference))
	}
	m := c.PassAt1
	fmt.Fprintf(&b, "| paired pass@1 (%d problems) | %s | %s | %s |\n", c.Paired, pct(m.Base), pct(m.New), pp(m.Difference))
	fmt.Fprintf(&b, "| %g%% bootstrap CI of the difference | | | [%+.2f, %+.2f] pp |\n", 100*m.Confidence, 100*m.CI.Low, 100*m.CI.High)
	fmt.Fprintf(&b, "| McNemar exact p (%s; %d base-only, %d new-only) | | | %.4g |\n",
		c.McNemar.Rule, c.McNemar.BaseOnly, c.McNemar.NewOnly, c.McNemar.PValue)
	emoji := map[string]string{VerdictRegression: "🔴", VerdictImprovement: "🟢", VerdictNoSignificant: "⚪"}[c.Verdict]
	fmt.Fprintf(&b, "\n%s **%s**\n", emoji, mdEscape(c.VerdictLine()))
	for _, l := range []struct {
		name string
		ids  []string
	}{{"Fixed", flipIDs(c.Fixed)}, {"Broken", flipIDs(c.Broken)}, {"Only in base", c.OnlyInBase}, {"Only in new", c.OnlyInNew}, {"Unscored in one report", c.Unscored}} {
		if len(l.ids) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n<details><summary>%s (%d)</summary>\n\n", l.name, len(l.ids))
		for _, id := range l.ids {
			fmt.Fprintf(&b, "- `%s`\n", strings.ReplaceAll(id, "`", "'"))
		}
		b.WriteString("\n</details>\n")
	}
	for _, warn := range c.Warnings {
		fmt.Fprintf(&b, "\n> [!WARNING]\n> %s\n", mdEscape(warn))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape escapes the characters that would change markdown's meaning.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;", "`", "\\`").Replace(s)
}
