//go:build race

package judgegen_test

// raceEnabled: the race detector makes the classifier's cross-validation
// (pure arithmetic, about 20 trainings) ten times slower; make test runs
// it once more without the detector.
const raceEnabled = true
