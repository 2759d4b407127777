"use strict";
// The live dashboard: fetches the view again every few seconds from
// dashboard/data (relative to the page, so that it works behind a proxy
// that serves the node under a path, with the page's own query, which may
// carry ?token=) and redraws the cards, the nodes, the charts and the
// requests. Numbers and rows are set with textContent; the charts are
// figures the server drew (html/template escapes every label in them).
(function () {
  var el = SB.el, boot = SB.data("sb-data");
  var poll = Math.max(1, boot.poll_seconds || 2) * 1000;
  var win = document.getElementById("db-window");
  var pauseBtn = document.getElementById("db-pause");
  var announce = document.getElementById("db-announce");
  var updated = document.getElementById("db-updated");
  var st = { paused: false, failures: 0, timer: 0, busy: false, updates: 0, statuses: statuses(boot.nodes) };

  function statuses(nodes) {
    var m = {};
    (nodes || []).forEach(function (n) { m[n.name] = n.status; });
    return m;
  }

  function any(list, f) { for (var i = 0; i < list.length; i++) if (f(list[i])) return true; return false; }
  var showOpts = [
    { label: "all requests", test: null },
    { label: "marked ⚠ (SE or an error status)", test: function (r) { return !!r.flag; } },
    { label: "with a system error (SE)", test: function (r) { return r.verdict_list.indexOf("SE") >= 0; } },
    { label: "answered with an error status", test: function (r) { return r.status >= 400; } },
    { label: "with a sample not accepted", test: function (r) { return any(r.verdict_list, function (v) { return v !== "AC"; }); } }
  ];
  var verdictOpts = [{ label: "any", test: null }].concat(boot.verdicts.map(function (v) {
    return { label: "a sample " + v, test: function (r) { return r.verdict_list.indexOf(v) >= 0; } };
  }));
  var nodeOpts = [{ label: "all nodes", test: null }].concat(boot.node_names.map(function (n) {
    return { label: n, test: function (r) { return r.node === n; } };
  }));
  var requests = SB.table(document.getElementById("requests-table"), {
    rows: boot.requests, noun: "requests", pageSize: 25, sort: { col: 0, desc: true },
    empty: "No request matches.",
    search: { label: "Request id", placeholder: "id, endpoint or language", text: function (r) { return r.id + " " + r.endpoint + " " + r.language; } },
    filters: [{ label: "Show", options: showOpts }, { label: "Verdict", options: verdictOpts }, { label: "Node", options: nodeOpts }],
    rowClass: function (r) { return r.flag ? "db-flag" : null; },
    columns: [
      { label: "Time", value: function (r) { return r.time; }, cell: function (r) { return el("time", { datetime: r.time, text: r.clock }); } },
      { label: "Node", narrow: true, value: function (r) { return r.node; }, cell: function (r) { return r.node; } },
      { label: "Request id", value: function (r) { return r.id; }, cell: function (r) { return el("code", { text: r.id }); } },
      { label: "Endpoint", value: function (r) { return r.endpoint; }, cell: function (r) { return r.endpoint; } },
      { label: "Language", narrow: true, value: function (r) { return r.language; }, cell: function (r) { return r.language; } },
      { label: "Tests", num: true, narrow: true, value: function (r) { return r.tests; }, cell: function (r) { return String(r.tests); } },
      { label: "Verdicts", value: function (r) { return r.verdicts; }, cell: function (r) {
        return r.flag === "SE" ? [el("strong", { text: "\u26a0 SE" }), " ", r.verdicts] : r.verdicts;
      } },
      { label: "Status", num: true, value: function (r) { return r.status; }, cell: function (r) {
        return r.status >= 400 ? el("strong", { text: "\u26a0 " + r.status }) : String(r.status);
      } },
      { label: "Duration", num: true, value: function (r) { return r.seconds; }, cell: function (r) { return r.duration; } }
    ]
  });

  function dataURL() {
    var q = new URLSearchParams(location.search);
    q.set("window", win.value);
    return "dashboard/data?" + q.toString();
  }

  function say(text) {
    announce.textContent = text;
    announce.hidden = !text;
  }

  function apply(d) {
    updated.textContent = "";
    updated.append("Updated ", el("time", { datetime: d.generated, text: d.updated }), " \u00b7 ", el("span", { id: "db-status", text: d.status }));
    d.cards.forEach(function (c) {
      var card = document.getElementById("card-" + c.id);
      if (!card) return;
      card.querySelector("dd.db-value").textContent = c.value;
      card.querySelector("dd.db-note").textContent = c.note;
    });
    var tbody = document.querySelector("#nodes-table tbody");
    tbody.textContent = "";
    d.nodes.forEach(function (n) {
      tbody.appendChild(el("tr", { cls: "db-node db-node-" + n.status },
        el("th", { scope: "row" }, n.name, n.self ? [" ", el("small", { text: "(this node)" })] : null,
          n.about ? [el("br"), el("small", { text: n.about })] : null),
        el("td", null, el("span", { cls: "db-status db-status-" + n.status }, el("span", { "aria-hidden": "true", text: n.symbol + " " }), n.status_text),
          n.note ? [el("br"), el("small", { text: n.note })] : null),
        el("td", { text: n.busy }), el("td", { cls: "sb-num", text: n.queue }), el("td", { text: n.load }), el("td", { text: n.cpu }),
        el("td", { text: n.memory }), el("td", { cls: "sb-num", text: n.rate }), el("td", { text: n.last_seen })));
    });
    (d.charts || []).forEach(function (c) {
      var old = document.getElementById(c.id);
      if (!old) return;
      var t = document.createElement("template");
      t.innerHTML = c.html;
      var fig = t.content.firstElementChild;
      if (fig) old.replaceWith(fig);
    });
    document.getElementById("db-series-note").textContent = d.series_note;
    requests.setRows(d.requests);
    // Say when a node goes down or comes back, once.
    var now = statuses(d.nodes), changes = [];
    Object.keys(now).forEach(function (name) {
      var was = st.statuses[name], is = now[name];
      if (was !== "down" && is === "down") changes.push("Node " + name + " is down.");
      else if (was === "down" && is !== "down") changes.push("Node " + name + " is back (" + is + ").");
    });
    st.statuses = now;
    if (changes.length) say(changes.join(" ")); else if (st.failures) say("");
    st.failures = 0;
    document.body.classList.remove("db-stale");
    st.updates++;
    document.body.dataset.updates = String(st.updates);
  }

  function fail(err) {
    st.failures++;
    document.body.classList.add("db-stale");
    say("Not updating: " + err + ". The numbers shown are from " + (updated.querySelector("time") || {}).textContent + "; retrying.");
  }

  function schedule(ms) {
    clearTimeout(st.timer);
    st.timer = setTimeout(tick, ms);
  }

  function tick() {
    if (st.paused || document.hidden || st.busy) return;
    st.busy = true;
    fetch(dataURL(), { cache: "no-store", headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error("the node answered " + r.status + " " + r.statusText);
        return r.json();
      })
      .then(apply, function (e) { fail(e && e.message ? e.message : String(e)); })
      .then(function () {
        st.busy = false;
        // Back off while the node does not answer: 2, 4, 6 … up to 10 polls.
        schedule(poll * Math.min(1 + st.failures, 10));
      });
  }

  pauseBtn.addEventListener("click", function () {
    st.paused = !st.paused;
    pauseBtn.setAttribute("aria-pressed", st.paused ? "true" : "false");
    pauseBtn.textContent = st.paused ? "Resume updates" : "Pause updates";
    if (!st.paused) schedule(0);
  });
  win.addEventListener("change", function () { schedule(0); });
  document.addEventListener("visibilitychange", function () { if (!document.hidden) schedule(0); });
  schedule(poll);
})();
