package judgegen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// Labels of the statement classifier, in the model's order.
const (
	LabelExact       = "exact"
	LabelFloat       = "float"
	LabelCustom      = "custom"
	LabelInteractive = "interactive"
)

// ModelLabels are the classes a Model tells apart.
var ModelLabels = []string{LabelExact, LabelFloat, LabelCustom, LabelInteractive}

var (
	featPow10RE = regexp.MustCompile(`10\s*(?:\^|\*\*)?\s*[{(]?\s*(?:[-−–‒]|⁻)\s*[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+\s*[})]?|\b\d+(?:\.\d+)?\s*[eE]\s*[-−–]\s*\d+\b`)
	featDecRE   = regexp.MustCompile(`\d*\.\d+`)
	featNumRE   = regexp.MustCompile(`\d+`)
	featWordRE  = regexp.MustCompile(`[\pL]+`)
)

// Features returns the features of a statement's text (StatementText).
// The words of its Output section (from a heading line "Output", or
// "Interaction", to the next heading; the whole text when it has none),
// where a problem says what it accepts, lower-cased, with a negative power
// of ten written "tenneg", a decimal number "decnum" and an integer "num":
// each word, pair and triple of adjacent words ("o:any", "o:any of",
// "o3:y is a"). Then indicators: "sample:decnum" when the sample output
// has a decimal number, and the phrase features (phraseFeatures) of what
// the statement's sentences grant. Each once, sorted.
func Features(text string) []string {
	set := map[string]struct{}{}
	sec := outputSection(text)
	if sec == "" {
		sec = text
	}
	addWords(set, "o:", sec)
	addTrigrams(set, "o3:", sec)
	so := sampleOutput(text)
	if sampleDecimalRE.MatchString(so) {
		set["sample:decnum"] = struct{}{}
	}
	if sampleMultiline(so) {
		set["sample:multiline"] = struct{}{}
	}
	for _, f := range phraseFeatures(text) {
		set[f] = struct{}{}
	}
	out := make([]string, 0, len(set))
	for f := range set {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

func addWords(set map[string]struct{}, prefix, text string) {
	s := strings.ToLower(text)
	s = featPow10RE.ReplaceAllString(s, " tenneg ")
	s = featDecRE.ReplaceAllString(s, " decnum ")
	s = featNumRE.ReplaceAllString(s, " num ")
	words := featWordRE.FindAllString(s, -1)
	for i, w := range words {
		set[prefix+w] = struct{}{}
		if i > 0 {
			set[prefix+words[i-1]+" "+w] = struct{}{}
		}
	}
}

func addTrigrams(set map[string]struct{}, prefix, text string) {
	s := strings.ToLower(text)
	s = featPow10RE.ReplaceAllString(s, " tenneg ")
	s = featDecRE.ReplaceAllString(s, " decnum ")
	s = featNumRE.ReplaceAllString(s, " num ")
	words := featWordRE.FindAllString(s, -1)
	for i := 2; i < len(words); i++ {
		set[prefix+words[i-2]+" "+words[i-1]+" "+words[i]] = struct{}{}
	}
}

var (
	// headingRE is a line that is a section heading of a statement (as
	// StatementText leaves an HTML heading, or Markdown or LaTeX writes it).
	headingRE       = regexp.MustCompile(`(?im)^[ \t]*(?:#+[ \t]*|\\section\*?\{[ \t]*)?(output|outputs|output format|output specification|input|input format|input specification|limits|constraints|samples?|sample input(?:s)?(?:[ \t]*\d+)?|sample output(?:s)?(?:[ \t]*\d+)?|examples?|notes?|explanation|scoring|interaction|test sets?|test set \d+.*|subtasks?)[ \t]*\}?[ \t:]*$`)
	sampleDecimalRE = regexp.MustCompile(`(?:^|[\s:])-?\d+\.\d+(?:\s|$)`)
)

// section returns the text from the first heading line whose name is
// named to the next heading line, at most 4000 bytes.
func section(text string, named func(string) bool) string {
	hs := headingRE.FindAllStringSubmatchIndex(text, -1)
	for i, h := range hs {
		if !named(strings.ToLower(text[h[2]:h[3]])) {
			continue
		}
		end := len(text)
		if i+1 < len(hs) {
			end = hs[i+1][0]
		}
		end = min(end, h[1]+4000)
		return text[h[1]:end]
	}
	return ""
}

// outputSection is the statement's Output section, or its Interaction
// section (an interactive problem's).
func outputSection(text string) string {
	if s := section(text, func(h string) bool { return strings.HasPrefix(h, "output") }); s != "" {
		return s
	}
	return section(text, func(h string) bool { return h == "interaction" })
}

// sampleOutput is the statement's first sample output, at most 600 bytes.
func sampleOutput(text string) string {
	s := section(text, func(h string) bool { return strings.HasPrefix(h, "sample output") })
	return s[:min(len(s), 600)]
}

// sampleNotes is the text of the statement's sample output section: the
// sample output and what explains it, at most 4000 bytes.
func sampleNotes(text string) string {
	return section(text, func(h string) bool { return strings.HasPrefix(h, "sample output") })
}

// sampleMultiline reports whether a sample output in the Code Jam layout
// ("Case #1: ..." lines) has a line of its own under a case: an answer of
// several lines, as a construction's usually is.
func sampleMultiline(sample string) bool {
	lines := strings.Split(sample, "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), "Case #") })
	if start < 0 {
		return false
	}
	for _, l := range lines[start+1:] {
		l = strings.TrimSpace(l)
		if l == "" {
			return false // the end of the sample output
		}
		if !strings.HasPrefix(l, "Case #") {
			return true
		}
	}
	return false
}

// Model is a multinomial logistic regression over a statement's Features
// (valued by featureValues): the probability of each of Labels is the
// softmax of Bias plus the weights of the features present. It is made
// by Train, which is deterministic; the command's model is trained on
// ../shared/data/codejam-statements by `go generate` and embedded
// (model.json). Its methods only read it: it is safe for concurrent use.
type Model struct {
	// Method names the training method and its settings.
	Method string   `json:"method"`
	Labels []string `json:"labels"`
	// Trained says on what: the folder, the number of problems per label.
	Trained string    `json:"trained"`
	Bias    []float64 `json:"bias"`
	// Seen holds a hash of each training statement's text (TextHash),
	// sorted, so that an evaluation can tell the problems the model was
	// trained on.
	Seen []string `json:"seen"`
	// ExactThreshold: a statement needs a judge when its P(exact) is at
	// or below it (zero: when exact is not the most probable label). Train
	// chooses it for TargetPrecision.
	ExactThreshold  float64 `json:"exact_threshold,omitempty"`
	TargetPrecision float64 `json:"target_precision,omitempty"`
	// Weights holds each kept feature's weight per label.
	Weights map[string][]float64 `json:"weights"`
}

// Decide returns the label the model gives a statement's text, the
// probabilities of all labels, and how sure it is: a statement needs a
// judge when P(exact) is at or below ExactThreshold, and its label is then
// the most probable of the others. The confidence is P(exact) (or
// 1-P(exact), for a judge) with its odds divided by the threshold's: 0.5
// at the threshold, towards 1 the farther P(exact) is from it.
func (m *Model) Decide(text string) (label string, probs []float64, confidence float64) {
	return m.decide(Features(text))
}

func (m *Model) decide(feats []string) (label string, probs []float64, confidence float64) {
	probs = m.predictFeatures(feats)
	t := m.ExactThreshold
	if t <= 0 || t >= 1 {
		b := argmax(probs)
		return m.Labels[b], probs, probs[b]
	}
	pex := min(max(probs[0], 1e-12), 1-1e-12)
	r := (pex / (1 - pex)) / (t / (1 - t)) // odds of exact against the threshold's
	if pex > t {
		return m.Labels[0], probs, r / (1 + r)
	}
	b := 1 + argmax(probs[1:])
	return m.Labels[b], probs, 1 / (1 + r)
}

// TextHash is a short hash of a statement's text: the first 12 hex
// digits of its sha256.
func TextHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:6])
}

