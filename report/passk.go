package report

import (
	"sort"
	"strconv"
)

// PassAtK is the unbiased estimator of pass@k for one task with n samples of
// which c passed: 1 - C(n-c, k) / C(n, k), computed as a product so that it
// stays exact for large n. It returns 0 when k > n or n == 0.
func PassAtK(n, c, k int) float64 {
	if n <= 0 || k <= 0 || k > n {
		return 0
	}
	if n-c < k {
		return 1
	}
	// C(n-c, k)/C(n, k) = prod_{i=n-c+1}^{n} (1 - k/i)
	prod := 1.0
	for i := n - c + 1; i <= n; i++ {
		prod *= 1 - float64(k)/float64(i)
	}
	return 1 - prod
}

// TaskCount is the number of scored samples of a task and how many passed.
type TaskCount struct {
	N, C int
}

// MeanPassAtK averages PassAtK over tasks for every k in ks not larger than
// the smallest N; keys are the decimal k. Tasks with N == 0 are skipped.
func MeanPassAtK(tasks []TaskCount, ks []int) map[string]float64 {
	out := map[string]float64{}
	minN, scored := 0, 0
	for _, t := range tasks {
		if t.N == 0 {
			continue
		}
		if scored == 0 || t.N < minN {
			minN = t.N
		}
		scored++
	}
	if scored == 0 {
		return out
	}
	sorted := append([]int(nil), ks...)
	sort.Ints(sorted)
	for _, k := range sorted {
		if k > minN {
			continue
		}
		sum := 0.0
		for _, t := range tasks {
			if t.N > 0 {
				sum += PassAtK(t.N, t.C, k)
			}
		}
		out[strconv.Itoa(k)] = sum / float64(scored)
	}
	return out
}
