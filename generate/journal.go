package generate

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// openOut opens the samples file for appending. Without resume the file
// must not exist (or be empty). With resume its samples are read back:
// each must have been generated with the same settings (but N) from the
// same prompt, and a last line cut short by a crash is removed. lines is
// the number of lines the file keeps.
func openOut(path string, set Settings, tasks map[string]*task, resume bool) (f *os.File, prior []*Line, lines int, err error) {
	if !resume {
		if st, err := os.Stat(path); err == nil && st.Size() > 0 {
			return nil, nil, 0, fmt.Errorf("%s exists: continue it with --resume, or write to another file", path)
		}
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, nil, 0, err
		}
		return f, nil, 0, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		return f, nil, 0, err
	}
	if err != nil {
		return nil, nil, 0, err
	}
	prior, lines, good, err := readOut(path, data, set, tasks)
	if err != nil {
		return nil, nil, 0, err
	}
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, 0, err
	}
	if good < int64(len(data)) {
		// The last line was cut short by a crash.
		if err := f.Truncate(good); err != nil {
			f.Close()
			return nil, nil, 0, err
		}
	}
	return f, prior, lines, nil
}

// readOut reads a samples file's lines; good is the length of its
// complete lines.
func readOut(path string, data []byte, set Settings, tasks map[string]*task) (prior []*Line, lines int, good int64, err error) {
	r := bufio.NewReader(bytes.NewReader(data))
	seen := map[string]int{}
	want := set.identity()
	for {
		text, rerr := r.ReadBytes('\n')
		if rerr == io.EOF {
			// Lines are written whole, newline included: a last line
			// without one was cut short by a crash.
			return prior, lines, good, nil
		}
		if rerr != nil {
			return nil, 0, 0, rerr
		}
		lines++
		where := fmt.Sprintf("%s:%d", path, lines)
		if len(bytes.TrimSpace(text)) == 0 {
			good += int64(len(text))
			continue
		}
		l := &Line{line: lines}
		if err := json.Unmarshal(text, l); err != nil {
			return nil, 0, 0, fmt.Errorf("%s: not a sample written by scalebox generate: %v", where, err)
		}
		if l.TaskID == "" || l.Generation.Model == "" || l.PromptSHA256 == "" {
			return nil, 0, 0, fmt.Errorf("%s: not a sample written by scalebox generate (task_id, generation or prompt_sha256 missing); resume only continues generate's own files", where)
		}
		if got := l.Generation.identity(); got != want {
			return nil, 0, 0, fmt.Errorf("%s: generated with other settings (%s); resume with the same settings or write to another file", where, settingsDiff(l.Generation, set))
		}
		key := fmt.Sprintf("%s\x00%d", l.TaskID, l.Index)
		if first, dup := seen[key]; dup {
			return nil, 0, 0, fmt.Errorf("%s: task %s sample %d is also on line %d", where, l.TaskID, l.Index, first)
		}
		seen[key] = lines
		good += int64(len(text))
		if t, ok := tasks[l.TaskID]; ok {
			if h := t.prompt.SHA256(); h != l.PromptSHA256 {
				return nil, 0, 0, fmt.Errorf("%s: task %s's prompt changed since this sample was generated (prompt sha256 %s, now %s): the data or the prompt template differ; write to another file", where, l.TaskID, l.PromptSHA256, h)
			}
			prior = append(prior, l)
		}
	}
}

// settingsDiff names the settings that differ.
func settingsDiff(was, now Settings) string {
	var a, b map[string]any
	wj, _ := json.Marshal(was)
	nj, _ := json.Marshal(now)
	json.Unmarshal(wj, &a)
	json.Unmarshal(nj, &b)
	var d []string
	for k, v := range a {
		if k == "n" {
			continue
		}
		if fmt.Sprint(v) != fmt.Sprint(b[k]) {
			d = append(d, fmt.Sprintf("%s %v, now %v", k, v, b[k]))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok && k != "n" {
			d = append(d, fmt.Sprintf("%s unset, now %v", k, v))
		}
	}
	if len(d) == 0 {
		return "settings differ"
	}
	sort.Strings(d)
	return strings.Join(d, "; ")
}
