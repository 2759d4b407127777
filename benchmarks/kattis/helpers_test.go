package kattis_test

// Helpers the loader tests share with package benchmarks' tests.

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
