package benchmarks

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration written as "2s" or "1500ms" in TOML and JSON.
type Duration time.Duration

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(strings.TrimSpace(string(b)))
	if err != nil {
		return fmt.Errorf("invalid duration %q (want e.g. \"2s\" or \"500ms\")", b)
	}
	if v < 0 {
		return fmt.Errorf("invalid duration %q: negative", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// ByteSize is a size written as "256MiB", "64KiB", "1GiB", "1MB" or a plain
// number of bytes.
type ByteSize int64

var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1000}, {"MB", 1000_000}, {"GB", 1000_000_000},
	{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30},
	{"B", 1},
}

// ParseByteSize parses a size such as "256MiB": a plain decimal number
// (digits and at most one point) with an optional unit.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	bad := fmt.Errorf("invalid size %q (want e.g. \"256MiB\")", s)
	if t == "" || strings.Count(t, ".") > 1 || strings.Trim(t, "0123456789.") != "" || t == "." {
		return 0, bad
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n*float64(mult) > 1<<62 {
		return 0, bad
	}
	if mult == 1 {
		// Whole bytes: parse exactly, without float rounding.
		if i, err := strconv.ParseInt(t, 10, 64); err == nil {
			return ByteSize(i), nil
		}
	}
	return ByteSize(n * float64(mult)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (b *ByteSize) UnmarshalText(text []byte) error {
	v, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

func (b ByteSize) String() string {
	n := int64(b)
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return strconv.FormatInt(n, 10)
}

// UnmarshalTOML accepts a size string or a plain integer number of bytes.
func (b *ByteSize) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		return b.UnmarshalText([]byte(x))
	case int64:
		if x < 0 {
			return fmt.Errorf("invalid size %d: negative", x)
		}
		*b = ByteSize(x)
		return nil
	}
	return fmt.Errorf("invalid size %v: want a string such as \"256MiB\" or a number of bytes", v)
}

// maxSeconds bounds a duration given as a number (about 31 years).
const maxSeconds = 1 << 30

// UnmarshalTOML accepts a duration string or a number of seconds.
func (d *Duration) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case string:
		return d.UnmarshalText([]byte(x))
	case int64:
		if x < 0 || x > maxSeconds {
			return fmt.Errorf("invalid duration %d: want 0 to %d seconds", x, maxSeconds)
		}
		*d = Duration(time.Duration(x) * time.Second)
		return nil
	case float64:
		if !(x >= 0 && x <= maxSeconds) { // also rejects NaN
			return fmt.Errorf("invalid duration %v: want 0 to %d seconds", x, maxSeconds)
		}
		*d = Duration(x * float64(time.Second))
		return nil
	}
	return fmt.Errorf("invalid duration %v: want a string such as \"2s\" or a number of seconds", v)
}
