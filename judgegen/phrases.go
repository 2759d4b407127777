package judgegen

import (
	"regexp"
	"strings"
)

// Sentences that grant a choice among answers, that break the tie among
// several (which makes the answer unique again), and that speak of
// several answers at all.
var (
	anyAnswerRE = regexp.MustCompile(`(?i)\b(?:(?:is|be|are)\s+any\s+(?:\w+\s+)?(?:that|which|such|containing|satisfying|meeting|with|of)\b|(?:printed|output|written|listed|given|be|print|output|list|write)\s+(?:\w+\s+){0,5}in\s+any\s+order|(?:output|print|choose|give|provide|return|submit|write)\s+any\s+(?:one\s+)?(?:of\s+(?:them|those|these|the\s+\w+)|valid|correct|such|possible|acceptable|optimal|answer|solution|\w+\s+(?:that|which|satisfying))|(?:may|can)\s+(?:output|print|choose|give|return|submit|write)\s+any|any\s+(?:one\s+)?of\s+them|any\s+(?:valid|correct|such|acceptable|possible)\s+(?:answer|solution|output|one|\w+\s+(?:is|will\s+be)\s+(?:accepted|acceptable|correct))|any\s+(?:choice|answer|solution|such\s+\w+)\s+(?:is|will\s+be)\s+(?:accepted|acceptable|correct))`)
	severalRE   = regexp.MustCompile(`(?i)\b(?:multiple|several|many|more\s+than\s+one)\s+(?:(?:possible|valid|correct|optimal|acceptable|different|such)\s+)*(?:answers?|solutions?|ways|outputs?|orders?|orderings?|arrangements?|choices|possibilities|configurations?|assignments?|plans?)\b`)
	existsRE    = regexp.MustCompile(`(?i)\bguaranteed\s+that\s+(?:at\s+least\s+one|there\s+(?:is|exists)\s+(?:at\s+least\s+one|an?))\b|\bat\s+least\s+one\s+(?:valid\s+|possible\s+|correct\s+)?(?:answer|solution|way|arrangement|configuration)\s+(?:always\s+)?exists\b`)
	// alternativeRE: a sample's explanation names another answer than
	// the one shown ("other answers may be possible", "another possible
	// solution is", "XZZX would also work").
	alternativeRE = regexp.MustCompile(`(?i)\b(?:other|another)\s+(?:\w+\s+){0,2}(?:answers?|solutions?|outputs?)\b|\b(?:would|will|could)\s+also\s+(?:work|be\s+(?:accepted|acceptable|correct|valid|fine))\b|\balso\s+be\s+(?:accepted|acceptable|correct|valid)\b`)
	// chosenRE: the Output section asks for an answer of the solver's own
	// choosing ("your chosen starting cell", "the permutations you have
	// chosen", "representing a valid order"): a construction.
	chosenRE   = regexp.MustCompile(`(?i)\byour\s+(?:\w+\s+)?(?:chosen|proposed|choice|valid|guess)\b|\byou\s+(?:have\s+)?(?:chosen|choose|chose|want\s+to|will\s+(?:apply|use|make|perform|build))\b|\b(?:representing|describing|giving)\s+(?:a|an|one|your)\s+`)
	tieBreakRE = regexp.MustCompile(`(?i)\b(?:smallest|largest|lexicographically|minimi[sz]ed?|maximi[sz]ed?|minimum|maximum|first|earliest|latest|lowest|highest|shortest|longest|leftmost|rightmost|closest)\b`)
)

// phraseFeatures are features of what a statement's sentences grant, in
// its Output section (where a problem says what it accepts; the whole
// statement when it has no Output heading) or, with "-elsewhere", in the
// rest: "phrase:any" when a sentence lets the answer
// be any of several and sets no tie-break; "phrase:several" when one
// speaks of several answers or ways without a tie-break;
// "phrase:tiebreak" when one that speaks of several picks one of them
// (the smallest, the lexicographically first); "phrase:exists" when one
// says an answer is guaranteed to exist (a construction); and
// "phrase:tolerance"
// when the statement bounds the error of an answer (StatementTolerance).
func phraseFeatures(text string) []string {
	var out []string
	has := map[string]bool{}
	add := func(f string) {
		if !has[f] {
			has[f] = true
			out = append(out, f)
		}
	}
	// A statement without an Output heading is read whole as its Output
	// section, as for the word features.
	output, rest := outputSection(text), ""
	if output == "" {
		output = text
	} else {
		rest = strings.Replace(text, output, " ", 1)
	}
	for _, part := range []struct{ suffix, text string }{{"", output}, {"-elsewhere", rest}} {
		for _, sent := range sentences(part.text) {
			// Cheap tests of the words each pattern needs come first.
			l := strings.ToLower(sent)
			hasAny := strings.Contains(l, "any")
			hasSeveral := strings.Contains(l, "multiple") || strings.Contains(l, "several") || strings.Contains(l, "many") || strings.Contains(l, "more than")
			hasExists := strings.Contains(l, "exist") || strings.Contains(l, "guarantee")
			if !hasAny && !hasSeveral && !hasExists {
				continue
			}
			tie := tieBreakRE.MatchString(sent)
			if hasExists && existsRE.MatchString(sent) {
				add("phrase:exists" + part.suffix)
			}
			several := hasSeveral && severalRE.MatchString(sent)
			switch {
			case hasAny && !tie && anyAnswerRE.MatchString(sent):
				add("phrase:any" + part.suffix)
			case several && tie:
				add("phrase:tiebreak" + part.suffix)
			case several:
				add("phrase:several" + part.suffix)
			}
		}
	}
	if _, ok := StatementTolerance(text); ok {
		add("phrase:tolerance")
	}
	if rest != "" && chosenRE.MatchString(output) {
		add("phrase:chosen")
	}
	if alternativeRE.MatchString(sampleNotes(text)) {
		add("phrase:alternative")
	}
	return out
}

var sentenceSplitRE = regexp.MustCompile(`[.!?;]\s+|\n\s*\n`)

// sentences splits a statement's text into sentences (roughly: at a full
// stop followed by space, and at blank lines).
func sentences(text string) []string {
	var out []string
	for _, s := range sentenceSplitRE.Split(text, -1) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
