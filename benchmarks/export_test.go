package benchmarks

// LoadNative exposes the scalebox-format loader to the tests of package
// benchmarks_test.
var LoadNative = loadNative

// TreeSHA256 exposes the hash of a data folder.
var TreeSHA256 = treeSHA256

// PackagesNamed and HarnessMissing expose the reference-package checks.
var (
	PackagesNamed  = packagesNamed
	HarnessMissing = harnessMissing
)

// CheckWatcher exposes the early-stop watcher of decomposed assert tests.
var CheckWatcher = checkWatcher
