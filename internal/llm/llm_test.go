package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/scalebox-dev/scalebox/internal/llm"
)

func reply(w http.ResponseWriter, content string) {
	json.NewEncoder(w).Encode(map[string]any{
		"id": "x", "object": "chat.completion",
		"choices": []map[string]any{{"index": 0, "message": map[string]string{"role": "assistant", "content": content}, "finish_reason": "stop"}},
	})
}

func TestChatRetriesAndCaches(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer k" {
			http.Error(w, "bad request "+r.URL.Path, http.StatusBadRequest)
			return
		}
		var req struct {
			Model    string        `json:"model"`
			Messages []llm.Message `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if calls.Add(1) <= 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		reply(w, req.Model+": "+req.Messages[len(req.Messages)-1].Content)
	}))
	defer srv.Close()
	c := &llm.Client{URL: srv.URL + "/v1/", Model: "m", APIKey: "k", Retries: 3, Backoff: time.Millisecond, CacheDir: t.TempDir()}
	a, err := c.Chat(context.Background(), []llm.Message{{Role: "user", Content: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Content != "m: hi" || a.Attempts != 3 || a.Cached {
		t.Errorf("answer %+v", a)
	}
	a, err = c.Chat(context.Background(), []llm.Message{{Role: "user", Content: "hi"}})
	if err != nil || !a.Cached || a.Content != "m: hi" || calls.Load() != 3 {
		t.Errorf("second answer %+v, %v after %d calls; want it from the cache", a, err, calls.Load())
	}
}

func TestChatGivesUp(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, `{"error":{"message":"model not found"}}`, http.StatusNotFound)
	}))
	defer srv.Close()
	c := &llm.Client{URL: srv.URL, Model: "m", Retries: 5, Backoff: time.Millisecond}
	_, err := c.Chat(context.Background(), []llm.Message{{Role: "user", Content: "hi"}})
	var he *llm.HTTPError
	if !errors.As(err, &he) || he.Status != 404 || calls.Load() != 1 {
		t.Errorf("err %v after %d calls; a 404 is not retried", err, calls.Load())
	}
}

func TestChatTimeoutAndConcurrency(t *testing.T) {
	var inFlight, most atomic.Int32
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Query().Get("slow") != "" {
			// The timed-out request: not counted, since its handler may
			// outlive the client's attempt.
			select {
			case <-r.Context().Done():
			case <-time.After(3 * time.Second):
			}
			return
		}
		// Counted while the client must still be waiting: the count drops
		// before the reply is written, so a client that releases its slot
		// on reading the reply cannot be seen overlapping the next request.
		n := inFlight.Add(1)
		mu.Lock()
		if n > most.Load() {
			most.Store(n)
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
		reply(w, "ok")
	}))
	defer srv.Close()
	slow := &llm.Client{URL: srv.URL + "/chat/completions?slow=1", Model: "m", Timeout: 50 * time.Millisecond}
	start := time.Now()
	if _, err := slow.Chat(context.Background(), []llm.Message{{Role: "user", Content: "x"}}); err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("slow request: err %v after %v", err, time.Since(start))
	}
	c := &llm.Client{URL: srv.URL, Model: "m"}
	c.SetConcurrency(2)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, err := c.Chat(context.Background(), []llm.Message{{Role: "user", Content: string(rune('a' + i))}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most.Load() > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", most.Load())
	}
}

// TestGenerateCompletions: the completions API with n choices, sampling
// settings sent as given, choices put in index order, usage read.
func TestGenerateCompletions(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/completions" {
			http.Error(w, "wrong path "+r.URL.Path, http.StatusNotFound)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
		json.NewEncoder(w).Encode(map[string]any{
			"object": "text_completion",
			"choices": []map[string]any{
				{"index": 1, "text": "second", "finish_reason": "length"},
				{"index": 0, "text": "first", "finish_reason": "stop"},
			},
			"usage": map[string]int{"prompt_tokens": 7, "completion_tokens": 12, "total_tokens": 19},
		})
	}))
	defer srv.Close()
	// A full chat-completions URL still reaches the completions API.
	c := &llm.Client{URL: srv.URL + "/v1/chat/completions", Model: "m"}
	seed := int64(3)
	resp, err := c.Generate(context.Background(), llm.Request{Prompt: "def f():\n", Params: llm.Params{
		Temperature: 0.8, TopP: 0.95, MaxTokens: 64, Seed: &seed, Stop: []string{"\ndef "}, N: 2,
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []llm.Choice{{Text: "first", FinishReason: "stop"}, {Text: "second", FinishReason: "length"}}
	if diff := cmp.Diff(want, resp.Choices); diff != "" {
		t.Errorf("choices (-want +got):\n%s", diff)
	}
	if resp.Usage != (llm.Usage{PromptTokens: 7, CompletionTokens: 12}) || resp.Attempts != 1 {
		t.Errorf("usage %+v, attempts %d", resp.Usage, resp.Attempts)
	}
	wantBody := map[string]any{"model": "m", "prompt": "def f():\n", "temperature": 0.8, "top_p": 0.95, "max_tokens": 64.0, "seed": 3.0, "stop": []any{"\ndef "}, "n": 2.0}
	if diff := cmp.Diff(wantBody, got); diff != "" {
		t.Errorf("request body (-want +got):\n%s", diff)
	}
}

// TestGenerateErrors: a refused key is not retried, says the status and
// never shows the key; 429 and 500 are retried; an answer that is not
// JSON is an error, not a choice, and is not retried.
func TestGenerateErrors(t *testing.T) {
	var calls atomic.Int32
	mode := ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch mode {
		case "key":
			http.Error(w, `{"error":{"message":"Incorrect API key provided: secret-key-123"}}`, http.StatusUnauthorized)
		case "flaky":
			switch n {
			case 1:
				w.Header().Set("Retry-After", "0")
				http.Error(w, "slow down", http.StatusTooManyRequests)
			case 2:
				http.Error(w, "oops", http.StatusInternalServerError)
			default:
				reply(w, "ok")
			}
		case "garbage":
			w.Write([]byte("<html>proxy error</html>"))
		}
	}))
	defer srv.Close()
	c := &llm.Client{URL: srv.URL, Model: "m", APIKey: "secret-key-123", Retries: 3, Backoff: time.Millisecond}
	msgs := []llm.Message{{Role: "user", Content: "hi"}}

	mode = "key"
	_, err := c.Generate(context.Background(), llm.Request{Messages: msgs})
	var he *llm.HTTPError
	if !errors.As(err, &he) || !he.Fatal() || calls.Load() != 1 || strings.Contains(err.Error(), "secret-key-123") {
		t.Errorf("refused key: %v after %d calls", err, calls.Load())
	}

	mode, calls = "flaky", atomic.Int32{}
	var retried []string
	var mu sync.Mutex
	c.OnRetry = func(_ int, err error) { mu.Lock(); retried = append(retried, err.Error()); mu.Unlock() }
	resp, err := c.Generate(context.Background(), llm.Request{Messages: msgs})
	if err != nil || resp.Choices[0].Text != "ok" || resp.Attempts != 3 || len(retried) != 2 {
		t.Errorf("flaky: %+v, %v, retried %q", resp, err, retried)
	}

	mode, calls = "garbage", atomic.Int32{}
	if _, err := c.Generate(context.Background(), llm.Request{Messages: msgs}); err == nil || calls.Load() != 1 || llm.Transient(err) {
		t.Errorf("garbage: %v after %d calls", err, calls.Load())
	}
}

func TestModels(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/models" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"object":"list","data":[{"id":"a","object":"model"},{"id":"b","object":"model"}]}`))
	}))
	defer srv.Close()
	ids, err := (&llm.Client{URL: srv.URL + "/v1"}).Models(context.Background())
	if err != nil || !cmp.Equal(ids, []string{"a", "b"}) {
		t.Errorf("models %v, %v", ids, err)
	}
	_, err = (&llm.Client{URL: srv.URL + "/other"}).Models(context.Background())
	var he *llm.HTTPError
	if !errors.As(err, &he) || he.Status != 404 {
		t.Errorf("no models route: %v", err)
	}
}
