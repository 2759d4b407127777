package benchmarks

// LoadNative exposes the scalebox-format loader to the tests of package
// benchmarks_test.
var LoadNative = loadNative

// LoadLeetCode exposes the LeetCode loader to the tests.
var LoadLeetCode = loadLeetCode
