package benchmarks

import _ "embed"

//go:embed harness/sanitize.py
var sanitizeHarness []byte

// SanitizeHarness returns the Python program that extracts the intended
// program from a model's answer (harness/sanitize.py): it reads a JSON spec
// on stdin and writes one JSON line per item, then a marker.
func SanitizeHarness() []byte { return sanitizeHarness }
