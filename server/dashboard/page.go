package dashboard

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"

	"github.com/scalebox-dev/scalebox/internal/htmlui"
)

//go:embed assets
var assets embed.FS

func asset(name string) string {
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	return string(b)
}

var (
	pageTmpl = template.Must(htmlui.New("dashboard", asset("dashboard.tmpl")))
	pageJS   = template.JS(asset("dashboard.js"))
	pageCSS  = template.CSS(asset("dashboard.css"))
)

// DataPath is where the page fetches the view again, relative to the
// page's own URL (…/dashboard → …/dashboard/data), so that it works
// wherever a proxy serves the node.
const DataPath = "dashboard/data"

// WritePage writes the dashboard page showing v: the whole view drawn,
// so that it reads (and prints) as it is, and a script that fetches the
// view again from DataPath every v.PollSeconds and redraws it.
func WritePage(w io.Writer, v *View) error {
	boot := *v
	boot.Charts = nil // drawn in the page already
	return htmlui.Render(w, pageTmpl, &htmlui.Page{
		Title:    "scalebox dashboard",
		Subtitle: fmt.Sprintf("This serve node and its peers, live: refreshed every %g s from each node's statistics (GET /v1/stats).", v.PollSeconds),
		Nav:      []htmlui.Link{{ID: "nodes", Label: "Nodes"}, {ID: "resources", Label: "Resources"}, {ID: "traffic", Label: "Throughput and latency"}, {ID: "requests", Label: "Recent requests"}},
		Footer:   "scalebox serve · GET /v1/stats on each node gives these numbers as JSON, /metrics for Prometheus (docs/dashboard.md).",
		Data:     boot,
		Script:   pageJS,
		Style:    pageCSS,
		Body:     v,
	})
}

// WriteData writes v as the JSON the page polls: its numbers and rows,
// and each chart's figure drawn.
func WriteData(w io.Writer, v *View) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
