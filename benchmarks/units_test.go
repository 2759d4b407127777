package benchmarks_test

import (
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
	"github.com/scalebox-dev/scalebox/benchmarks"
)

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want benchmarks.ByteSize
	}{
		{"0", 0},
		{"1", 1},
		{"1B", 1},
		{"1024", 1024},
		{"1KiB", 1 << 10},
		{"64KiB", 64 << 10},
		{"256MiB", 256 << 20},
		{"1GiB", 1 << 30},
		{"2TiB", 2 << 40},
		{"1KB", 1000},
		{"1MB", 1_000_000},
		{"1GB", 1_000_000_000},
		{"1K", 1 << 10},
		{"1M", 1 << 20},
		{"1G", 1 << 30},
		{" 256 MiB ", 256 << 20},
		{"\t8MiB\n", 8 << 20},
		{"1.5KiB", 1536},
		{"0.5MiB", 512 << 10},
		{"4194304TiB", 1 << 62}, // the largest size accepted
	}
	for _, tt := range tests {
		got, err := benchmarks.ParseByteSize(tt.in)
		if err != nil {
			t.Errorf("ParseByteSize(%q): %v", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("ParseByteSize(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseByteSizeErrors(t *testing.T) {
	for _, in := range []string{
		"", " ", "B", "MiB", "abc", "-1", "-1KiB", "-0.5MiB",
		"1TB", "1T", "1 kb", "1kib", "1KiBB", "KiB1", "1 2", "1,5MiB",
		"inf", "+Inf", "1e300", "4194305TiB", "9223372036854775807",
	} {
		got, err := benchmarks.ParseByteSize(in)
		want := `invalid size "` + in + `" (want e.g. "256MiB")`
		if diff := cmp.Diff(want, errText(err)); diff != "" {
			t.Errorf("ParseByteSize(%q) = %d, error mismatch (-want +got):\n%s", in, got, diff)
		}
	}
}

// TestParseByteSizeRejectsNaN: strconv.ParseFloat accepts "NaN", which
// passes the n < 0 and n > 1<<62 checks, and int64(NaN) is a negative
// number on amd64.
func TestParseByteSizeRejectsNaN(t *testing.T) {
	for _, in := range []string{"NaN", "nan", "nanMiB", "NaN KiB"} {
		got, err := benchmarks.ParseByteSize(in)
		if err == nil {
			t.Errorf("ParseByteSize(%q) = %d, want an error", in, int64(got))
		}
	}
}

func TestByteSizeString(t *testing.T) {
	tests := []struct {
		in   benchmarks.ByteSize
		want string
	}{
		{0, "0"},
		{1, "1"},
		{1023, "1023"},
		{1024, "1KiB"},
		{1536, "1536"},
		{1000, "1000"},
		{1_000_000, "1000000"},
		{3 << 10, "3KiB"},
		{1 << 20, "1MiB"},
		{1<<20 + 1<<10, "1025KiB"},
		{256 << 20, "256MiB"},
		{3 << 30, "3GiB"},
		{1 << 40, "1024GiB"},
		{1 << 62, "4294967296GiB"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q, want %q", int64(tt.in), got, tt.want)
		}
		text, err := tt.in.MarshalText()
		if err != nil || string(text) != tt.want {
			t.Errorf("ByteSize(%d).MarshalText() = %q, %v, want %q", int64(tt.in), text, err, tt.want)
		}
		back, err := benchmarks.ParseByteSize(tt.want)
		if err != nil || back != tt.in {
			t.Errorf("ParseByteSize(%q) = %d, %v, want %d (round trip)", tt.want, back, err, tt.in)
		}
	}
}

func TestDurationUnmarshalText(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"2s", 2 * time.Second},
		{"1500ms", 1500 * time.Millisecond},
		{" 2s\n", 2 * time.Second},
		{"1m30s", 90 * time.Second},
		{"0.5s", 500 * time.Millisecond},
		{"0", 0},
		{"0s", 0},
		{"100us", 100 * time.Microsecond},
	}
	for _, tt := range tests {
		var d benchmarks.Duration
		if err := d.UnmarshalText([]byte(tt.in)); err != nil {
			t.Errorf("UnmarshalText(%q): %v", tt.in, err)
		}
		if d.Std() != tt.want {
			t.Errorf("UnmarshalText(%q) = %v, want %v", tt.in, d.Std(), tt.want)
		}
	}
}

func TestDurationUnmarshalTextErrors(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"2", `invalid duration "2" (want e.g. "2s" or "500ms")`},
		{"", `invalid duration "" (want e.g. "2s" or "500ms")`},
		{"abc", `invalid duration "abc" (want e.g. "2s" or "500ms")`},
		{"1d", `invalid duration "1d" (want e.g. "2s" or "500ms")`},
		{"99999999999h", `invalid duration "99999999999h" (want e.g. "2s" or "500ms")`},
		{"-1s", `invalid duration "-1s": negative`},
		{"-1ns", `invalid duration "-1ns": negative`},
	}
	for _, tt := range tests {
		var d benchmarks.Duration
		if diff := cmp.Diff(tt.want, errText(d.UnmarshalText([]byte(tt.in)))); diff != "" {
			t.Errorf("UnmarshalText(%q) error mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestDurationTextRoundTrip(t *testing.T) {
	for _, d := range []time.Duration{0, time.Nanosecond, 1500 * time.Millisecond, 2 * time.Second, 90 * time.Minute, 1<<63 - 1} {
		text, err := benchmarks.Duration(d).MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back benchmarks.Duration
		if err := back.UnmarshalText(text); err != nil || back.Std() != d {
			t.Errorf("Duration(%v) -> %q -> %v, %v", d, text, back.Std(), err)
		}
	}
}

// limits is a TOML document shape for the units' UnmarshalTOML.
type limits struct {
	Time benchmarks.Duration `toml:"time"`
	Size benchmarks.ByteSize `toml:"size"`
}

func TestUnitsTOML(t *testing.T) {
	tests := []struct {
		doc  string
		want limits
	}{
		{`time = "2s"`, limits{Time: benchmarks.Duration(2 * time.Second)}},
		{`time = "1500ms"`, limits{Time: benchmarks.Duration(1500 * time.Millisecond)}},
		{`time = 3`, limits{Time: benchmarks.Duration(3 * time.Second)}},
		{`time = 0`, limits{}},
		{`time = 1.5`, limits{Time: benchmarks.Duration(1500 * time.Millisecond)}},
		{`time = 0.001`, limits{Time: benchmarks.Duration(time.Millisecond)}},
		{`time = 1e9`, limits{Time: benchmarks.Duration(1e9 * time.Second)}},
		{`size = "256MiB"`, limits{Size: 256 << 20}},
		{`size = "1MB"`, limits{Size: 1_000_000}},
		{`size = 1048576`, limits{Size: 1 << 20}},
		{`size = 0`, limits{}},
	}
	for _, tt := range tests {
		var got limits
		if _, err := toml.Decode(tt.doc, &got); err != nil {
			t.Errorf("Decode(%q): %v", tt.doc, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Decode(%q) mismatch (-want +got):\n%s", tt.doc, diff)
		}
	}
}

func TestUnitsTOMLErrors(t *testing.T) {
	tests := []struct {
		doc, want string
	}{
		{`time = -1`, "toml: line 1 (last key \"time\"): invalid duration -1: want 0 to 1073741824 seconds"},
		{`time = -1.5`, "toml: line 1 (last key \"time\"): invalid duration -1.5: want 0 to 1073741824 seconds"},
		{`time = "-1s"`, "toml: line 1 (last key \"time\"): invalid duration \"-1s\": negative"},
		{`time = "2"`, "toml: line 1 (last key \"time\"): invalid duration \"2\" (want e.g. \"2s\" or \"500ms\")"},
		{`time = 1e10`, "toml: line 1 (last key \"time\"): invalid duration 1e+10: want 0 to 1073741824 seconds"},
		{`time = inf`, "toml: line 1 (last key \"time\"): invalid duration +Inf: want 0 to 1073741824 seconds"},
		{`time = true`, "toml: line 1 (last key \"time\"): invalid duration true: want a string such as \"2s\" or a number of seconds"},
		{`time = [1]`, "toml: line 1 (last key \"time\"): invalid duration [1]: want a string such as \"2s\" or a number of seconds"},
		{`size = -1`, "toml: line 1 (last key \"size\"): invalid size -1: negative"},
		{`size = "-1KiB"`, "toml: line 1 (last key \"size\"): invalid size \"-1KiB\" (want e.g. \"256MiB\")"},
		{`size = 1.5`, "toml: line 1 (last key \"size\"): invalid size 1.5: want a string such as \"256MiB\" or a number of bytes"},
		{`size = "lots"`, "toml: line 1 (last key \"size\"): invalid size \"lots\" (want e.g. \"256MiB\")"},
		{`size = false`, "toml: line 1 (last key \"size\"): invalid size false: want a string such as \"256MiB\" or a number of bytes"},
	}
	for _, tt := range tests {
		var got limits
		if diff := cmp.Diff(tt.want, errText(decode(tt.doc, &got))); diff != "" {
			t.Errorf("Decode(%q) error mismatch (-want +got):\n%s", tt.doc, diff)
		}
	}
}

func decode(doc string, v any) error {
	_, err := toml.Decode(doc, v)
	return err
}

// TestUnitsTOMLOutOfRange: a duration given in TOML as a number must be
// rejected, not wrap around or turn negative, when it does not fit in a
// time.Duration: NaN seconds, or an integer number of seconds above
// 9223372036 (the float branch caps at 1e9 s; the int branch has no cap).
func TestUnitsTOMLOutOfRange(t *testing.T) {
	for _, doc := range []string{
		`time = nan`,
		`time = 10000000000`,
		`time = 9223372037`,
	} {
		var got limits
		if err := decode(doc, &got); err == nil {
			t.Errorf("Decode(%q) = %v (%d ns), want an error", doc, got.Time.Std(), int64(got.Time))
		}
	}
}

// FuzzParseByteSize checks that a parsed size is never negative and that
// its String form parses back to it.
func FuzzParseByteSize(f *testing.F) {
	for _, s := range []string{"256MiB", "1.5KiB", "1MB", "0", "4194304TiB", "-1", "1e3", "+5", "0x10", "1_000", " 2 G "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := benchmarks.ParseByteSize(s)
		if err != nil {
			return
		}
		if v < 0 {
			t.Fatalf("ParseByteSize(%q) = %d, negative", s, int64(v))
		}
		back, err := benchmarks.ParseByteSize(v.String())
		if err != nil || back != v {
			t.Errorf("ParseByteSize(%q) = %d; its String %q parses to %d, %v", s, int64(v), v.String(), int64(back), err)
		}
	})
}
