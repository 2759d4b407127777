// Package llm is a client of OpenAI-compatible endpoints (vLLM, SGLang,
// llama.cpp's server, hosted APIs), for both the chat-completions and the
// completions API: bounded concurrency, a timeout per request, retries with
// exponential backoff on transient failures (network errors, timeouts, 408,
// 429, 5xx, honouring Retry-After), several choices per request (n), token
// usage, and an optional on-disk cache of answers so that an interrupted
// job resumes without asking again.
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
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// APIs a request can use.
const (
	APIChat        = "chat"
	APICompletions = "completions"
)

// Client talks to one endpoint and model. Its fields are set before first
// use; it is then safe for concurrent use.
type Client struct {
	// URL is the API base ("http://localhost:8000/v1"), or a full
	// chat-completions or completions URL, whose base is then used for
	// both APIs.
	URL   string
	Model string
	// APIKey, when set, is sent as a bearer token. It never appears in
	// errors: an endpoint that echoes it has it replaced by "***".
	APIKey string
	// Timeout bounds one request (default 5 minutes).
	Timeout time.Duration
	// Retries is how many more times a request is tried after a transient
	// failure (a network error, a timeout, 408, 429 or 5xx); default 0.
	Retries int
	// Backoff is the wait before the first retry, doubled each time up to
	// a minute, with jitter (default 1 s); a Retry-After header, when
	// longer, wins.
	Backoff time.Duration
	// Temperature and MaxTokens (when positive) are the sampling settings
	// of Chat.
	Temperature float64
	MaxTokens   int
	// CacheDir, when set, stores each answer under the hash of its request;
	// a request already answered is not sent again.
	CacheDir string
	// HTTP is the HTTP client (default http.DefaultClient).
	HTTP *http.Client
	// OnRetry, when set, is told about each failed attempt that will be
	// retried (for progress and logs); it may be called concurrently.
	OnRetry func(attempt int, err error)

	concurrency int
	semOnce     sync.Once
	sem         chan struct{}
}

// SetConcurrency bounds the requests in flight at once (default 4). Call
// it before first use.
func (c *Client) SetConcurrency(n int) {
	c.concurrency = max(n, 1)
}

// base is the API base URL: URL without a trailing API path.
func (c *Client) base() string {
	u := strings.TrimRight(c.URL, "/")
	for _, suffix := range []string{"/chat/completions", "/completions"} {
		if b, ok := strings.CutSuffix(u, suffix); ok {
			return b
		}
	}
	return u
}

// Endpoint is the chat-completions URL requests go to.
func (c *Client) Endpoint() string { return c.EndpointFor(APIChat) }

// EndpointFor is the URL of an API (APIChat or APICompletions).
func (c *Client) EndpointFor(api string) string {
	if api == APICompletions {
		return c.base() + "/completions"
	}
	return c.base() + "/chat/completions"
}

// Params are the sampling settings of a request. Zero values are left out
// of the request (the server's default applies), except Temperature.
type Params struct {
	Temperature float64 `json:"temperature"`
	TopP        float64 `json:"top_p,omitempty"`
	// MaxTokens caps each choice's length in tokens.
	MaxTokens int    `json:"max_tokens,omitempty"`
	Seed      *int64 `json:"seed,omitempty"`
	// Stop are sequences that end a choice (the server leaves them out).
	Stop []string `json:"stop,omitempty"`
	// N is the number of choices asked for (default 1).
	N int `json:"n,omitempty"`
}

// Request is one generation request: chat messages (the chat-completions
// API) or, when Messages is nil, a prompt (the completions API).
type Request struct {
	Messages []Message
	Prompt   string
	Params
}

// API is the API the request uses.
func (r *Request) API() string {
	if r.Messages != nil {
		return APIChat
	}
	return APICompletions
}

// Choice is one generated text.
type Choice struct {
	Text string `json:"text"`
	// FinishReason is the server's: "stop", "length", ...
	FinishReason string `json:"finish_reason,omitempty"`
}

// Usage counts the tokens of a request as the server reports them.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Response is the answer to a Request.
type Response struct {
	// Choices are in the server's order (by index). A server may return
	// fewer than asked for.
	Choices []Choice
	Usage   Usage
	// Cached is true when the answer came from CacheDir.
	Cached bool
	// Attempts counts the requests sent (0 when cached).
	Attempts int
}

// Answer is a model's reply to Chat.
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
	// API is the API that was called (APIChat or APICompletions).
	API string
}

func (e *HTTPError) Error() string {
	name := "chat completions"
	if e.API == APICompletions {
		name = "completions"
	}
	return fmt.Sprintf("%s: HTTP %d: %s", name, e.Status, e.Body)
}

