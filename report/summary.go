package report

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

// verdictOrder is the order verdicts are listed in.
var verdictOrder = []string{"AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "SE"}

// Summarize computes r.Summary from r.Problems for the given k values.
// System errors are left out of pass@k: a task's n counts only samples with
// a definite verdict.
func (r *Report) Summarize(ks []int) {
	s := Summary{
		Tasks:          r.Benchmark.Problems,
		Verdicts:       map[string]int{},
		TestVerdicts:   map[string]int{},
		UnknownSamples: len(r.UnknownSamples),
		Interrupted:    r.Summary.Interrupted,
	}
	var counts, baseCounts []TaskCount
	hasBase := false
	for _, p := range r.Problems {
		var tc, bc TaskCount
		for _, smp := range p.Samples {
			if smp.BasePassed != nil {
				hasBase = true
			}
			s.Samples++
			s.Verdicts[smp.Verdict]++
			for _, t := range smp.Tests {
				s.TestVerdicts[t.Verdict]++
			}
			if smp.Verdict == "SE" {
				s.SystemErrors++
				continue
			}
			tc.N++
			if smp.Passed {
				tc.C++
			}
			bc.N++
			if smp.BasePassed != nil && *smp.BasePassed {
				bc.C++
			}
		}
		if tc.N > 0 {
			s.ScoredTasks++
		}
		counts = append(counts, tc)
		baseCounts = append(baseCounts, bc)
	}
	if hasBase {
		s.BasePassAtK = MeanPassAtK(baseCounts, ks)
	}
	s.TasksWithoutSamples = max(0, s.Tasks-len(r.Problems))
	s.PassAtK = MeanPassAtK(counts, ks)
	s.Breakdowns = summaryBreakdowns(r)
	r.Summary = s
}

// summaryBreakdowns computes Summary.Breakdowns from the problems' meta.
func summaryBreakdowns(r *Report) map[string]map[string]BreakdownGroup {
	meta := map[string]map[string]string{}
	for _, p := range r.Problems {
		if len(p.Meta) > 0 {
			meta[p.TaskID] = p.Meta
		}
	}
	bds := breakdowns(r, meta)
	if len(bds) == 0 {
		return nil
	}
	out := make(map[string]map[string]BreakdownGroup, len(bds))
	for _, bd := range bds {
		groups := make(map[string]BreakdownGroup, len(bd.Groups))
		for _, g := range bd.Groups {
			groups[g.Value] = BreakdownGroup{Tasks: g.Problems, ScoredTasks: g.Scored, PassAt1: g.PassAt1}
		}
		out[bd.Key] = groups
	}
	return out
}

// WriteText renders the summary for people; with details, one line per
// sample too.
func (r *Report) WriteText(w io.Writer, details bool) error {
	var b strings.Builder
	s := r.Summary
	fmt.Fprintf(&b, "%s %s: %d tasks, %d samples", r.Benchmark.Name, r.Benchmark.Version, s.Tasks, s.Samples)
	fmt.Fprintf(&b, "  [sandbox %s, cgroup %s]\n", r.Sandbox.Backend, r.Sandbox.Cgroup)
	if s.Interrupted {
		b.WriteString("INTERRUPTED: the report holds the samples finished before the interruption\n")
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	if len(s.PassAtK) == 0 {
		fmt.Fprintln(tw, "pass@k\tn/a (no scored samples)")
	}
	for _, k := range sortedK(s.PassAtK) {
		if b, ok := s.BasePassAtK[k]; ok {
			fmt.Fprintf(tw, "pass@%s\t%.2f%%\t(base %.2f%%)\n", k, 100*s.PassAtK[k], 100*b)
			continue
		}
		fmt.Fprintf(tw, "pass@%s\t%.2f%%\n", k, 100*s.PassAtK[k])
	}
	fmt.Fprintf(tw, "scored tasks\t%d of %d\n", s.ScoredTasks, s.Tasks)
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "verdict\tsamples\ttests\t")
	for _, v := range verdictOrder {
		if s.Verdicts[v] == 0 && s.TestVerdicts[v] == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", v, s.Verdicts[v], s.TestVerdicts[v])
	}
	tw.Flush()
	if s.SystemErrors > 0 {
		fmt.Fprintf(&b, "\n%d samples ended in system errors (SE): the machinery failed; they are not scored.\n", s.SystemErrors)
	}
	if s.UnknownSamples > 0 {
		fmt.Fprintf(&b, "%d samples name tasks the benchmark does not have (see unknown_samples in the report).\n", s.UnknownSamples)
	}
	if s.TasksWithoutSamples > 0 {
		fmt.Fprintf(&b, "%d tasks have no sample.\n", s.TasksWithoutSamples)
	}
	if details {
		b.WriteString("\n")
		tw = tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "task\tsample\tlanguage\tverdict\ttests\tmessage")
		for _, p := range r.Problems {
			for _, smp := range p.Samples {
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d/%d\t%s\n", p.TaskID, smp.Index, smp.Language, smp.Verdict,
					smp.TestsPassed, smp.TestsTotal, oneLine(smp.Message, 70))
			}
		}
		tw.Flush()
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func sortedK(m map[string]float64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, _ := strconv.Atoi(keys[i])
		b, _ := strconv.Atoi(keys[j])
		return a < b
	})
	return keys
}

// oneLine shortens a message to its headline and at most n runes. For a
// multi-line message (a compiler's output) the headline is the first line
// that mentions an error, else the last line.
func oneLine(s string, n int) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "\n") {
		lines := strings.Split(s, "\n")
		head := strings.TrimSpace(lines[len(lines)-1])
		for _, l := range lines {
			if strings.Contains(strings.ToLower(l), "error") {
				head = strings.TrimSpace(l)
				break
			}
		}
		s = head
	}
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}
