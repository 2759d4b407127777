package judgegen_test

// The tests load benchmarks of the dataset families' formats, whose
// loaders benchmarks/registry registers.
import _ "github.com/scalebox-dev/scalebox/benchmarks/registry"
