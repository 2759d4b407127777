package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/scalebox-dev/scalebox/report"
)

// JournalHeader identifies the inputs a journal's results belong to; a
// journal is only resumed with identical inputs.
type JournalHeader struct {
	Journal       int    `json:"scalebox_journal"`
	Benchmark     string `json:"benchmark"`
	Version       string `json:"version"`
	DataSHA256    string `json:"data_sha256"`
	SamplesSHA256 string `json:"samples_sha256"`
	ConfigSHA256  string `json:"config_sha256"`
	EarlyStop     bool   `json:"early_stop"`
}

// JournalEntry is one finished sample.
type JournalEntry struct {
	TaskID string        `json:"task_id"`
	Sample report.Sample `json:"sample"`
}

// Journal records each sample as it finishes, one JSON line appended and
// written at once, so that a run killed at any moment (even by SIGKILL)
// can be resumed where it stopped. It is used from one goroutine.
type Journal struct {
	f    *os.File
	path string
}

// JournalPath is where the journal of a report is kept.
func JournalPath(reportPath string) string { return reportPath + ".journal" }

// OpenJournal starts a journal at path for inputs h. With resume it reads
// the results an earlier run recorded (refusing them if h differs, and
// dropping a last line cut short by a crash) and appends after them;
// without, it starts afresh. A missing journal resumes nothing.
func OpenJournal(path string, h JournalHeader, resume bool) (*Journal, []JournalEntry, error) {
	h.Journal = 1
	if resume {
		entries, good, err := readJournal(path, h)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, nil, err
		default:
			f, err := os.OpenFile(path, os.O_RDWR, 0o644)
			if err != nil {
				return nil, nil, err
			}
			if err := f.Truncate(good); err != nil {
				f.Close()
				return nil, nil, err
			}
			if _, err := f.Seek(good, io.SeekStart); err != nil {
				f.Close()
				return nil, nil, err
			}
			return &Journal{f: f, path: path}, entries, nil
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("journal: %w", err)
	}
	line, _ := json.Marshal(h)
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("journal %s: %w", path, err)
	}
	return &Journal{f: f, path: path}, nil, nil
}

// readJournal reads a journal's entries; good is the length of its
// complete lines.
func readJournal(path string, want JournalHeader) (entries []JournalEntry, good int64, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	r := bufio.NewReader(bytes.NewReader(data))
	first, err := r.ReadBytes('\n')
	if err != nil {
		return nil, 0, fmt.Errorf("%s: not a scalebox journal (no header line)", path)
	}
	var got JournalHeader
	if err := json.Unmarshal(first, &got); err != nil || got.Journal != 1 {
		return nil, 0, fmt.Errorf("%s: not a scalebox journal", path)
	}
	if diff := headerDiff(got, want); diff != "" {
		return nil, 0, fmt.Errorf("cannot resume from %s: the inputs changed since it was written (%s); run without --resume to start again", path, diff)
	}
	good = int64(len(first))
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			// EOF, or a last line cut short by a crash: dropped.
			return entries, good, nil
		}
		var e JournalEntry
		if json.Unmarshal(line, &e) != nil || e.TaskID == "" {
			return entries, good, nil
		}
		entries = append(entries, e)
		good += int64(len(line))
	}
}

func headerDiff(got, want JournalHeader) string {
	var d []string
	check := func(name, a, b string) {
		if a != b {
			d = append(d, fmt.Sprintf("%s %q, now %q", name, a, b))
		}
	}
	check("benchmark", got.Benchmark, want.Benchmark)
	check("version", got.Version, want.Version)
	check("data sha256", got.DataSHA256, want.DataSHA256)
	check("samples sha256", got.SamplesSHA256, want.SamplesSHA256)
	check("configuration sha256", got.ConfigSHA256, want.ConfigSHA256)
	if got.EarlyStop != want.EarlyStop {
		d = append(d, fmt.Sprintf("early stop %v, now %v", got.EarlyStop, want.EarlyStop))
	}
	return strings.Join(d, "; ")
}

// Append records a finished sample.
func (j *Journal) Append(r *SampleResult) error {
	line, err := json.Marshal(JournalEntry{TaskID: r.Sample.TaskID, Sample: SampleReport(r)})
	if err != nil {
		return err
	}
	_, err = j.f.Write(append(line, '\n'))
	return err
}

// Close closes the journal; Remove closes and deletes it (the report it
// fed is complete).
func (j *Journal) Close() error { return j.f.Close() }

// Remove closes and deletes the journal.
func (j *Journal) Remove() error {
	j.f.Close()
	return os.Remove(j.path)
}
