"use strict";
// scalebox pages: DOM helpers, a paged, sortable, searchable table, and a
// line diff. No framework; data are put in the page with textContent only,
// never parsed as HTML (reports carry untrusted program output).
var SB = (function () {
  function el(tag, attrs) {
    var n = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (attrs[k] == null || attrs[k] === false) continue;
        if (k === "text") n.textContent = attrs[k];
        else if (k === "cls") n.className = attrs[k];
        else if (k.slice(0, 2) === "on") n.addEventListener(k.slice(2), attrs[k]);
        else n.setAttribute(k, attrs[k] === true ? "" : attrs[k]);
      }
    }
    for (var i = 2; i < arguments.length; i++) add(n, arguments[i]);
    return n;
  }
  function add(n, c) {
    if (c == null || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { add(n, x); }); return; }
    n.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }

  // data parses the JSON the page embeds in <script type="application/json" id=ID>.
  function data(id) {
    var n = document.getElementById(id);
    return n ? JSON.parse(n.textContent) : null;
  }

  function pct(x) { return x == null || isNaN(x) ? "n/a" : (100 * x).toFixed(2) + "%"; }
  function pp(x) {
    if (x == null || isNaN(x)) return "n/a";
    var s = (100 * Math.abs(x)).toFixed(2);
    return (s === "0.00" ? "" : x > 0 ? "+" : "\u2212") + s + " pp";
  }

  // verdict is a badge whose text is the verdict: colour only repeats it.
  function verdict(v) { return el("span", { cls: "sb-v sb-v-" + v, text: v }); }

  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  function compare(a, b) {
    if (a == null && b == null) return 0;
    if (a == null) return 1;
    if (b == null) return -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return collator.compare(String(a), String(b));
  }

  // table renders spec.rows into host, a page at a time.
  //   columns: [{label, value(row) for sorting, cell(row) -> text or Node,
  //              num: right-aligned, narrow: hidden at phone width}]
  //   search: {label, text(row) -> the text a query is found in}
  //   filters: [{label, options: [{label, test(row)}]}]  (first option: all)
  //   detail(row) -> Node: rows get a button that shows it below them
  //   sort: {col, desc}; pageSize; noun: "problems"; empty: text
  //   rowClass(row) -> a class for the row's <tr> (or null)
  // It returns {refresh, view, search, expand, setRows}; setRows replaces
  // the rows and keeps the search, filters, sorting and page.
  function table(host, spec) {
    var rows = spec.rows, pageSize = spec.pageSize || 50, noun = spec.noun || "rows";
    var state = { q: "", filters: (spec.filters || []).map(function () { return 0; }),
      col: spec.sort ? spec.sort.col : -1, desc: spec.sort ? !!spec.sort.desc : false, page: 0 };
    var open = new Set(), view = rows, hay = null;
    var controls = el("div", { cls: "sb-controls" });
    var count = el("p", { cls: "sb-note", "aria-live": "polite" });
    var input = null;
    if (spec.search) {
      input = el("input", { type: "search", placeholder: spec.search.placeholder || "" });
      var timer = 0;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { state.q = input.value.trim().toLowerCase(); state.page = 0; refresh(); }, 120);
      });
      controls.appendChild(el("label", null, spec.search.label || "Search", " ", input));
    }
    (spec.filters || []).forEach(function (f, i) {
      var sel = el("select", null, f.options.map(function (o, j) { return el("option", { value: j, text: o.label }); }));
      sel.addEventListener("change", function () { state.filters[i] = +sel.value; state.page = 0; refresh(); });
      controls.appendChild(el("label", null, f.label, " ", sel));
    });
    var heads = spec.columns.map(function (c, i) {
      var th = el("th", { scope: "col", cls: c.num ? "sb-num" : (c.narrow ? "sb-hide-narrow" : null) });
      if (c.num && c.narrow) th.className = "sb-num sb-hide-narrow";
      if (c.value) {
        th.appendChild(el("button", { type: "button", cls: "sb-sort", text: c.label, onclick: function () {
          if (state.col === i) state.desc = !state.desc; else { state.col = i; state.desc = !!c.desc; }
          state.page = 0; refresh();
        } }));
      } else th.textContent = c.label;
      return th;
    });
    var tbody = el("tbody");
    var tbl = el("table", { cls: "sb-table" }, spec.caption ? el("caption", { cls: "sb-note", text: spec.caption }) : null, el("thead", null, el("tr", null, heads)), tbody);
    var prev = el("button", { type: "button", text: "\u2190 Previous", onclick: function () { state.page--; draw(); } });
    var next = el("button", { type: "button", text: "Next \u2192", onclick: function () { state.page++; draw(); } });
    var where = el("span");
    var pager = el("div", { cls: "sb-pager" }, prev, where, next);
    host.textContent = "";
    add(host, [controls, count, el("div", { cls: "sb-scroll" }, tbl), pager]);

    function refresh() {
      var q = state.q;
      if (q && !hay && spec.search) hay = rows.map(function (r) { return spec.search.text(r).toLowerCase(); });
      view = [];
      for (var i = 0; i < rows.length; i++) {
        if (q && hay[i].indexOf(q) < 0) continue;
        var ok = true;
        for (var f = 0; f < state.filters.length && ok; f++) {
          if (state.filters[f] > 0) ok = spec.filters[f].options[state.filters[f]].test(rows[i]);
        }
        if (ok) view.push(i);
      }
      if (state.col >= 0) {
        var get = spec.columns[state.col].value, sign = state.desc ? -1 : 1;
        var keys = new Map();
        view.forEach(function (i) { keys.set(i, get(rows[i])); });
        view.sort(function (a, b) { return sign * compare(keys.get(a), keys.get(b)) || a - b; });
      }
      heads.forEach(function (th, i) {
        if (spec.columns[i].value) th.setAttribute("aria-sort", i === state.col ? (state.desc ? "descending" : "ascending") : "none");
      });
      draw();
    }

    function draw() {
      var pages = Math.max(1, Math.ceil(view.length / pageSize));
      state.page = Math.min(Math.max(0, state.page), pages - 1);
      var start = state.page * pageSize, end = Math.min(view.length, start + pageSize);
      var frag = document.createDocumentFragment();
      for (var k = start; k < end; k++) {
        var i = view[k], r = rows[i];
        var tr = el("tr", { "data-row": i, cls: spec.rowClass ? spec.rowClass(r) : null });
        spec.columns.forEach(function (c, ci) {
          var cls = c.num ? "sb-num" : "";
          if (c.narrow) cls += " sb-hide-narrow";
          var td = el("td", { cls: cls || null });
          if (ci === 0 && spec.detail) td.appendChild(toggle(i, tr));
          add(td, c.cell(r));
          tr.appendChild(td);
        });
        frag.appendChild(tr);
        if (spec.detail && open.has(i)) frag.appendChild(detailRow(i));
      }
      tbody.textContent = "";
      tbody.appendChild(frag);
      if (!view.length) tbody.appendChild(el("tr", null, el("td", { colspan: spec.columns.length, text: spec.empty || "Nothing matches." })));
      var total = rows.length === view.length ? "" : " (of " + rows.length + ")";
      count.textContent = view.length ? "Showing " + (start + 1) + "\u2013" + end + " of " + view.length + " " + noun + total + "." : "No " + noun + " match" + total + ".";
      where.textContent = "Page " + (state.page + 1) + " of " + pages;
      prev.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      pager.hidden = pages === 1;
    }

    function toggle(i, tr) {
      var label = spec.rowLabel ? spec.rowLabel(rows[i]) : "row " + i;
      var b = el("button", { type: "button", cls: "sb-toggle", "aria-expanded": open.has(i) ? "true" : "false",
        "aria-label": (open.has(i) ? "Hide" : "Show") + " details of " + label, text: open.has(i) ? "\u2212" : "+" });
      b.addEventListener("click", function () {
        if (open.has(i)) {
          open.delete(i);
          var d = tr.nextSibling;
          if (d && d.classList.contains("sb-detail")) d.remove();
        } else {
          open.add(i);
          tr.after(detailRow(i));
        }
        var o = open.has(i);
        b.setAttribute("aria-expanded", o ? "true" : "false");
        b.setAttribute("aria-label", (o ? "Hide" : "Show") + " details of " + label);
        b.textContent = o ? "\u2212" : "+";
      });
      return b;
    }
    function detailRow(i) {
      return el("tr", { cls: "sb-detail" }, el("td", { colspan: spec.columns.length }, spec.detail(rows[i])));
    }

    refresh();
    return {
      refresh: refresh,
      view: function () { return view.slice(); },
      // search shows the rows matching q, as if typed in the search box.
      search: function (q) { if (input) input.value = q; state.q = q.trim().toLowerCase(); state.page = 0; refresh(); },
      // expand opens the details of row i (an index into spec.rows).
      expand: function (i) { if (spec.detail && !open.has(i)) { open.add(i); draw(); } },
      setRows: function (r) { rows = r; hay = null; open.clear(); refresh(); }
    };
  }

  // diff is a line diff of a (expected) against b (got): a list of
  // [op, line] with op " " (both), "-" (only in a) or "+" (only in b).
  // Texts are small (cut to a few KiB), so a quadratic LCS is fine; past
  // 4M cells it shows the texts one after the other instead.
  function diff(a, b) {
    var x = a.split("\n"), y = b.split("\n");
    var n = x.length, m = y.length, out = [];
    if (n * m > 4e6) {
      x.forEach(function (l) { out.push(["-", l]); });
      y.forEach(function (l) { out.push(["+", l]); });
      return out;
    }
    var w = m + 1, t = new Int32Array((n + 1) * w);
    for (var i = n - 1; i >= 0; i--) {
      for (var j = m - 1; j >= 0; j--) {
        t[i * w + j] = x[i] === y[j] ? t[(i + 1) * w + j + 1] + 1 : Math.max(t[(i + 1) * w + j], t[i * w + j + 1]);
      }
    }
    i = 0; j = 0;
    while (i < n && j < m) {
      if (x[i] === y[j]) { out.push([" ", x[i]]); i++; j++; }
      else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) out.push(["-", x[i++]]);
      else out.push(["+", y[j++]]);
    }
    while (i < n) out.push(["-", x[i++]]);
    while (j < m) out.push(["+", y[j++]]);
    return out;
  }

  // diffNode renders diff(a, b) with a -/+ mark on each line, so that it
  // reads without colour.
  // A line changed in place (a - line followed by a + line) gets a note of
  // the column where the two first differ.
  function diffNode(a, b) {
    var cls = { " ": "sb-same", "-": "sb-del", "+": "sb-ins" };
    var ops = diff(a, b), out = [];
    ops.forEach(function (d, i) {
      out.push(el("span", { cls: cls[d[0]], text: d[0] + " " + d[1] }));
      var prev = ops[i - 1];
      if (d[0] === "+" && prev && prev[0] === "-" && (i < 2 || ops[i - 2][0] !== "-")) {
        var k = 0;
        while (k < d[1].length && k < prev[1].length && d[1][k] === prev[1][k]) k++;
        out.push(el("span", { cls: "sb-same", text: "  \u2191 the lines differ from column " + (k + 1) }));
      }
    });
    return el("pre", { cls: "sb-diff", "aria-label": "line diff: lines starting with - are expected only, + got only" }, out);
  }

  // Printing shows the contents of <details class="sb-print-open">.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.sb-print-open:not([open])").forEach(function (d) { d.setAttribute("open", ""); d.dataset.sbPrinted = "1"; });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-sb-printed]").forEach(function (d) { d.removeAttribute("open"); delete d.dataset.sbPrinted; });
  });

  return { el: el, add: add, data: data, pct: pct, pp: pp, verdict: verdict, compare: compare, table: table, diff: diff, diffNode: diffNode };
})();