// Saw reports whether the model was trained on a statement with this text.
func (m *Model) Saw(text string) bool {
	_, ok := slices.BinarySearch(m.Seen, TextHash(text))
	return ok
}

// Predict returns the probability of each of m.Labels for a statement's
// text.
func (m *Model) Predict(text string) []float64 {
	return m.predictFeatures(Features(text))
}

func (m *Model) predictFeatures(feats []string) []float64 {
	z := append([]float64(nil), m.Bias...)
	xs := featureValues(feats)
	for i, f := range feats {
		if w, ok := m.Weights[f]; ok {
			for c := range z {
				z[c] += xs[i] * w[c]
			}
		}
	}
	return softmax(z)
}

// isIndicator reports whether a feature is a hand-made indicator (a
// phrase or the sample's shape) rather than a word or a pair of words.
func isIndicator(f string) bool {
	return strings.HasPrefix(f, "phrase:") || strings.HasPrefix(f, "sample:")
}

// minWordFeatures is about the number of word features of a Code Jam
// Output section (the median is 120): featureValues divides by no less, so
// that a statement of a few words is not read with its weights magnified.
const minWordFeatures = 100

// featureValues gives each feature its value: 1 for an indicator, and
// 1/sqrt(max(n, minWordFeatures)) for each of the n words, pairs and
// triples, so that a long statement weighs no more than a usual one, a
// very short one no more than its few words, and an indicator stands out.
func featureValues(feats []string) []float64 {
	n := 0
	for _, f := range feats {
		if !isIndicator(f) {
			n++
		}
	}
	xs := make([]float64, len(feats))
	for i, f := range feats {
		switch {
		case isIndicator(f):
			xs[i] = 1
		default:
			xs[i] = 1 / math.Sqrt(float64(max(n, minWordFeatures)))
		}
	}
	return xs
}

