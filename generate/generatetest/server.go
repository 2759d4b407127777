// Package generatetest is a local stand-in for an OpenAI-compatible
// endpoint: an HTTP server on loopback that speaks the chat-completions
// and completions APIs (and lists its model), answers from a function
// (recorded answers, replayed), fails on demand, and records every request
// it gets. The tests of generate and of the commands use it; it exercises
// the same client code a user runs.
package generatetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Request is a request the server got.
type Request struct {
	Path     string
	Model    string
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	Prompt      *string  `json:"prompt"`
	N           int      `json:"n"`
	Seed        *int64   `json:"seed"`
	Stop        []string `json:"stop"`
	Temperature float64  `json:"temperature"`
	TopP        float64  `json:"top_p"`
	MaxTokens   int      `json:"max_tokens"`
	// Status is the status the server answered with.
	Status int `json:"-"`
}

// Text is the request's prompt, or its last message.
func (r *Request) Text() string {
	if r.Prompt != nil {
		return *r.Prompt
	}
	if len(r.Messages) == 0 {
		return ""
	}
	return r.Messages[len(r.Messages)-1].Content
}

// Server is a fake endpoint. Set its fields before the first request.
type Server struct {
	*httptest.Server
	// Model is the one model served (requests for others get 404).
	Model string
	// Key, when set, is the API key the server accepts.
	Key string
	// Answer returns the i-th choice (from 0) for a request.
	Answer func(r *Request, i int) string
	// fail, when set (SetFail), may answer a request (the n-th, from 1)
	// with an error status instead: return 0 to answer normally.
	fail func(r *Request, n int) int
	// Choices, when set, caps the choices of an answer (a server that
	// returns fewer than n).
	Choices func(r *Request) int
	// delay, when set (SetDelay), is how long to wait before answering.
	delay func(r *Request) time.Duration

	mu   sync.Mutex
	reqs []*Request
}

// New starts a server for model.
func New(model string, answer func(r *Request, i int) string) *Server {
	s := &Server{Model: model, Answer: answer}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the API base.
func (s *Server) URL() string { return s.Server.URL + "/v1" }

// Requests returns the requests received so far.
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Request(nil), s.reqs...)
}

func (s *Server) serve(w http.ResponseWriter, hr *http.Request) {
	if s.Key != "" && hr.Header.Get("Authorization") != "Bearer "+s.Key {
		http.Error(w, `{"error":{"message":"Incorrect API key provided"}}`, http.StatusUnauthorized)
		return
	}
	if hr.Method == http.MethodGet && hr.URL.Path == "/v1/models" {
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": []map[string]string{{"id": s.Model, "object": "model"}}})
		return
	}
	chat := hr.URL.Path == "/v1/chat/completions"
	if !chat && hr.URL.Path != "/v1/completions" {
		http.NotFound(w, hr)
		return
	}
	r := &Request{Path: hr.URL.Path}
	if err := json.NewDecoder(hr.Body).Decode(r); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	n := len(s.reqs)
	fail, delay := s.fail, s.delay
	s.mu.Unlock()
	if r.Model != s.Model {
		r.Status = http.StatusNotFound
		http.Error(w, fmt.Sprintf(`{"error":{"message":"The model %s does not exist."}}`, r.Model), http.StatusNotFound)
		return
	}
	if fail != nil {
		if code := fail(r, n); code != 0 {
			r.Status = code
			if code == http.StatusTooManyRequests {
				w.Header().Set("Retry-After", "0")
			}
			http.Error(w, `{"error":{"message":"injected failure"}}`, code)
			return
		}
	}
	if delay != nil {
		select {
		case <-time.After(delay(r)):
		case <-hr.Context().Done():
			return
		}
	}
	r.Status = http.StatusOK
	k := max(r.N, 1)
	if s.Choices != nil {
		k = min(k, s.Choices(r))
	}
	var choices []map[string]any
	tokens := 0
	for i := 0; i < k; i++ {
		text := s.Answer(r, i)
		tokens += len(text) / 4
		c := map[string]any{"index": i, "finish_reason": "stop"}
		if chat {
			c["message"] = map[string]string{"role": "assistant", "content": text}
		} else {
			c["text"] = text
		}
		choices = append(choices, c)
	}
	json.NewEncoder(w).Encode(map[string]any{
		"id": fmt.Sprintf("x-%d", n), "choices": choices,
		"usage": map[string]int{"prompt_tokens": len(r.Text()) / 4, "completion_tokens": tokens},
	})
}

// SetFail sets how the server fails requests (nil: it does not); safe while
// it serves.
func (s *Server) SetFail(f func(r *Request, n int) int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = f
}

// SetDelay sets how long the server waits before answering (nil: not at
// all); safe while it serves.
func (s *Server) SetDelay(f func(r *Request) time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = f
}
