package server

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/scalebox-dev/scalebox/server/dashboard"
)

// dashboardPoll is how often the dashboard page fetches its data again.
const dashboardPoll = 2 * time.Second

// dashboardWindows are the time windows the page offers, up to the
// history kept.
var dashboardWindows = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour}

// historyWindow is how far back /v1/stats's history reaches.
func (s *Server) historyWindow() time.Duration {
	return time.Duration(s.cfg.HistoryLength) * s.cfg.HistoryInterval
}

func (s *Server) listenAddr() string {
	if p := s.listen.Load(); p != nil {
		return *p
	}
	return ""
}

// dashboardCSP lets the page run its inline script and style and fetch
// its data from this origin, and nothing else.
const dashboardCSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"

// view builds the dashboard's view for a request (?window=SECONDS, at most
// the history kept).
func (s *Server) view(r *http.Request) (*dashboard.View, *apiError) {
	kept := s.historyWindow()
	win := min(kept, 15*time.Minute)
	if w := r.URL.Query().Get("window"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n <= 0 {
			return nil, badField("window", "want a number of seconds, not %q", w)
		}
		win = min(kept, max(time.Minute, time.Duration(n)*time.Second))
	}
	var offered []time.Duration
	for _, w := range dashboardWindows {
		if w <= kept {
			offered = append(offered, w)
		}
	}
	offered = append(offered, kept)
	now := time.Now()
	s.cluster.Watch(r.Context(), now)
	v, err := dashboard.Build(s.cluster.Nodes(now), now, dashboard.ViewOptions{Window: win, Windows: offered, Poll: dashboardPoll})
	if err != nil {
		return nil, &apiError{Status: http.StatusInternalServerError, Msg: "dashboard: " + err.Error()}
	}
	return v, nil
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	v, aerr := s.view(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var buf bytes.Buffer
	if err := dashboard.WritePage(&buf, v); err != nil {
		writeError(w, &apiError{Status: http.StatusInternalServerError, Msg: "dashboard: " + err.Error()})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", dashboardCSP)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(buf.Bytes())
}

func (s *Server) handleDashboardData(w http.ResponseWriter, r *http.Request, _ *reqCtx) {
	v, aerr := s.view(r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var buf bytes.Buffer
	if err := dashboard.WriteData(&buf, v); err != nil {
		writeError(w, &apiError{Status: http.StatusInternalServerError, Msg: "dashboard: " + err.Error()})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}
