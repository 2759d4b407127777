package benchmarks_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/benchmarks"
)

func TestPackagesNamed(t *testing.T) {
	pk := []string{"numpy", "scipy"}
	tests := []struct {
		code string
		want []string
	}{
		{"import numpy as np\n", []string{"numpy"}},
		{"x = np.array([1])\n", []string{"numpy"}},
		{"from scipy import optimize\nimport numpy\n", []string{"numpy", "scipy"}},
		{"def numpyish(x):\n    return snp\n", nil},
		{"print('no packages')\n", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, benchmarks.PackagesNamed(tt.code, pk)); diff != "" {
			t.Errorf("PackagesNamed(%q) (-want +got):\n%s", tt.code, diff)
		}
	}
}

// TestHarnessMissing: only the harness's own first line counts; a line the
// program writes later cannot claim a missing package.
func TestHarnessMissing(t *testing.T) {
	tests := []struct {
		stdout string
		want   []string
	}{
		{`{"ready": true, "missing": ["numpy"]}` + "\n" + `{"i": 0, "out": 1}` + "\n", []string{"numpy"}},
		{`{"ready": true, "missing": []}` + "\n" + `{"ready": true, "missing": ["numpy"]}` + "\n", []string{}},
		{`{"compile_error": "x"}` + "\n" + `{"ready": true, "missing": ["numpy"]}` + "\n", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, benchmarks.HarnessMissing([]byte(tt.stdout))); diff != "" {
			t.Errorf("HarnessMissing(%q) (-want +got):\n%s", tt.stdout, diff)
		}
	}
}
