package report

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
)

// McNemarExact is the two-sided exact McNemar test on b and c discordant
// pairs (b pairs favour one side, c the other): the p-value
// min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b+c, 1/2). It is 1 when
// b+c is 0 or b == c.
//
// The sum is computed relative to its largest term, P(X = min(b, c)), whose
// logarithm comes from math.Lgamma, so it neither overflows nor underflows
// before the final exponential; tests check it against exact integer
// arithmetic to 1e-9 relative error for b+c up to 10^5. A p-value below the
// smallest float64 is 0. It takes O(min(b, c)) time.
func McNemarExact(b, c int) float64 {
	if b < 0 || c < 0 {
		return math.NaN()
	}
	n, k := b+c, min(b, c)
	if n == 0 || 2*k >= n {
		// P(X ≤ n/2) ≥ 1/2 for a symmetric binomial.
		return 1
	}
	// log P(X = k) = log C(n, k) − n·log 2.
	logTop := lgammaInt(n+1) - lgammaInt(k+1) - lgammaInt(n-k+1) - float64(n)*math.Ln2
	// Sum P(X = i)/P(X = k) for i = k, k−1, …, 0. Since k < n/2 the ratio
	// P(X = i−1)/P(X = i) = i/(n−i+1) is below 1, so terms shrink.
	sum, term := 1.0, 1.0
	for i := k; i > 0; i-- {
		term *= float64(i) / float64(n-i+1)
		sum += term
		if term < 1e-18*sum {
			break
		}
	}
	return math.Min(1, 2*math.Exp(logTop+math.Log(sum)))
}

func lgammaInt(x int) float64 {
	v, _ := math.Lgamma(float64(x))
	return v
}

// Interval is a closed interval [Low, High].
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Contains reports whether x lies in the interval.
func (i Interval) Contains(x float64) bool { return i.Low <= x && x <= i.High }

// BootstrapMeanCI is the percentile bootstrap confidence interval, at the
// given confidence level (0 < confidence < 1), of the mean of values.
//
// It draws resamples resamples of len(values) values with replacement, takes
// each one's mean (the sum in index order divided by the count), sorts the
// means m[0] ≤ … ≤ m[B−1], and returns the quantiles at α/2 and 1−α/2 with
// α = 1 − confidence, interpolated linearly: the quantile at p is
// m[⌊h⌋] + (h−⌊h⌋)·(m[⌊h⌋+1] − m[⌊h⌋]) with h = (B−1)·p (R's type 7).
//
// Draws come from math/rand/v2's PCG seeded with (seed, 0), mapped to an
// index with Lemire's unbiased multiply-and-reject method, so a seed gives
// the same interval on every machine and Go release. Paired data are
// bootstrapped by passing the per-pair differences. It returns NaNs when
// values is empty or resamples < 1. It takes O(resamples·len(values)) time.
func BootstrapMeanCI(values []float64, resamples int, confidence float64, seed uint64) Interval {
	n := len(values)
	if n == 0 || resamples < 1 || !(confidence > 0 && confidence < 1) {
		return Interval{math.NaN(), math.NaN()}
	}
	src := rand.NewPCG(seed, 0)
	means := make([]float64, resamples)
	for b := range means {
		sum := 0.0
		for range n {
			sum += values[uniformIndex(src, uint64(n))]
		}
		means[b] = sum / float64(n)
	}
	slices.Sort(means)
	alpha := 1 - confidence
	return Interval{quantile(means, alpha/2), quantile(means, 1-alpha/2)}
}

// uniformIndex returns a uniform integer in [0, n) (Lemire 2019).
func uniformIndex(src *rand.PCG, n uint64) uint64 {
	hi, lo := bits.Mul64(src.Uint64(), n)
	if lo < n {
		threshold := -n % n
		for lo < threshold {
			hi, lo = bits.Mul64(src.Uint64(), n)
		}
	}
	return hi
}

// quantile is the type-7 quantile at p of sorted values.
func quantile(sorted []float64, p float64) float64 {
	// The explicit conversions round, so no platform fuses a multiply-add
	// and every machine gets the same bits.
	h := float64(float64(len(sorted)-1) * p)
	i := int(math.Floor(h))
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	lo, hi := sorted[i], sorted[i+1]
	if lo == hi {
		// Exact, even where lo + 0·(hi−lo) would round.
		return lo
	}
	return lo + float64((h-float64(i))*(hi-lo))
}

// Mean is the arithmetic mean of values, summed in index order; NaN when
// values is empty.
func Mean(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	sum := 0.0
	for _, v := range values {
		sum += v
	}
	return sum / float64(len(values))
}
