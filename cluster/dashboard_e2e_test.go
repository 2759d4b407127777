package cluster_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scalebox-dev/scalebox/cluster"
	"github.com/scalebox-dev/scalebox/internal/chromium"
)

// dashView is the part of /dashboard/data this test reads.
type dashView struct {
	Nodes []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
	} `json:"nodes"`
}

// TestDashboardThroughNginx opens the cluster's dashboard through the
// nginx front that `cluster nginx-conf` writes, with two nodes that name
// each other as peers: whichever node nginx picks, each load of the data
// shows both nodes up, and the page in headless Chromium refreshes itself
// through nginx, asks nothing of another origin and logs no error.
func TestDashboardThroughNginx(t *testing.T) {
	needNginx(t)
	need(t, "bwrap", "python3")
	pa, pb := freePort(t), freePort(t)
	peers := "http://" + pa + ",http://" + pb
	a := startNode(t, "--listen", pa, "--peers", peers, "--stats-interval", "1s")
	b := startNode(t, "--listen", pb, "--peers", peers, "--stats-interval", "1s")
	front := startNginx(t, cluster.NginxOptions{Nodes: []cluster.Node{{Addr: a.addr, Slots: 2}, {Addr: b.addr, Slots: 2}}})

	// Some work on both, so that there is something to show.
	for i := range 4 {
		var out struct {
			Status string `json:"status"`
		}
		body := map[string]any{"code": "print(2)", "language": "python"}
		if code := postJSON(t, front.url+"/run_code", body, &out); code != 200 || out.Status != "Success" {
			t.Fatalf("run_code %d through nginx: %d %+v", i, code, out)
		}
	}

	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := httpClient.Get(front.url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, data
	}
	// Each load may reach either node; after the first polls every one
	// must show both nodes up (a loaded machine may miss a poll: wait).
	both := 0
	for end := time.Now().Add(90 * time.Second); both < 6; {
		code, data := get("/dashboard/data?window=60")
		var v dashView
		if err := json.Unmarshal(data, &v); code != 200 || err != nil {
			t.Fatalf("/dashboard/data through nginx: %d %v %.300s", code, err, data)
		}
		up := 0
		for _, n := range v.Nodes {
			if n.Status == "up" {
				up++
			}
		}
		if len(v.Nodes) == 2 && up == 2 {
			both++
		} else {
			both = 0
		}
		if time.Now().After(end) {
			t.Fatalf("the dashboard through nginx did not show both nodes up 6 times running within 90 s; last: %s", data)
		}
		time.Sleep(300 * time.Millisecond)
	}
	served := map[string]int{}
	for _, e := range front.accessLog(t) {
		if strings.HasPrefix(e.Request, "GET /dashboard/data") {
			served[e.UpstreamAddr]++
		}
	}
	t.Logf("dashboard data served by %v", served)
	if code, page := get("/dashboard"); code != 200 || !strings.Contains(string(page), "<html") {
		t.Fatalf("/dashboard through nginx: %d %.200s", code, page)
	}

	path, err := chromium.Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v", err)
		}
		t.Logf("no browser: %v (the page was checked over HTTP only)", err)
		return
	}
	bro, err := chromium.Start(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bro.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := bro.NewPage(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, bro.Stderr())
	}
	if err := p.SetViewport(ctx, 1280, 900, false); err != nil {
		t.Fatal(err)
	}
	if err := p.Navigate(ctx, front.url+"/dashboard?window=60"); err != nil {
		t.Fatal(err)
	}
	cond := `+(document.body.dataset.updates || 0) >= 3 && document.querySelectorAll("#nodes-table tbody tr.db-node-up").length === 2`
	for end := time.Now().Add(60 * time.Second); ; {
		var ok bool
		if err := p.Eval(ctx, cond, &ok); err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(end) {
			var rows string
			p.Eval(ctx, `document.querySelector("#nodes-table") ? document.querySelector("#nodes-table").textContent : "no table"`, &rows)
			t.Fatalf("the page through nginx did not refresh to two nodes up within 60 s: %s (console: %q)", rows, p.Problems())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("console errors:\n%s", strings.Join(probs, "\n"))
	}
	for _, u := range p.Requests() {
		if !strings.HasPrefix(u, front.url+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s, outside the front %s", u, front.url)
		}
	}
	if dir := os.Getenv("SCALEBOX_TEST_ARTIFACTS"); dir != "" {
		png, err := p.Screenshot(ctx, true)
		if err == nil {
			dir = filepath.Join(dir, t.Name())
			if err = os.MkdirAll(dir, 0o755); err == nil {
				err = os.WriteFile(filepath.Join(dir, "dashboard-through-nginx.png"), png, 0o644)
			}
		}
		if err != nil {
			t.Error(err)
		}
	}
}
