// Package llm is a client of OpenAI-compatible chat-completions endpoints
// (vLLM, SGLang, llama.cpp's server, hosted APIs): bounded concurrency, a
// timeout per request, retries with exponential backoff on transient
// failures, and an optional on-disk cache of answers so that an
// interrupted job resumes without asking again.
package llm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Client talks to one endpoint and model. Its fields are set before first
// use; it is then safe for concurrent use.
type Client struct {
	// URL is the API base ("http://localhost:8000/v1") or the full
	// chat-completions URL.
	URL   string
	Model string
	// APIKey, when set, is sent as a bearer token.
	APIKey string
	// Timeout bounds one request (default 5 minutes).
	Timeout time.Duration
	// Retries is how many more times a request is tried after a transient
	// failure (a network error, 408, 429 or 5xx); default 0.
	Retries int
	// Backoff is the wait before the first retry, doubled each time
	// (default 1 s); a Retry-After header, when longer, wins.
	Backoff time.Duration
	// Temperature is sent with each request.
	Temperature float64
	// MaxTokens, when positive, caps each answer.
	MaxTokens int
	// CacheDir, when set, stores each answer under the hash of its request;
	// a request already answered is not sent again.
	CacheDir string
	// HTTP is the HTTP client (default http.DefaultClient).
	HTTP *http.Client

	concurrency int
	semOnce     sync.Once
	sem         chan struct{}
}

// SetConcurrency bounds the requests in flight at once (default 4). Call
// it before first use.
func (c *Client) SetConcurrency(n int) {
	c.concurrency = max(n, 1)
}

// Endpoint is the chat-completions URL requests go to.
func (c *Client) Endpoint() string {
	u := strings.TrimRight(c.URL, "/")
	if strings.HasSuffix(u, "/chat/completions") {
		return u
	}
	return u + "/chat/completions"
}

type request struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
}

type response struct {
	Choices []struct {
		Message      Message `json:"message"`
		FinishReason string  `json:"finish_reason"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Answer is a model's reply.
type Answer struct {
	Content string
	// Cached is true when the answer came from CacheDir.
	Cached bool
	// Attempts counts the requests sent (0 when cached).
	Attempts int
}

// HTTPError is a non-success status from the endpoint.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("chat completions: HTTP %d: %s", e.Status, e.Body)
}

func (e *HTTPError) transient() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// RequestKey identifies a request (model, messages and sampling settings):
// the cache key, and a prompt's hash for provenance.
func (c *Client) RequestKey(msgs []Message) string {
	b, _ := json.Marshal(request{Model: c.Model, Messages: msgs, Temperature: c.Temperature, MaxTokens: c.MaxTokens})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Chat sends the messages and returns the first choice's content. On
// cancellation it returns ctx.Err() promptly, in flight or waiting.
func (c *Client) Chat(ctx context.Context, msgs []Message) (*Answer, error) {
	key := c.RequestKey(msgs)
	if a, ok := c.cached(key); ok {
		return a, nil
	}
	c.semOnce.Do(func() {
		if c.concurrency <= 0 {
			c.concurrency = 4
		}
		c.sem = make(chan struct{}, c.concurrency)
	})
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	backoff := c.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	var err error
	for attempt := 1; ; attempt++ {
		var content string
		var wait time.Duration
		content, wait, err = c.once(ctx, msgs)
		if err == nil {
			c.store(key, msgs, content)
			return &Answer{Content: content, Attempts: attempt}, nil
		}
		var he *HTTPError
		transient := ctx.Err() == nil && (!errors.As(err, &he) || he.transient())
		if !transient || attempt > c.Retries {
			return nil, fmt.Errorf("%w (after %d attempts)", err, attempt)
		}
		wait = max(wait, backoff)
		backoff *= 2
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// once sends one request; wait is the server's Retry-After, if any.
func (c *Client) once(ctx context.Context, msgs []Message) (content string, wait time.Duration, err error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	body, err := json.Marshal(request{Model: c.Model, Messages: msgs, Temperature: c.Temperature, MaxTokens: c.MaxTokens})
	if err != nil {
		return "", 0, err
	}
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, c.Endpoint(), bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("chat completions: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", 0, fmt.Errorf("chat completions: read: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		if s := resp.Header.Get("Retry-After"); s != "" {
			if secs, err := time.ParseDuration(s + "s"); err == nil && secs <= 5*time.Minute {
				wait = secs
			}
		}
		msg := strings.TrimSpace(string(data))
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return "", wait, &HTTPError{Status: resp.StatusCode, Body: msg}
	}
	var r response
	if err := json.Unmarshal(data, &r); err != nil {
		return "", 0, fmt.Errorf("chat completions: decode: %w", err)
	}
	if r.Error != nil {
		return "", 0, fmt.Errorf("chat completions: %s", r.Error.Message)
	}
	if len(r.Choices) == 0 {
		return "", 0, errors.New("chat completions: no choices in the answer")
	}
	return r.Choices[0].Message.Content, 0, nil
}

type cacheEntry struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages"`
	Content  string    `json:"content"`
}

func (c *Client) cachePath(key string) string {
	return filepath.Join(c.CacheDir, key[:2], key+".json")
}

func (c *Client) cached(key string) (*Answer, bool) {
	if c.CacheDir == "" {
		return nil, false
	}
	data, err := os.ReadFile(c.cachePath(key))
	if err != nil {
		return nil, false
	}
	var e cacheEntry
	if json.Unmarshal(data, &e) != nil {
		return nil, false
	}
	return &Answer{Content: e.Content, Cached: true}, true
}

// store writes an answer to the cache; a failure to write only costs a
// repeated request later.
func (c *Client) store(key string, msgs []Message, content string) {
	if c.CacheDir == "" {
		return
	}
	p := c.cachePath(key)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	data, err := json.MarshalIndent(cacheEntry{Model: c.Model, Messages: msgs, Content: content}, "", "  ")
	if err != nil {
		return
	}
	tmp := p + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil {
		_ = os.Rename(tmp, p)
	}
}
