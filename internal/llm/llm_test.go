package llm_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
