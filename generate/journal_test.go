package generate

import (
	"testing"

	"github.com/scalebox-dev/scalebox/benchmarks"
	"github.com/scalebox-dev/scalebox/benchmarks/family"
)

// FuzzReadOut: any file content is read without panicking; what is kept
// is a prefix of whole lines of the file.
func FuzzReadOut(f *testing.F) {
	set := Settings{Model: "m", API: "chat", Style: "s", N: 2}
	pr := &family.Prompt{Messages: []family.Message{{Role: "user", Content: "x"}}}
	tasks := map[string]*task{"t": {p: &benchmarks.Problem{TaskID: "t"}, prompt: pr, done: map[int]bool{}}}
	f.Add([]byte(`{"task_id":"t","index":0,"solution":"x","raw":"x","prompt_sha256":"` + pr.SHA256() + `","llm":{"model":"m","endpoint":"","api":"chat","family":"","prompt_style":"s","temperature":0,"n":2}}` + "\n"))
	f.Add([]byte("{\"task_id\": \"t\"\n"))
	f.Add([]byte("\n\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		prior, _, good, err := readOut("f", data, set, tasks)
		if err != nil {
			return
		}
		if good < 0 || good > int64(len(data)) || good > 0 && data[good-1] != '\n' {
			t.Fatalf("kept %d bytes of %q", good, data)
		}
		for _, l := range prior {
			if l.TaskID != "t" {
				t.Fatalf("kept a line of task %q", l.TaskID)
			}
		}
	})
}
