// Package buildinfo reports scalebox's version and commit, set at link time
// (-X) by releases and read from the Go build information otherwise.
package buildinfo

import "runtime/debug"

// Set by the linker: -X github.com/scalebox-dev/scalebox/internal/buildinfo.version=v1.2.3
var (
	version = ""
	commit  = ""
)

// Version returns the release version, or "dev" for a development build.
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// Commit returns the VCS revision the binary was built from, with "+dirty"
// when the tree had uncommitted changes, or "" when unknown.
func Commit() string {
	if commit != "" {
		return commit
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	var rev, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}
