package server_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// dashData is what the tests read of /dashboard/data.
type dashData struct {
	Status string `json:"status"`
	Cards  []struct {
		ID, Value string
	} `json:"cards"`
	Nodes []struct {
		Name   string `json:"name"`
		Self   bool   `json:"self"`
		Status string `json:"status"`
		Note   string `json:"note"`
	} `json:"nodes"`
	Charts []struct {
		ID   string `json:"id"`
		HTML string `json:"html"`
	} `json:"charts"`
	Requests []struct {
		ID     string `json:"id"`
		Node   string `json:"node"`
		Status int    `json:"status"`
		Flag   string `json:"flag"`
	} `json:"requests"`
}

func (d *dashData) card(id string) string {
	for _, c := range d.Cards {
		if c.ID == id {
			return c.Value
		}
	}
	return ""
}

// TestDashboardEndpoints: /dashboard and /dashboard/data answer with the
// token (as a query parameter, which a browser can carry), show this node
// and a peer that does not answer, and list the requests but not the
// dashboard's own; /v1/stats?after= lists only what is new.
func TestDashboardEndpoints(t *testing.T) {
	needSandbox(t)
	token := filepath.Join(t.TempDir(), "token")
	os.WriteFile(token, []byte("tok3n\n"), 0o600)
	// A loopback port nobody listens on: a peer that is down.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := l.Addr().String()
	l.Close()
	s := startServer(t, "--token-file", token, "--stats-interval", "200ms", "--peers", gone)
	auth := http.Header{"Authorization": {"Bearer tok3n"}, "X-Request-Id": {"dash-e2e-1"}}
	resp := s.do(t, "POST", "/run_code", `{"code": "print(1)", "language": "python"}`, auth)
	resp.Body.Close()
	time.Sleep(500 * time.Millisecond)

	if code, _ := s.get(t, "/dashboard"); code != 401 {
		t.Errorf("/dashboard without the token: %d, want 401", code)
	}
	resp = s.do(t, "GET", "/dashboard?token=tok3n", nil, nil)
	page := readAll(t, resp)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "connect-src 'self'") || !strings.Contains(page, `"dashboard/data?"`) {
		t.Errorf("/dashboard: %d %s CSP %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Security-Policy"))
	}

	var d dashData
	resp = s.do(t, "GET", "/dashboard/data?token=tok3n&window=60", nil, nil)
	if err := json.Unmarshal([]byte(readAll(t, resp)), &d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/dashboard/data: %d %v", resp.StatusCode, err)
	}
	if len(d.Nodes) != 2 || !d.Nodes[0].Self || d.Nodes[0].Status != "up" || d.Nodes[1].Name != gone || d.Nodes[1].Status != "down" ||
		!strings.Contains(d.Nodes[1].Note, "refused") {
		t.Errorf("nodes: %+v", d.Nodes)
	}
	if d.card("nodes") != "1 of 2" || d.card("slots") != "0 of 2" || len(d.Charts) != 9 || !strings.Contains(d.Charts[0].HTML, "last 1 min") {
		t.Errorf("cards %+v, %d charts", d.Cards, len(d.Charts))
	}
	if len(d.Requests) != 1 || d.Requests[0].ID != "dash-e2e-1" || d.Requests[0].Flag != "" {
		t.Errorf("requests (the dashboard's own left out): %+v", d.Requests)
	}
	if code, _ := s.get(t, "/dashboard/data?token=tok3n&window=soon"); code != 400 {
		t.Errorf("window=soon: %d, want 400", code)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Get(s.url + "/dashboard/?token=tok3n")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 301 || resp.Header.Get("Location") != "../dashboard?token=tok3n" {
		t.Errorf("/dashboard/: %d to %q, want a relative redirect to ../dashboard", resp.StatusCode, resp.Header.Get("Location"))
	}

	var st struct {
		Instance string `json:"instance"`
		Listen   string `json:"listen"`
		CPUs     int    `json:"cpus"`
		Memory   int64  `json:"memory_total_bytes"`
		Seq      int64  `json:"seq"`
		History  []struct {
			Seq     int64   `json:"seq"`
			Machine float64 `json:"machine_cpu_cores"`
			Used    int64   `json:"machine_memory_used_bytes"`
		} `json:"history"`
		Recent []struct {
			Seq int64 `json:"seq"`
		} `json:"recent_requests"`
		Now struct {
			Status string     `json:"status"`
			Load   [3]float64 `json:"load_average"`
		} `json:"now"`
	}
	resp = s.do(t, "GET", "/v1/stats", nil, auth)
	if err := json.Unmarshal([]byte(readAll(t, resp)), &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Instance) != 16 || st.Listen != strings.TrimPrefix(s.url, "http://") || st.CPUs < 1 || st.Memory <= 0 || st.Now.Status != "ready" ||
		len(st.History) < 2 || st.History[len(st.History)-1].Used <= 0 || len(st.Recent) != 1 {
		t.Errorf("stats: %+v", st)
	}
	after := st.History[len(st.History)-2].Seq
	resp = s.do(t, "GET", "/v1/stats?after="+strconv.FormatInt(after, 10), nil, auth)
	var inc struct {
		History []struct {
			Seq int64 `json:"seq"`
		} `json:"history"`
	}
	json.Unmarshal([]byte(readAll(t, resp)), &inc)
	if len(inc.History) == 0 || len(inc.History) >= len(st.History)+5 {
		t.Errorf("?after=%d: %d intervals (of %d)", after, len(inc.History), len(st.History))
	}
	for _, iv := range inc.History {
		if iv.Seq <= after {
			t.Errorf("?after=%d lists interval %d", after, iv.Seq)
		}
	}
	if code, _ := s.get(t, "/v1/stats?token=tok3n&after=-1"); code != 400 {
		t.Errorf("after=-1: %d, want 400", code)
	}
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
