package benchmarks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PullOptions configure Pull.
type PullOptions struct {
	// Client does the download; nil means a client with a 10-minute timeout.
	Client *http.Client
	// Progress, when set, is told the bytes received so far and the total
	// (-1 when unknown).
	Progress func(done, total int64)
	// Force downloads again even when a verified copy is present.
	Force bool
}

// Pull downloads release r of the benchmark into PulledPath, verifies that
// its content (decompressed) has the release's sha256, and returns the path.
// Nothing is left behind when the download fails or does not match.
func Pull(ctx context.Context, cfg *Config, r Release, opts PullOptions) (string, error) {
	dest := PulledPath(cfg.Name, r)
	if !opts.Force {
		if err := verifyFile(dest, r.SHA256); err == nil {
			return dest, nil
		}
	}
	if r.URL == "" {
		return "", fmt.Errorf("benchmark %s %s has no download URL", cfg.Name, r.Version)
	}
	client := opts.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("download %s: %w", r.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("download %s: %s", r.URL, resp.Status)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".download-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	var body io.Reader = resp.Body
	if opts.Progress != nil {
		body = &progressReader{r: resp.Body, total: resp.ContentLength, report: opts.Progress}
	}
	_, err = io.Copy(tmp, io.LimitReader(body, 4<<30))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("download %s: %w", r.URL, err)
	}
	if err := verifyFile(tmp.Name(), r.SHA256); err != nil {
		return "", fmt.Errorf("download %s: %w", r.URL, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), dest); err != nil {
		return "", err
	}
	return dest, nil
}

// verifyFile checks that the file's content, decompressed, has sum.
func verifyFile(path, sum string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	data, err := Decompress(raw)
	if err != nil {
		return err
	}
	got := sha256.Sum256(data)
	if h := hex.EncodeToString(got[:]); !strings.EqualFold(h, sum) {
		return fmt.Errorf("content sha256 %s, but the release pins %s", h, sum)
	}
	return nil
}

type progressReader struct {
	r      io.Reader
	done   int64
	total  int64
	report func(done, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	p.report(p.done, p.total)
	return n, err
}
