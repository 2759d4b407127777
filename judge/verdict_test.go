package judge_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/judge"
)

func TestVerdictAll(t *testing.T) {
	want := []judge.Verdict{"AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "SE"}
	if diff := cmp.Diff(want, judge.All); diff != "" {
		t.Errorf("All mismatch (-want +got):\n%s", diff)
	}
}

func TestVerdictParseRoundTrip(t *testing.T) {
	for _, v := range judge.All {
		got, err := judge.Parse(string(v))
		if err != nil {
			t.Errorf("Parse(%q): %v", v, err)
		}
		if got != v {
			t.Errorf("Parse(%q) = %q", v, got)
		}
	}
}

func TestVerdictParseErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `unknown verdict ""`},
		{"ac", `unknown verdict "ac"`},
		{" AC", `unknown verdict " AC"`},
		{"AC\n", `unknown verdict "AC\n"`},
		{"OK", `unknown verdict "OK"`},
		{"accepted", `unknown verdict "accepted"`},
	}
	for _, tt := range tests {
		v, err := judge.Parse(tt.in)
		if err == nil {
			t.Errorf("Parse(%q) = %q, want an error", tt.in, v)
			continue
		}
		if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
			t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tt.in, diff)
		}
		if v != "" {
			t.Errorf("Parse(%q) = %q with an error, want \"\"", tt.in, v)
		}
	}
}

func TestVerdictPredicates(t *testing.T) {
	type facts struct {
		Passed, Definite bool
		Describe         string
	}
	want := map[judge.Verdict]facts{
		judge.AC:  {true, true, "accepted"},
		judge.WA:  {false, true, "wrong answer"},
		judge.TLE: {false, true, "time limit exceeded"},
		judge.MLE: {false, true, "memory limit exceeded"},
		judge.OLE: {false, true, "output limit exceeded"},
		judge.RE:  {false, true, "runtime error"},
		judge.CE:  {false, true, "compile error"},
		judge.SE:  {false, false, "system error"},
		"XYZ":     {false, true, "XYZ"},
		"":        {false, true, ""},
	}
	got := map[judge.Verdict]facts{}
	for v := range want {
		got[v] = facts{v.Passed(), v.Definite(), v.Describe()}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdict predicates mismatch (-want +got):\n%s", diff)
	}
}
