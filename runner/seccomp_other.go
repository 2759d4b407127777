//go:build linux && !amd64 && !arm64

package runner

const (
	auditArch = 0 // no filter on this architecture
	x32Bit    = 0
)

var archKilled []uint32
