// Report and comparison pages: the problem tables and the samples of a
// problem, with each failing sample's deciding test. Data come from the
// page's JSON (see report/page/page.go: pageProblem, pageSample, pageTest).
var SBReport = (function () {
  var el = SB.el, add = SB.add;
  var ORDER = ["AC", "WA", "TLE", "MLE", "OLE", "RE", "CE", "SE"];
  var SHOWN = 50; // samples listed before "show all"

  function rank(v) { var i = ORDER.indexOf(v); return i < 0 ? ORDER.length : i; }
  function byVerdict(a, b) { return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0); }

  // counts are a problem's samples by verdict, cached on it.
  function counts(p) {
    if (!p._counts) {
      var c = {};
      p.s.forEach(function (s) { c[s.v] = (c[s.v] || 0) + 1; });
      p._counts = c;
    }
    return p._counts;
  }
  function verdictText(p) {
    var c = counts(p);
    return Object.keys(c).sort(byVerdict).map(function (v) { return c[v] + " " + v; }).join(" · ");
  }
  function verdictNodes(p) {
    var c = counts(p), out = [];
    Object.keys(c).sort(byVerdict).forEach(function (v, i) {
      if (i) out.push(" ");
      out.push(el("span", { cls: "sb-nowrap" }, c[v] + "\u00a0", SB.verdict(v)));
    });
    return out;
  }
  function passAt1(p) { return p.n ? p.c / p.n : null; }

  function headline(msg) {
    var lines = msg.trim().split("\n"), h = lines[lines.length - 1];
    for (var i = 0; i < lines.length; i++) if (/error/i.test(lines[i])) { h = lines[i]; break; }
    h = h.trim();
    return h.length > 160 ? h.slice(0, 159) + "\u2026" : h;
  }

  function block(title, text, note) {
    return [el("h4", null, title, note ? el("span", { cls: "sb-muted", text: " " + note }) : null), el("pre", { text: text })];
  }

  function kib(k) {
    return k >= 1024 ? (k / 1024).toFixed(1) + " MiB" : k + " KiB";
  }

  // testNode shows a sample's deciding test.
  function testNode(t) {
    var facts = ["test " + t.i];
    if (t.group) facts.push("inputs of " + t.group);
    if (t.inputs) facts.push(t.inputs + " inputs");
    if (t.exit != null) facts.push("exit code " + t.exit);
    if (t.signal) facts.push("signal " + t.signal);
    if (t.cpu_ms != null) facts.push(t.cpu_ms.toFixed(1) + " ms CPU");
    if (t.wall_ms != null) facts.push(t.wall_ms.toFixed(1) + " ms wall");
    if (t.mem_kib) facts.push(kib(t.mem_kib) + " memory");
    if (t.stopped_by) facts.push("stopped by the " + t.stopped_by.replace("_", " ") + " limit");
    var n = el("div", { cls: "sb-test" }, el("p", null, el("strong", { text: "Deciding test: " }), SB.verdict(t.v), " " + facts.join(" · ")));
    if (t.msg) add(n, block("Message", t.msg));
    var c = t["case"];
    if (c) {
      var cut = function (f) { return c.truncated && c.truncated.indexOf(f) >= 0 ? "(cut to its first 1 KiB)" : ""; };
      var from = c.from_line ? "(from line " + c.from_line + ")" : "";
      var grid = el("div", { cls: "sb-case" }, el("div", null, block("Input", c.input, cut("input"))));
      if (c.expected != null) add(grid, el("div", null, block("Expected", c.expected, (from + " " + cut("expected")).trim())));
      if (c.got != null) add(grid, el("div", null, block("Got", c.got, (from + " " + cut("got")).trim())));
      add(n, grid);
      if (c.expected != null && c.got != null) {
        add(n, [el("h4", { text: "Diff: lines marked - are expected only, + got only" }), SB.diffNode(c.expected, c.got)]);
      } else if (c.got == null) {
        add(n, el("p", { cls: "sb-note", text: "No output to compare: " + (t.v === "RE" ? "the program raised or crashed" : "a limit ended the run, so what it wrote depends on timing") + "." }));
      }
    }
    if (t.stderr) add(n, block("Standard error", t.stderr, "(the end of it)"));
    return n;
  }

  function sampleTitle(s) {
    var parts = ["sample " + s.i];
    if (s.line) parts[0] += " (line " + s.line + ")";
    var out = [parts[0], " ", SB.verdict(s.v)];
    var facts = [];
    if (s.inputs) facts.push(s.v === "AC" ? "all " + s.tt + " inputs passed" : s.tt + " inputs");
    else if (s.tt) facts.push(s.tp + " of " + s.tt + " tests passed");
    if (s.base != null) facts.push("base inputs " + (s.base ? "passed" : "failed"));
    if (s.lang) facts.push(s.lang);
    out.push(" " + facts.join(" · "));
    if (s.v !== "AC" && s.msg) out.push(" \u2014 " + headline(s.msg));
    return out;
  }

  function sampleNode(s, open) {
    if (s.v === "AC") return el("p", { cls: "sb-sample-ok" }, sampleTitle(s));
    var d = el("details", { cls: "sb-sample sb-print-open", open: open }, el("summary", null, sampleTitle(s)));
    if (s.msg && (!s.test || s.test.msg !== s.msg.replace(/^test \d+: /, ""))) add(d, block("Message", s.msg));
    if (s.compile) add(d, block("Build output", s.compile));
    if (s.test) add(d, testNode(s.test));
    else if (s.v !== "SE") add(d, el("p", { cls: "sb-note", text: "No test ran: the sample was decided before its tests." }));
    return d;
  }

  // problemNode lists a problem's samples, failing ones expandable.
  function problemNode(p, keys) {
    var n = el("div", { cls: "sb-problem" });
    var facts = [];
    if (p.checker) facts.push("judged by " + p.checker);
    (keys || []).forEach(function (k, i) { if (p.meta && p.meta[i]) facts.push(k + ": " + p.meta[i]); });
    if (facts.length) add(n, el("p", { cls: "sb-note", text: facts.join(" · ") }));
    var failing = p.s.filter(function (s) { return s.v !== "AC"; }).length;
    var list = el("div");
    function show(all) {
      list.textContent = "";
      var shown = all ? p.s : p.s.slice(0, SHOWN);
      shown.forEach(function (s) { list.appendChild(sampleNode(s, failing === 1)); });
      if (shown.length < p.s.length) {
        list.appendChild(el("button", { type: "button", cls: "sb-toggle", text: "Show all " + p.s.length + " samples", onclick: function () { show(true); } }));
      }
    }
    show(false);
    add(n, list);
    return n;
  }

  function searchText(p, keys) {
    var t = p.id + " " + (p.meta || []).join(" ") + " " + verdictText(p);
    p.s.forEach(function (s) { if (s.msg) t += " " + s.msg.slice(0, 300); });
    return t;
  }

  function verdictFilter(problems) {
    var seen = {};
    problems.forEach(function (p) { Object.keys(counts(p)).forEach(function (v) { seen[v] = true; }); });
    return { label: "Verdict", options: [{ label: "any" }].concat(Object.keys(seen).sort(byVerdict).map(function (v) {
      return { label: "a sample " + v, test: function (p) { return counts(p)[v] > 0; } };
    })) };
  }

  // report draws the report page's problem table.
  function report(d) {
    var keys = d.meta_keys || [];
    var cols = [
      { label: "Task", value: function (p) { return p.id; }, cell: function (p) { return el("code", { text: p.id }); } },
      { label: "Samples", num: true, narrow: true, value: function (p) { return p.s.length; }, cell: function (p) { return String(p.s.length); } },
      { label: "Passed", num: true, desc: true, value: function (p) { return p.c; }, cell: function (p) { return p.c + " of " + p.n; } },
      { label: "pass@1", num: true, desc: true, value: passAt1, cell: function (p) { return SB.pct(passAt1(p)); } },
      { label: "Verdicts", value: verdictText, cell: verdictNodes }
    ];
    if (d.base) {
      // HumanEval+ and MBPP+: how many samples passed the base inputs.
      var based = function (p) { return p.s.filter(function (s) { return s.base; }).length; };
      cols.splice(3, 0, { label: "Base passed", num: true, narrow: true, desc: true, value: based, cell: function (p) { return based(p) + " of " + p.n; } });
    }
    cols = cols.concat(keys.map(function (k, i) {
      return { label: k, narrow: true, value: function (p) { return (p.meta && p.meta[i]) || null; }, cell: function (p) { return (p.meta && p.meta[i]) || "\u2014"; } };
    }));
    var tbl = SB.table(document.getElementById("problems-table"), {
      rows: d.problems, columns: cols, noun: "problems", pageSize: 50,
      search: { label: "Search", placeholder: "task, metadata, verdict, message", text: function (p) { return searchText(p, keys); } },
      filters: [
        { label: "Show", options: [
          { label: "all problems" },
          { label: "with a failing sample", test: function (p) { return p.c < p.s.length; } },
          { label: "with no passing sample", test: function (p) { return p.c === 0; } },
          { label: "with every sample passing", test: function (p) { return p.s.length > 0 && p.c === p.s.length; } }
        ].concat(d.base ? [{ label: "with a sample failing only the plus inputs", test: function (p) { return p.s.some(function (s) { return s.base && s.v !== "AC"; }); } }] : []) },
        verdictFilter(d.problems)
      ],
      rowLabel: function (p) { return p.id; },
      detail: function (p) { return problemNode(p, keys); },
      empty: "No problem matches."
    });
    // report.html#task=ID opens that problem (a link from a CI summary or
    // a comparison).
    var openHash = function () {
      var m = /^#task=(.+)$/.exec(location.hash);
      if (!m) return;
      var id = decodeURIComponent(m[1]);
      for (var i = 0; i < d.problems.length; i++) {
        if (d.problems[i].id === id) {
          tbl.search(id);
          tbl.expand(i);
          document.getElementById("problems").scrollIntoView();
          return;
        }
      }
    };
    openHash();
    window.addEventListener("hashchange", openHash);
    performance.mark("sb-ready");
  }

  // compare draws the comparison page's table of flipped problems.
  function compare(d) {
    var flips = d.flips;
    var cols = [
      { label: "Task", value: function (f) { return f.id; }, cell: function (f) { return el("code", { text: f.id }); } },
      { label: "Change", value: function (f) { return f.kind; }, cell: function (f) { return f.kind === "fixed" ? "\u2191 fixed" : "\u2193 broken"; } },
      { label: "base pass@1", num: true, value: function (f) { return f.base; }, cell: function (f) { return SB.pct(f.base); } },
      { label: "new pass@1", num: true, value: function (f) { return f["new"]; }, cell: function (f) { return SB.pct(f["new"]); } },
      { label: "Difference", num: true, value: function (f) { return f["new"] - f.base; }, cell: function (f) { return SB.pp(f["new"] - f.base); } }
    ];
    SB.table(document.getElementById("flips-table"), {
      rows: flips, columns: cols, noun: "flipped problems", pageSize: 50, sort: { col: 4, desc: false },
      search: { label: "Search", placeholder: "task id", text: function (f) { return f.id + " " + f.kind; } },
      filters: [{ label: "Show", options: [
        { label: "fixed and broken" },
        { label: "fixed", test: function (f) { return f.kind === "fixed"; } },
        { label: "broken", test: function (f) { return f.kind === "broken"; } }
      ] }],
      rowLabel: function (f) { return f.id; },
      detail: function (f) {
        return el("div", { cls: "sb-grid" },
          el("div", null, el("h4", { text: "base: " + d.base_name }), f.bp ? problemNode(f.bp, d.meta_keys) : "not in the base report"),
          el("div", null, el("h4", { text: "new: " + d.new_name }), f.np ? problemNode(f.np, d.meta_keys) : "not in the new report"));
      },
      empty: "No flipped problem matches."
    });
    performance.mark("sb-ready");
  }

  return { report: report, compare: compare, problemNode: problemNode, testNode: testNode };
})();
