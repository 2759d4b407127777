//go:build race

package server_test

// raceEnabled builds the server under test with the race detector when the
// tests run with it, so that races in the server fail them too.
const raceEnabled = true
