package eval

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/report"
)

func str(s string) *string { return &s }

func TestCaseReport(t *testing.T) {
	long := strings.Repeat("1\n", 2000) // 4000 bytes
	tests := []struct {
		name string
		in   *benchmarks.Case
		want *report.Case
	}{
		{"none", nil, nil},
		{"small", &benchmarks.Case{Input: []byte("1 2\n"), Expected: []byte("3\n"), HasExpected: true, Got: []byte("4\n"), HasGot: true},
			&report.Case{Input: "1 2\n", Expected: str("3\n"), Got: str("4\n")}},
		{"empty output is shown, a missing one is not", &benchmarks.Case{Expected: []byte("3\n"), HasExpected: true, HasGot: true},
			&report.Case{Expected: str("3\n"), Got: str("")}},
		{"limit: no got", &benchmarks.Case{Input: []byte("x"), Expected: []byte("3\n"), HasExpected: true, Got: []byte("partial"), HasGot: false},
			&report.Case{Input: "x", Expected: str("3\n")}},
		{"long input is cut", &benchmarks.Case{Input: []byte(long)},
			&report.Case{Input: long[:CaseBytes], Truncated: []string{"input"}}},
		{"an early difference keeps the start", &benchmarks.Case{Expected: []byte("0\n" + long), HasExpected: true, Got: []byte("9\n" + long), HasGot: true},
			&report.Case{Input: "", Expected: str(("0\n" + long)[:CaseBytes]), Got: str(("9\n" + long)[:CaseBytes]), Truncated: []string{"expected", "got"}}},
		{"a late difference moves both excerpts", &benchmarks.Case{Expected: []byte(long + "5\n"), HasExpected: true, Got: []byte(long + "6\n7\n"), HasGot: true},
			&report.Case{Expected: str("1\n1\n5\n"), Got: str("1\n1\n6\n7\n"), FromLine: 1999}},
		{"a longer output differs where the shorter ends", &benchmarks.Case{Expected: []byte(long), HasExpected: true, Got: []byte(long + "extra\n"), HasGot: true},
			&report.Case{Expected: str("1\n1\n"), Got: str("1\n1\nextra\n"), FromLine: 1999}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, caseReport(tt.in)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestCaseReportCutsAtRuneBoundary(t *testing.T) {
	in := strings.Repeat("é", CaseBytes) // 2 bytes each
	got := caseReport(&benchmarks.Case{Input: []byte("x" + in)})
	if len(got.Input) > CaseBytes || !strings.HasPrefix("x"+in, got.Input) || strings.ContainsRune(got.Input, '\uFFFD') {
		t.Errorf("cut input %d bytes, ends %q", len(got.Input), got.Input[len(got.Input)-4:])
	}
	bin := caseReport(&benchmarks.Case{Input: []byte{0xff, 'a'}})
	if bin.Input != "\uFFFDa" {
		t.Errorf("binary input %q, want it as valid UTF-8", bin.Input)
	}
}
