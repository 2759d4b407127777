package eval

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/report"
)

// CaseBytes bounds each text of a failed test's case in the report (input,
// expected, got), so that a report of many failing samples with large
// tests stays small: 1 KiB each, cut at a UTF-8 boundary.
const CaseBytes = 1 << 10

// caseContextLines is how many equal lines an excerpt keeps before the
// first difference when it does not start at the beginning.
const caseContextLines = 2

// caseReport cuts a judge's case to the report's size. When the expected
// and the actual output are both known and their first differing line lies
// past half the kept size, both excerpts start caseContextLines lines
// before it (FromLine says where), so that the difference shows.
func caseReport(c *benchmarks.Case) *report.Case {
	if c == nil {
		return nil
	}
	rc := &report.Case{}
	var cut bool
	if rc.Input, cut = head(c.Input); cut {
		rc.Truncated = append(rc.Truncated, "input")
	}
	exp, got := c.Expected, c.Got
	if c.HasExpected && c.HasGot && (len(exp) > CaseBytes || len(got) > CaseBytes) {
		line, e, g := firstDifference(exp, got)
		if e > CaseBytes/2 || g > CaseBytes/2 {
			exp, got, rc.FromLine = exp[e:], got[g:], line
		}
	}
	if c.HasExpected {
		s, cut := head(exp)
		rc.Expected = &s
		if cut {
			rc.Truncated = append(rc.Truncated, "expected")
		}
	}
	if c.HasGot {
		s, cut := head(got)
		rc.Got = &s
		if cut {
			rc.Truncated = append(rc.Truncated, "got")
		}
	}
	return rc
}

// head returns at most CaseBytes of b, cut at a rune boundary, as valid
// UTF-8, and whether it cut.
func head(b []byte) (string, bool) {
	cut := false
	if len(b) > CaseBytes {
		n := CaseBytes
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		b, cut = b[:n], true
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), cut
}

// firstDifference finds the first line at which a and b differ (one of
// them ending counts) and returns the line, from 1, caseContextLines lines
// before it (or 1), and the byte offsets of that line's start in a and b.
func firstDifference(a, b []byte) (line, offA, offB int) {
	var startsA, startsB []int // starts of the lines read so far
	i, j := 0, 0
	for {
		startsA, startsB = append(startsA, i), append(startsB, j)
		la, na := nextLine(a[i:])
		lb, nb := nextLine(b[j:])
		if !bytes.Equal(la, lb) || na == 0 || nb == 0 {
			break
		}
		i, j = i+na, j+nb
	}
	k := max(0, len(startsA)-1-caseContextLines)
	return k + 1, startsA[k], startsB[k]
}

// nextLine returns the first line of b with its newline, and its length
// (0 at the end of b).
func nextLine(b []byte) ([]byte, int) {
	if n := bytes.IndexByte(b, '\n'); n >= 0 {
		return b[:n+1], n + 1
	}
	return b, len(b)
}
