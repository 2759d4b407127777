// Package multipleparity holds the MultiPL-E acceptance test: Qwen2.5-Coder-1.5B's
// generations in seven languages, scored on the real sandbox and compared
// task by task with the verdicts Qwen's evaluation recorded. It is a
// package of its own so that it runs in parallel with, and within the
// default test timeout apart from, package eval's tests (about 6 minutes
// on 2 CPUs).
package multipleparity
