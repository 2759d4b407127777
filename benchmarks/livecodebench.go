package benchmarks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LiveCodeBenchConfig selects the problems of LiveCodeBench's
// code_generation_lite data, as lcb_runner's --release_version,
// --start_date and --end_date do.
type LiveCodeBenchConfig struct {
	// Release is "v1" … "vN" (also spelt "release_vN"): the first N files
	// of a data folder (test.jsonl, test2.jsonl, … testN.jsonl), as the
	// dataset's release_vN; or "latest": every file of the series present.
	// A data file (not a folder) is read as the release's data.
	Release string `toml:"release" json:"release,omitempty"`
	// StartDate and EndDate (YYYY-MM-DD) keep the problems whose
	// contest_date lies in [StartDate 00:00, EndDate 00:00], the bounds
	// included, exactly as lcb_runner compares them.
	StartDate string `toml:"start_date" json:"start_date,omitempty"`
	EndDate   string `toml:"end_date" json:"end_date,omitempty"`
}

// lcbDate is the layout of the window's dates.
const lcbDate = "2006-01-02"

// releaseN parses the release: N for "vN" or "release_vN", 0 for latest.
func (l LiveCodeBenchConfig) releaseN() (int, error) {
	r := strings.TrimPrefix(l.Release, "release_")
	if r == "latest" {
		return 0, nil
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(r, "v")); err == nil && strings.HasPrefix(r, "v") && n >= 1 && n <= 99 {
		return n, nil
	}
	return 0, fmt.Errorf("livecodebench.release %q is unknown (want v1 … v6, release_vN or latest)", l.Release)
}

// Version is the dataset's name of the release: "release_v6",
// "release_latest".
func (l LiveCodeBenchConfig) Version() string {
	n, err := l.releaseN()
	switch {
	case err != nil || l.Release == "":
		return l.Release
	case n == 0:
		return "release_latest"
	}
	return fmt.Sprintf("release_v%d", n)
}

// lcbFileName is the name of the n-th file of the dataset (from 1).
func lcbFileName(n int) string {
	if n == 1 {
		return "test.jsonl"
	}
	return fmt.Sprintf("test%d.jsonl", n)
}

// Files lists the files of dir that make up the release, in order.
func (l LiveCodeBenchConfig) Files(dir string) ([]string, error) {
	n, err := l.releaseN()
	if err != nil {
		return nil, err
	}
	exists := func(name string) bool {
		fi, err := os.Stat(filepath.Join(dir, name))
		return err == nil && !fi.IsDir()
	}
	var names []string
	if n == 0 {
		for i := 1; exists(lcbFileName(i)); i++ {
			names = append(names, lcbFileName(i))
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s holds no LiveCodeBench data (test.jsonl, test2.jsonl, …)", dir)
		}
		return names, nil
	}
	for i := 1; i <= n; i++ {
		name := lcbFileName(i)
		if !exists(name) {
			return nil, fmt.Errorf("%s: LiveCodeBench %s needs %s, which is not there (release vN is test.jsonl … testN.jsonl)", dir, l.Version(), name)
		}
		names = append(names, name)
	}
	return names, nil
}

// Window returns the bounds of the contest window; a zero time is no
// bound.
func (l LiveCodeBenchConfig) Window() (start, end time.Time, err error) {
	if l.StartDate != "" {
		if start, err = time.Parse(lcbDate, l.StartDate); err != nil {
			return start, end, fmt.Errorf("livecodebench.start_date %q is not a date (YYYY-MM-DD)", l.StartDate)
		}
	}
	if l.EndDate != "" {
		if end, err = time.Parse(lcbDate, l.EndDate); err != nil {
			return start, end, fmt.Errorf("livecodebench.end_date %q is not a date (YYYY-MM-DD)", l.EndDate)
		}
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		return start, end, fmt.Errorf("livecodebench: end_date %s is before start_date %s", l.EndDate, l.StartDate)
	}
	return start, end, nil
}

// windowNote says which window left a benchmark without problems.
func (l LiveCodeBenchConfig) windowNote() string {
	if l.StartDate == "" && l.EndDate == "" {
		return ""
	}
	return fmt.Sprintf(" with a contest_date from %s to %s", orOpen(l.StartDate), orOpen(l.EndDate))
}

func orOpen(d string) string {
	if d == "" {
		return "(open)"
	}
	return d
}

// check validates the section for a configuration of the given format.
func (l LiveCodeBenchConfig) check(format string) []string {
	if l == (LiveCodeBenchConfig{}) {
		return nil
	}
	if format != "livecodebench" {
		return []string{fmt.Sprintf("livecodebench applies to format \"livecodebench\", not %q", format)}
	}
	var errs []string
	if l.Release != "" {
		if _, err := l.releaseN(); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if _, _, err := l.Window(); err != nil {
		errs = append(errs, err.Error())
	}
	return errs
}

// SetLiveCodeBench sets the non-empty ones of the release and the contest
// window (as the eval flags give them) and checks the section; the
// configuration must be a LiveCodeBench one.
func (c *Config) SetLiveCodeBench(release, startDate, endDate string) error {
	if release == "" && startDate == "" && endDate == "" {
		return nil
	}
	if c.Format != "livecodebench" {
		return fmt.Errorf("benchmark %s is not a LiveCodeBench benchmark (format %q): a release and a contest window apply only to format \"livecodebench\"", c.Name, c.Format)
	}
	for dst, v := range map[*string]string{&c.LiveCodeBench.Release: release, &c.LiveCodeBench.StartDate: startDate, &c.LiveCodeBench.EndDate: endDate} {
		if v != "" {
			*dst = v
		}
	}
	if errs := c.LiveCodeBench.check(c.Format); len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
