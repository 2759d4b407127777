package benchmarks

// LoadNative exposes the scalebox-format loader to the tests of package
// benchmarks_test.
var LoadNative = loadNative
