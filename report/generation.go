package report

// Generation records how a run's samples were generated, when scalebox
// eval sampled the model itself (--llm-url, or a benchmark's [generation]
// section).
type Generation struct {
	Model    string `json:"model"`
	Endpoint string `json:"endpoint"`
	// API is "chat" or "completions".
	API string `json:"api"`
	// Family, PromptStyle and PromptSource say how problems were prompted
	// and which reference harness the prompt follows.
	Family       string   `json:"family"`
	PromptStyle  string   `json:"prompt_style"`
	PromptSource string   `json:"prompt_source,omitempty"`
	Language     string   `json:"language,omitempty"`
	Temperature  float64  `json:"temperature"`
	TopP         float64  `json:"top_p,omitempty"`
	MaxTokens    int      `json:"max_tokens,omitempty"`
	Seed         *int64   `json:"seed,omitempty"`
	Stop         []string `json:"stop,omitempty"`
	// N is the number of samples per problem.
	N        int  `json:"n"`
	Sanitize bool `json:"sanitize,omitempty"`
	// SamplesPath is the samples file the answers were written to.
	SamplesPath string `json:"samples_path"`
	// FailedRequests counts requests that failed after their retries:
	// their samples are missing from the run.
	FailedRequests int `json:"failed_requests"`
	// Usage varies between runs (StripTimings removes it).
	Usage *GenerationUsage `json:"usage,omitempty"`
}

// GenerationUsage measures a generation run.
type GenerationUsage struct {
	// Resumed counts samples an earlier run had generated; Generated those
	// this run did.
	Resumed   int `json:"resumed"`
	Generated int `json:"generated"`
	// PromptTokens and CompletionTokens are the servers' counts for this
	// run's requests.
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	Requests         int     `json:"requests"`
	Retries          int     `json:"retries"`
	WallSeconds      float64 `json:"wall_seconds"`
	// TokensPerSecond is CompletionTokens over the generation's wall time.
	TokensPerSecond float64 `json:"tokens_per_second"`
}