func softmax(z []float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = math.Max(mx, v)
	}
	sum := 0.0
	p := make([]float64, len(z))
	for i, v := range z {
		p[i] = math.Exp(v - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return p
}

// Example is one labelled statement.
type Example struct {
	ID    string
	Label string
	// Text is the statement's text (StatementText).
	Text string
	// feats caches Features(Text).
	feats []string
}

func (e *Example) features() []string {
	if e.feats == nil {
		e.feats = Features(e.Text)
	}
	return e.feats
}

// TrainOptions tune Train; zero values take the defaults.
type TrainOptions struct {
	// MinDocs is the fewest training statements a feature must occur in
	// to be kept (default 2).
	MinDocs int
	// L2 is the weight of the L2 penalty on the weights (default 1e-3).
	L2 float64
	// Iterations of full-batch Adam (default 300), LearningRate its step
	// (default 0.05).
	Iterations   int
	LearningRate float64
	// MaxFeatures keeps the features with the largest weights after
	// training (default 4000), so that the embedded model stays small.
	MaxFeatures int
	// TargetPrecision is the precision of "needs a judge", less one
	// standard error, that the threshold on P(exact) is chosen for
	// (default 0.9, the target of issue 15), by InnerFolds
	// folds (default 3; negative: no threshold, the most probable label
	// decides) of cross-validation on the training statements alone.
	TargetPrecision float64
	InnerFolds      int
}

func (o TrainOptions) withDefaults() TrainOptions {
	if o.MinDocs <= 0 {
		o.MinDocs = 2
	}
	if o.L2 <= 0 {
		o.L2 = 1e-3
	}
	if o.Iterations <= 0 {
		o.Iterations = 300
	}
	if o.LearningRate <= 0 {
		o.LearningRate = 0.05
	}
	if o.MaxFeatures <= 0 {
		o.MaxFeatures = 4000
	}
	if o.TargetPrecision <= 0 {
		o.TargetPrecision = 0.9
	}
	if o.InnerFolds == 0 {
		o.InnerFolds = 3
	}
	return o
}

// Train fits a Model to labelled statements: softmax regression with an
// L2 penalty, full-batch Adam for a fixed number of iterations from zero
// weights. The model weighs evidence for a judge: exact is the reference
// label (its weights and bias are zero) and the weights of the others are
// kept non-negative, so that a feature can only speak for a label that
// needs a judge. A statement with nothing to tell (one written unlike the
// training statements, whose exact problems share their own boilerplate)
// is then exact, as most are, rather than whatever its missing words
// suggest. Then it chooses the
// model's ExactThreshold: the statements are split into InnerFolds
// stratified folds, a model trained on all folds but one gives P(exact)
// for the held-out one, and the threshold is the largest at which the
// precision of "needs a judge" (P(exact) at or below it) on those
// held-out predictions, less one standard error (precisionBound), is at
// least TargetPrecision. Only the training
// statements are used. It is deterministic: the same examples in the same
// order give the same model.
func Train(examples []Example, opts TrainOptions) (*Model, error) {
	o := opts.withDefaults()
	m, err := fit(examples, o)
	if err != nil || o.InnerFolds < 2 {
		return m, err
	}
	k := min(o.InnerFolds, len(examples))
	folds := stratify(examples, k, 1)
	pex := make([]float64, len(examples))
	inner := o
	inner.InnerFolds = -1
	for f := 0; f < k; f++ {
		var train []Example
		for i := range examples {
			if folds[i] != f {
				train = append(train, examples[i])
			}
		}
		fm, err := fit(train, inner)
		if err != nil {
			return nil, fmt.Errorf("inner fold %d: %w", f+1, err)
		}
		for i := range examples {
			if folds[i] == f {
				pex[i] = fm.predictFeatures(examples[i].features())[0]
			}
		}
	}
	m.ExactThreshold, m.TargetPrecision = chooseThreshold(examples, pex, o.TargetPrecision), o.TargetPrecision
	m.Method += fmt.Sprintf("; needs a judge when P(exact) <= %.3f, the threshold for %.0f%% precision (less one standard error) in %d-fold cross-validation on the training statements", m.ExactThreshold, 100*o.TargetPrecision, k)
	return m, nil
}

// chooseThreshold returns the largest threshold on P(exact) at which
// "needs a judge" (P(exact) <= threshold) keeps the target precision on
// held-out predictions pex, less one standard error (precisionBound): halfway to the next prediction, so that a new
// statement is not decided by a hair. With no such threshold, it returns
// the smallest P(exact) seen halved (almost nothing flagged by the model).
func chooseThreshold(examples []Example, pex []float64, target float64) float64 {
	idx := make([]int, len(pex))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return pex[idx[a]] < pex[idx[b]] })
	best := -1
	tp := 0
	for n, i := range idx {
		if examples[i].Label != LabelExact {
			tp++
		}
		if precisionBound(tp, n+1) >= target && (n+1 == len(idx) || pex[idx[n+1]] > pex[i]) {
			best = n
		}
	}
	switch {
	case best < 0:
		return pex[idx[0]] / 2
	case best+1 == len(idx):
		return 1
	}
	return (pex[idx[best]] + pex[idx[best+1]]) / 2
}