// Transient reports whether the request may succeed if sent again (408,
// 429 or a server error).
func (e *HTTPError) Transient() bool {
	return e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// Fatal reports whether no request to the endpoint can succeed: the key
// was refused (401, 403) or the URL or model does not exist (404).
func (e *HTTPError) Fatal() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden || e.Status == http.StatusNotFound
}

// chatBody is the chat-completions request as Chat sends it, and the
// preimage of RequestKey: its encoding must not change.
type chatBody struct {
	Model       string    `json:"model"`
	Messages    []Message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
}

// body is a request as sent.
type body struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages,omitempty"`
	Prompt   *string   `json:"prompt,omitempty"`
	Params
}

// RequestKey identifies a Chat request (model, messages and sampling
// settings): the cache key, and a prompt's hash for provenance.
func (c *Client) RequestKey(msgs []Message) string {
	b, _ := json.Marshal(chatBody{Model: c.Model, Messages: msgs, Temperature: c.Temperature, MaxTokens: c.MaxTokens})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (c *Client) requestBody(req Request) ([]byte, error) {
	if req.Messages != nil && req.N <= 1 && req.TopP == 0 && req.Seed == nil && req.Stop == nil {
		// Chat's request, byte for byte.
		return json.Marshal(chatBody{Model: c.Model, Messages: req.Messages, Temperature: req.Temperature, MaxTokens: req.MaxTokens})
	}
	b := body{Model: c.Model, Messages: req.Messages, Params: req.Params}
	if req.Messages == nil {
		p := req.Prompt
		b.Prompt = &p
	}
	if b.N == 1 {
		b.N = 0
	}
	return json.Marshal(b)
}

// Chat sends the messages with the client's Temperature and MaxTokens and
// returns the first choice's content. On cancellation it returns ctx.Err()
// promptly, in flight or waiting.
func (c *Client) Chat(ctx context.Context, msgs []Message) (*Answer, error) {
	resp, err := c.Generate(ctx, Request{Messages: msgs, Params: Params{Temperature: c.Temperature, MaxTokens: c.MaxTokens}})
	if err != nil {
		return nil, err
	}
	if len(resp.Choices) == 0 {
		return nil, errors.New("chat completions: no choices in the answer")
	}
	return &Answer{Content: resp.Choices[0].Text, Cached: resp.Cached, Attempts: resp.Attempts}, nil
}

// Generate sends a request, retrying transient failures, and returns the
// choices. An error is never a choice: a server's error object, a
// malformed answer or an answer without choices is an error. On
// cancellation it returns ctx.Err() promptly, in flight or waiting.
func (c *Client) Generate(ctx context.Context, req Request) (*Response, error) {
	data, err := c.requestBody(req)
	if err != nil {
		return nil, err
	}
	// A chat request as Chat sends it hashes to RequestKey; a completions
	// request has a prompt where a chat request has messages.
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:])
	if r, ok := c.cached(key); ok {
		return r, nil
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
	for attempt := 1; ; attempt++ {
		resp, wait, err := c.once(ctx, req.API(), data)
		if err == nil {
			resp.Attempts = attempt
			c.store(key, req, resp)
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !Transient(err) || attempt > c.Retries {
			return nil, fmt.Errorf("%w (after %d attempts)", err, attempt)
		}
		if c.OnRetry != nil {
			c.OnRetry(attempt, err)
		}
		// Full jitter over [backoff/2, backoff], so that many requests
		// refused at once do not come back at once.
		d := backoff/2 + time.Duration(rand.Int64N(int64(backoff/2)+1))
		wait = max(wait, d)
		backoff = min(backoff*2, time.Minute)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// Transient reports whether err (from Generate or Chat) may go away if the
// request is sent again: a network error, a timeout, or a transient HTTP
// status. A malformed answer is not transient.
func Transient(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Transient()
	}
	var de *decodeError
	return !errors.As(err, &de)
}

// decodeError is an answer that could not be read: sending the request
// again will not help.
type decodeError struct{ err error }

func (e *decodeError) Error() string { return e.err.Error() }
func (e *decodeError) Unwrap() error { return e.err }

type response struct {
	Choices []struct {
		Index   int `json:"index"`
		Message *struct {
			Content *string `json:"content"`
		} `json:"message"`
		Text         *string `json:"text"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *Usage `json:"usage"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// once sends one request; wait is the server's Retry-After, if any.
func (c *Client) once(ctx context.Context, api string, data []byte) (_ *Response, wait time.Duration, err error) {
	name := "chat completions"
	if api == APICompletions {
		name = "completions"
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := c.EndpointFor(api)
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, url, bytes.NewReader(data))
	if err != nil {
		return nil, 0, &decodeError{fmt.Errorf("%s: %w", name, err)}
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
		if rctx.Err() == context.DeadlineExceeded && ctx.Err() == nil {
			return nil, 0, fmt.Errorf("%s: no answer from %s within the request timeout (%v)", name, url, timeout)
		}
		return nil, 0, fmt.Errorf("%s: %s", name, c.redact(err.Error()))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("%s: read the answer: %s", name, c.redact(err.Error()))
	}
	if resp.StatusCode != http.StatusOK {
		if s := resp.Header.Get("Retry-After"); s != "" {
			if secs, err := time.ParseDuration(s + "s"); err == nil && secs <= 5*time.Minute {
				wait = secs
			}
		}
		msg := strings.TrimSpace(string(raw))
		var e response
		if json.Unmarshal(raw, &e) == nil && e.Error != nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return nil, wait, &HTTPError{Status: resp.StatusCode, Body: c.redact(msg), API: api}
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, 0, &decodeError{fmt.Errorf("%s: the answer is not JSON: %v", name, err)}
	}
	if r.Error != nil {
		return nil, 0, fmt.Errorf("%s: the server answered with an error: %s", name, c.redact(r.Error.Message))
	}
	if len(r.Choices) == 0 {
		return nil, 0, &decodeError{fmt.Errorf("%s: no choices in the answer", name)}
	}
	sort.SliceStable(r.Choices, func(i, j int) bool { return r.Choices[i].Index < r.Choices[j].Index })
	out := &Response{}
	if r.Usage != nil {
		out.Usage = *r.Usage
	}
	for i, ch := range r.Choices {
		var text *string
		if api == APIChat {
			if ch.Message != nil {
				text = ch.Message.Content
			}
		} else {
			text = ch.Text
		}
		if text == nil {
			return nil, 0, &decodeError{fmt.Errorf("%s: choice %d has no text", name, i)}
		}
		c := Choice{Text: *text}
		if ch.FinishReason != nil {
			c.FinishReason = *ch.FinishReason
		}
		out.Choices = append(out.Choices, c)
	}
	return out, 0, nil
}

// redact hides the API key in text that came from the network.
func (c *Client) redact(s string) string {
	if len(c.APIKey) >= 4 {
		s = strings.ReplaceAll(s, c.APIKey, "***")
	}
	return s
}

// Models lists the models the endpoint serves (GET {base}/models). A
// server without the route answers with an *HTTPError (404 or 405).
func (c *Client) Models(ctx context.Context) ([]string, error) {
	timeout := c.Timeout
	if timeout <= 0 || timeout > 30*time.Second {
		timeout = 30 * time.Second
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := c.base() + "/models"
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("models: %s", c.redact(err.Error()))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("models: read the answer: %s", c.redact(err.Error()))
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(raw))
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return nil, &HTTPError{Status: resp.StatusCode, Body: c.redact(msg), API: "models"}
	}
	var list struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("models: the answer is not a model list: %v", err)
	}
	ids := make([]string, len(list.Data))
	for i, m := range list.Data {
		ids[i] = m.ID
	}
	return ids, nil
}

type cacheEntry struct {
	Model    string    `json:"model"`
	Messages []Message `json:"messages,omitempty"`
	Prompt   string    `json:"prompt,omitempty"`
	// Content is the first choice (the only one Chat asks for).
	Content string   `json:"content"`
	Choices []Choice `json:"choices,omitempty"`
	Usage   *Usage   `json:"usage,omitempty"`
}

func (c *Client) cachePath(key string) string {
	return filepath.Join(c.CacheDir, key[:2], key+".json")
}

func (c *Client) cached(key string) (*Response, bool) {
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
	r := &Response{Cached: true, Choices: e.Choices}
	if len(r.Choices) == 0 {
		r.Choices = []Choice{{Text: e.Content}}
	}
	if e.Usage != nil {
		r.Usage = *e.Usage
	}
	return r, true
}

// store writes an answer to the cache; a failure to write only costs a
// repeated request later.
func (c *Client) store(key string, req Request, r *Response) {
	if c.CacheDir == "" || len(r.Choices) == 0 {
		return
	}
	p := c.cachePath(key)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	e := cacheEntry{Model: c.Model, Messages: req.Messages, Prompt: req.Prompt, Content: r.Choices[0].Text, Usage: &r.Usage}
	if len(r.Choices) > 1 || r.Choices[0].FinishReason != "" {
		e.Choices = r.Choices
	}
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return
	}
	tmp := p + ".tmp"
	if os.WriteFile(tmp, data, 0o644) == nil {
		_ = os.Rename(tmp, p)
	}
}
