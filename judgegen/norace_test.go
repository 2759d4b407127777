//go:build !race

package judgegen_test

const raceEnabled = false