// precisionZ is how many standard errors below a precision measured on
// the training statements precisionBound goes.
const precisionZ = 1.0

// precisionBound is the lower end of the Wilson score interval of a
// precision of tp out of n, precisionZ standard errors wide: a threshold
// chosen for it keeps the target precision on new statements more often
// than one chosen for the precision measured, which is an estimate
// (with 1.0 over 20 to 30 flagged statements, about 5 points below it).
func precisionBound(tp, n int) float64 {
	const z = precisionZ
	p, nf := float64(tp)/float64(n), float64(n)
	d := 1 + z*z/nf
	c := p + z*z/(2*nf)
	r := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	return (c - r) / d
}

// stratify deals examples into k folds, each label's in a shuffled order
// (seeded), continuing round the folds where the previous label stopped.
func stratify(examples []Example, k int, seed int64) []int {
	labels := make([]string, len(examples))
	for i, e := range examples {
		labels[i] = e.Label
	}
	return stratifyLabels(labels, k, seed)
}

// fit trains the softmax regression (see Train) without a threshold.
func fit(examples []Example, o TrainOptions) (*Model, error) {
	labels := ModelLabels
	index := map[string]int{}
	for i, l := range labels {
		index[l] = i
	}
	counts := make([]int, len(labels))
	docs := make([][]string, len(examples))
	df := map[string]int{}
	for i := range examples {
		e := &examples[i]
		c, ok := index[e.Label]
		if !ok {
			return nil, fmt.Errorf("example %s: unknown label %q (known: %s)", e.ID, e.Label, strings.Join(labels, ", "))
		}
		counts[c]++
		docs[i] = e.features()
		for _, f := range docs[i] {
			df[f]++
		}
	}
	if len(examples) == 0 {
		return nil, fmt.Errorf("no examples to train on")
	}
	var vocab []string
	for f, n := range df {
		if n >= o.MinDocs {
			vocab = append(vocab, f)
		}
	}
	sort.Strings(vocab)
	fi := make(map[string]int, len(vocab))
	for i, f := range vocab {
		fi[f] = i
	}
	// Sparse rows: the indices and values (featureValues, computed over
	// all of the statement's features, kept or not, as Predict sees them).
	rows := make([][]int, len(docs))
	vals := make([][]float64, len(docs))
	for i, d := range docs {
		xs := featureValues(d)
		for k, f := range d {
			if j, ok := fi[f]; ok {
				rows[i] = append(rows[i], j)
				vals[i] = append(vals[i], xs[k])
			}
		}
	}
	C, V, N := len(labels), len(vocab), len(examples)
	y := make([]int, N)
	for i, e := range examples {
		y[i] = index[e.Label]
	}
	// Parameters: V*C weights then C biases.
	P := V*C + C
	theta := make([]float64, P)
	grad := make([]float64, P)
	m1 := make([]float64, P)
	m2 := make([]float64, P)
	const b1, b2, eps = 0.9, 0.999, 1e-8
	z := make([]float64, C)
	g := make([]float64, C)
	for it := 1; it <= o.Iterations; it++ {
		clear(grad)
		for i, r := range rows {
			for c := 0; c < C; c++ {
				z[c] = theta[V*C+c]
			}
			for k, j := range r {
				x := vals[i][k]
				for c := 0; c < C; c++ {
					z[c] += x * theta[j*C+c]
				}
			}
			p := softmax(z)
			w := 1 / float64(N)
			for c := 0; c < C; c++ {
				g[c] = p[c] * w
			}
			g[y[i]] -= w
			for c := 0; c < C; c++ {
				grad[V*C+c] += g[c]
			}
			for k, j := range r {
				x := vals[i][k]
				for c := 0; c < C; c++ {
					grad[j*C+c] += g[c] * x
				}
			}
		}
		for k := 0; k < V*C; k++ {
			grad[k] += o.L2 * theta[k]
		}
		lr := o.LearningRate * math.Sqrt(1-math.Pow(b2, float64(it))) / (1 - math.Pow(b1, float64(it)))
		for k := range theta {
			if k%C == 0 {
				continue // exact is the reference: its weights and bias stay 0
			}
			m1[k] = b1*m1[k] + (1-b1)*grad[k]
			m2[k] = b2*m2[k] + (1-b2)*grad[k]*grad[k]
			theta[k] -= lr * m1[k] / (math.Sqrt(m2[k]) + eps)
			if k < V*C && theta[k] < 0 {
				theta[k] = 0 // a feature is evidence for a judge, never against
			}
		}
	}
	// Keep the features that matter most, by the largest absolute weight.
	type fw struct {
		f string
		w float64
	}
	all := make([]fw, V)
	for j, f := range vocab {
		mx := 0.0
		for c := 0; c < C; c++ {
			mx = math.Max(mx, math.Abs(theta[j*C+c]))
		}
		all[j] = fw{f, mx}
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].w > all[b].w })
	if len(all) > o.MaxFeatures {
		all = all[:o.MaxFeatures]
	}
	m := &Model{
		Method:  fmt.Sprintf("logistic regression weighing evidence for a judge (exact the reference label, other weights non-negative) over the Output section's words, pairs and triples and phrase indicators (features in >= %d statements, L2 %g, Adam %d iterations at %g, the %d largest weights kept)", o.MinDocs, o.L2, o.Iterations, o.LearningRate, o.MaxFeatures),
		Labels:  append([]string(nil), labels...),
		Bias:    append([]float64(nil), theta[V*C:]...),
		Weights: make(map[string][]float64, len(all)),
	}
	var parts []string
	for c, l := range labels {
		parts = append(parts, fmt.Sprintf("%s %d", l, counts[c]))
	}
	m.Trained = fmt.Sprintf("%d statements (%s)", N, strings.Join(parts, ", "))
	for _, e := range examples {
		m.Seen = append(m.Seen, TextHash(e.Text))
	}
	slices.Sort(m.Seen)
	m.Seen = slices.Compact(m.Seen)
	for _, a := range all {
		j := fi[a.f]
		m.Weights[a.f] = append([]float64(nil), theta[j*C:j*C+C]...)
	}
	return m, nil
}

