package benchmarks

import (
	"fmt"
	"path/filepath"
	"strings"
)

// GenerationConfig is a benchmark file's [generation] section: the model,
// endpoint and sampling settings scalebox eval uses to generate the
// samples it judges (scalebox generate takes it too). Flags override each
// key. The API key is never in the file: api_key_env names the
// environment variable that holds it.
type GenerationConfig struct {
	// URL is the API base of an OpenAI-compatible endpoint
	// ("http://localhost:8000/v1").
	URL   string `toml:"url" json:"url,omitempty"`
	Model string `toml:"model" json:"model,omitempty"`
	// API is "chat" or "completions" (default: the prompt style's).
	API string `toml:"api" json:"api,omitempty"`
	// Prompt is the prompt style: a style's name, "base" or "instruct".
	Prompt string `toml:"prompt" json:"prompt,omitempty"`
	// Language is the language the model is asked to write in, for
	// benchmarks that take any (CodeContests, Code Jam).
	Language string `toml:"language" json:"language,omitempty"`
	// N is the number of samples per problem.
	N int `toml:"n" json:"n,omitempty"`
	// Temperature, TopP and MaxTokens default to the prompt style's (its
	// reference harness's).
	Temperature *float64 `toml:"temperature" json:"temperature,omitempty"`
	TopP        *float64 `toml:"top_p" json:"top_p,omitempty"`
	MaxTokens   int      `toml:"max_tokens" json:"max_tokens,omitempty"`
	Seed        *int64   `toml:"seed" json:"seed,omitempty"`
	// Stop are stop sequences added to the prompt style's.
	Stop []string `toml:"stop" json:"stop,omitempty"`
	// Concurrency bounds the requests in flight.
	Concurrency int `toml:"concurrency" json:"concurrency,omitempty"`
	// RequestTimeout bounds one request; Retries is how many more times a
	// request is tried after a transient failure.
	RequestTimeout Duration `toml:"request_timeout" json:"request_timeout,omitempty"`
	Retries        *int     `toml:"retries" json:"retries,omitempty"`
	// APIKeyEnv names the environment variable holding the API key.
	APIKeyEnv string `toml:"api_key_env" json:"api_key_env,omitempty"`
	// FewShot is the folder of lcb_runner's few-shot examples (relative to
	// the benchmark file), for LiveCodeBench's base-model prompt.
	FewShot string `toml:"few_shot" json:"few_shot,omitempty"`
	// Sanitize runs evalplus's sanitizer on the answers (default: when
	// the prompt style's harness does).
	Sanitize *bool `toml:"sanitize" json:"sanitize,omitempty"`
}

func (g *GenerationConfig) check() []string {
	if g == nil {
		return nil
	}
	var errs []string
	if g.API != "" && g.API != "chat" && g.API != "completions" {
		errs = append(errs, fmt.Sprintf("generation.api %q is unknown (want \"chat\" or \"completions\")", g.API))
	}
	if g.N < 0 || g.MaxTokens < 0 || g.Concurrency < 0 || g.RequestTimeout < 0 || g.Retries != nil && *g.Retries < 0 {
		errs = append(errs, "generation: n, max_tokens, concurrency, request_timeout and retries must not be negative")
	}
	if g.Temperature != nil && *g.Temperature < 0 {
		errs = append(errs, "generation.temperature must not be negative")
	}
	if g.TopP != nil && (*g.TopP <= 0 || *g.TopP > 1) {
		errs = append(errs, "generation.top_p must be in (0, 1]")
	}
	if g.URL != "" && !strings.HasPrefix(g.URL, "http://") && !strings.HasPrefix(g.URL, "https://") {
		errs = append(errs, fmt.Sprintf("generation.url %q is not an http(s) URL", g.URL))
	}
	return errs
}

// Path resolves a path written in the benchmark file: relative to the
// file's folder (for a builtin, to the working directory).
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) || c.dir == "" {
		return p
	}
	return filepath.Join(c.dir, p)
}
