//go:build race

package cluster_test

// raceEnabled builds the binary under test with the race detector when the
// tests run with it, so that races in the nodes fail them too.
const raceEnabled = true