// MarshalModel writes a model as JSON with its weights rounded to 6
// significant digits, one feature a line in sorted order, so that the
// generated file is stable, small and diffs well.
func MarshalModel(m *Model) ([]byte, error) {
	round := func(v float64) float64 {
		if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return v
		}
		d := math.Pow(10, 5-math.Floor(math.Log10(math.Abs(v))))
		return math.Round(v*d) / d
	}
	roundAll := func(ws []float64) []float64 {
		out := make([]float64, len(ws))
		for i, v := range ws {
			out[i] = round(v)
		}
		return out
	}
	var b bytes.Buffer
	field := func(name string, v any, last bool) error {
		var j bytes.Buffer
		enc := json.NewEncoder(&j)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(name); err != nil {
			return err
		}
		b.Write(bytes.TrimSpace(j.Bytes()))
		b.WriteString(": ")
		j.Reset()
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Write(bytes.TrimSpace(j.Bytes()))
		if !last {
			b.WriteString(",")
		}
		b.WriteString("\n")
		return nil
	}
	b.WriteString("{\n")
	for _, f := range []struct {
		name string
		v    any
	}{{"method", m.Method}, {"labels", m.Labels}, {"trained", m.Trained}, {"bias", roundAll(m.Bias)},
		{"exact_threshold", round(m.ExactThreshold)}, {"target_precision", m.TargetPrecision}, {"seen", m.Seen}} {
		if err := field(f.name, f.v, false); err != nil {
			return nil, err
		}
	}
	b.WriteString("\"weights\": {\n")
	names := make([]string, 0, len(m.Weights))
	for f := range m.Weights {
		names = append(names, f)
	}
	sort.Strings(names)
	for i, f := range names {
		if err := field(f, roundAll(m.Weights[f]), i == len(names)-1); err != nil {
			return nil, err
		}
	}
	b.WriteString("}\n}\n")
	return b.Bytes(), nil
}

// UnmarshalModel reads a model written by MarshalModel.
func UnmarshalModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if len(m.Labels) == 0 || len(m.Bias) != len(m.Labels) {
		return nil, fmt.Errorf("model: %d labels, %d biases", len(m.Labels), len(m.Bias))
	}
	if !slices.IsSorted(m.Seen) {
		return nil, fmt.Errorf("model: the hashes of the training statements are not sorted")
	}
	for f, w := range m.Weights {
		if len(w) != len(m.Labels) {
			return nil, fmt.Errorf("model: feature %q has %d weights for %d labels", f, len(w), len(m.Labels))
		}
	}
	return &m, nil
}
