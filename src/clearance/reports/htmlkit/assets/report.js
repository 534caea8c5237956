/* clearance report.html: language switch, findings filters, search and table.
   Data is read from JSON blocks and put into the page only as text (textContent), never as markup.
   Nothing is fetched: the page's Content-Security-Policy forbids it anyway. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  function $(id) { return doc.getElementById(id); }
  var D = JSON.parse($("clearance-data").textContent);
  var rows = JSON.parse($("clearance-findings").textContent);
  performance.mark("clearance:parsed");

  function field(name) { /* row layout: ROW_FIELDS in htmlkit/findings.py, sent as D.fields */
    var i = D.fields.indexOf(name);
    if (i < 0) throw new Error("report data has no field " + name);
    return i;
  }
  var C = field("check"), V = field("verdict"), S = field("severity"), A = field("account"), R = field("region"),
    T = field("type"), ID = field("id"), NAME = field("name"), REASON = field("reason"), U = field("underlying"),
    X = field("exception"), E = field("error"), DEP = field("dependency"), AT = field("attestation");
  var PAGE = D.pageSize || 100, DEBOUNCE_MS = 150, COLS = 8;
  var checks = D.checks, verdicts = D.verdicts, severities = D.severities;
  var ATTENTION = ["FAIL", "ERROR", "NEEDS_CONTEXT", "MANUAL"];
  var nf = new Intl.NumberFormat("en-US");
  var lang = "en";
  var stats = window.clearanceReport = {
    findings: rows.length, query: "", renders: 0, lastEventAt: 0, lastFilterMs: 0, lastRenderMs: 0, lastRenderedAt: 0
  };

  function tx(key, vals) {
    var pair = D.ui[key], s = pair ? pair[lang === "ko" ? 1 : 0] : key;
    if (vals) s = s.replace(/\{(\w+)\}/g, function (m, k) { return Object.prototype.hasOwnProperty.call(vals, k) ? vals[k] : m; });
    return s;
  }
  function pick(text, fallback) { return text ? (text[lang] || text.en || fallback || "") : (fallback || ""); }
  function el(tag, cls, text) {
    var e = doc.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function verdictName(i) { return verdicts[i]; }
  function status(s) { return D.ui["xs." + s] ? tx("xs." + s) : s; }

  /* ---- precomputed lookups ---- */
  function ranks(values) {
    var idx = values.map(function (v, i) { return i; });
    idx.sort(function (a, b) { return values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0; });
    var out = new Array(values.length);
    idx.forEach(function (i, r) { out[i] = r; });
    return out;
  }
  var checkRank = ranks(checks.map(function (c) { return c.id; }));
  var accountRank = ranks(D.accounts), regionRank = ranks(D.regions);
  var checkHay = checks.map(function (c) {
    return (c.id + "\n" + ((c.title && c.title.en) || "") + "\n" + ((c.title && c.title.ko) || "")).toLowerCase();
  });
  var controlChecks = {};
  checks.forEach(function (c, i) {
    (c.controls || []).forEach(function (ctl) { (controlChecks[ctl] = controlChecks[ctl] || {})[i] = true; });
  });
  var hay = null; /* lowercase resource id / name / reason per finding: built right after the first render */
  function buildHay() {
    hay = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
      var f = rows[i];
      hay[i] = (f[ID] + "\n" + f[NAME] + "\n" + f[REASON]).toLowerCase();
    }
  }
  function count(column, size) {
    var out = new Array(size).fill(0);
    for (var i = 0; i < rows.length; i++) out[rows[i][column]]++;
    return out;
  }
  var counts = {
    v: count(V, verdicts.length), s: count(S, severities.length), c: count(C, checks.length),
    a: count(A, D.accounts.length), r: count(R, D.regions.length)
  };

  /* ---- state ---- */
  var state, order, view = [], page = 0, expanded = {}, sortKey = "", sortDir = 1;
  function freshState() { return { v: "", s: -1, ctl: "", c: -1, a: -1, r: -1, q: "", req: null }; }
  state = freshState();

  var SORTS = {
    v: function (a, b) { return rows[a][V] - rows[b][V]; },
    s: function (a, b) { return rows[a][S] - rows[b][S]; },
    c: function (a, b) { return checkRank[rows[a][C]] - checkRank[rows[b][C]]; },
    n: function (a, b) {
      var x = rows[a][NAME] || rows[a][ID], y = rows[b][NAME] || rows[b][ID];
      return x < y ? -1 : x > y ? 1 : 0;
    },
    a: function (a, b) { return accountRank[rows[a][A]] - accountRank[rows[b][A]]; },
    r: function (a, b) { return regionRank[rows[a][R]] - regionRank[rows[b][R]]; }
  };
  function defaultOrder(a, b) {
    var fa = rows[a], fb = rows[b];
    return (fa[V] - fb[V]) || (fa[S] - fb[S]) || (checkRank[fa[C]] - checkRank[fb[C]]) || (a - b);
  }
  function sortRows() {
    order = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) order[i] = i;
    var cmp = SORTS[sortKey];
    order.sort(cmp ? function (a, b) { return sortDir * cmp(a, b) || defaultOrder(a, b); } : defaultOrder);
  }

  /* ---- filtering ---- */
  function verdictSet() {
    if (state.v === "") return null;
    var names = state.v === "attention" ? ATTENTION : [state.v];
    var set = {};
    names.forEach(function (n) { var i = verdicts.indexOf(n); if (i >= 0) set[i] = true; });
    return set;
  }
  function applyFilters() {
    var t0 = performance.now();
    var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length && !hay) buildHay();
    var vset = verdictSet(), cset = state.ctl ? (controlChecks[state.ctl] || {}) : null;
    var rset = state.req ? state.req.set : null;
    var out = [];
    outer: for (var k = 0; k < order.length; k++) {
      var i = order[k], f = rows[i];
      if (vset && !vset[f[V]]) continue;
      if (state.s >= 0 && f[S] !== state.s) continue;
      if (state.c >= 0 && f[C] !== state.c) continue;
      if (state.a >= 0 && f[A] !== state.a) continue;
      if (state.r >= 0 && f[R] !== state.r) continue;
      if (cset && !cset[f[C]]) continue;
      if (rset && !rset[f[C]]) continue;
      for (var j = 0; j < terms.length; j++) {
        if (hay[i].indexOf(terms[j]) < 0 && checkHay[f[C]].indexOf(terms[j]) < 0) continue outer;
      }
      out.push(i);
    }
    view = out;
    page = 0;
    stats.query = state.q;
    stats.lastFilterMs = performance.now() - t0;
    render();
  }

  /* ---- rendering ---- */
  function badge(verdictIndex) {
    var name = verdictName(verdictIndex);
    return el("span", "badge c-" + name, tx("v." + name));
  }
  function row(i) {
    var f = rows[i], ch = checks[f[C]], tr = el("tr");
    tr.className = "v-" + verdictName(f[V]);
    var tog = el("td", "tog"), b = el("button", "tog-btn", expanded[i] ? "▾" : "▸");
    b.type = "button";
    b.setAttribute("data-i", String(i));
    b.setAttribute("aria-expanded", expanded[i] ? "true" : "false");
    if (expanded[i]) b.setAttribute("aria-controls", "detail-" + i);
    b.setAttribute("aria-label", tx("f.details") + ": " + ch.id + " — " + (f[NAME] || f[ID]));
    tog.appendChild(b);
    tr.appendChild(tog);
    var v = el("td");
    v.appendChild(badge(f[V]));
    if (f[U] >= 0) v.appendChild(el("span", "underlying", "← " + tx("v." + verdictName(f[U]))));
    tr.appendChild(v);
    tr.appendChild(el("td")).appendChild(el("span", "sev sev-" + severities[f[S]], tx("s." + severities[f[S]])));
    var c = el("td");
    c.appendChild(el("div", "ctitle", pick(ch.title, ch.id)));
    c.appendChild(el("div", "cid", ch.id));
    tr.appendChild(c);
    var r = el("td");
    r.appendChild(el("div", "rname", f[NAME] || f[ID]));
    if (f[NAME] && f[NAME] !== f[ID]) r.appendChild(el("span", "rid", f[ID]));
    tr.appendChild(r);
    tr.appendChild(el("td", null, D.accounts[f[A]]));
    tr.appendChild(el("td", null, D.regions[f[R]]));
    tr.appendChild(el("td")).appendChild(el("div", "reason-text", f[REASON]));
    return tr;
  }
  function term(dl, key, value) {
    if (value === undefined || value === null || value === "") return;
    dl.appendChild(el("dt", null, tx(key)));
    var dd = dl.appendChild(el("dd"));
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
  }
  function detail(i) {
    var f = rows[i], ch = checks[f[C]];
    var tr = el("tr", "detail"), td = el("td"), dl = el("dl");
    td.colSpan = COLS;
    td.id = "detail-" + i;
    term(dl, "f.reason", f[REASON]);
    term(dl, "d.rationale", pick(ch.rationale));
    term(dl, "d.remediation", pick(ch.remediation));
    term(dl, "d.controls", (ch.controls || []).map(function (id) {
      var ctl = D.controls[id];
      return id + (ctl ? " " + pick(ctl.title) : "");
    }).join("\n"));
    term(dl, "d.type", D.types[f[T]]);
    term(dl, "d.id", f[ID]);
    if (f[U] >= 0) term(dl, "d.underlying", tx("v." + verdictName(f[U])));
    if (f[X]) term(dl, "d.exception", f[X][0] + " · " + status(f[X][1]) + (f[X][2] ? " · " + tx("d.expires", { date: f[X][2] }) : ""));
    if (f[AT]) term(dl, "d.attestation", f[AT][0] + " · " + status(f[AT][1]));
    if (f[E]) {
      var e = f[E];
      term(dl, "d.error", e[0] + " → " + e[1] + (e[4] ? " (" + tx("d.denied") + ")" : "") + (e[2] ? ": " + e[2] : ""));
      term(dl, "d.permission", e[3]);
    }
    if (f[DEP]) term(dl, "d.dependency", tx("yes"));
    var refs = (ch.references || []).filter(function (u) { return /^https?:\/\//i.test(u); });
    if (refs.length) {
      var list = el("div");
      refs.forEach(function (u) {
        var a = el("a", null, u);
        a.href = u;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        list.appendChild(el("div")).appendChild(a);
      });
      term(dl, "d.references", list);
    }
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }
  function render() {
    var t0 = performance.now();
    var body = $("f-body"), frag = doc.createDocumentFragment();
    var pages = Math.max(1, Math.ceil(view.length / PAGE));
    if (page >= pages) page = pages - 1;
    var start = page * PAGE, end = Math.min(view.length, start + PAGE);
    for (var k = start; k < end; k++) {
      frag.appendChild(row(view[k]));
      if (expanded[view[k]]) frag.appendChild(detail(view[k]));
    }
    if (!view.length) {
      var none = el("td", "empty", tx("f.none"));
      none.colSpan = COLS;
      frag.appendChild(el("tr")).appendChild(none);
    }
    body.textContent = "";
    body.appendChild(frag);
    var status = view.length
      ? tx("f.showing", { from: nf.format(start + 1), to: nf.format(end), n: nf.format(view.length) })
      : tx("f.none");
    if (view.length !== rows.length) status += " " + tx("f.filtered", { total: nf.format(rows.length) });
    $("f-status").textContent = status;
    $("p-info").textContent = tx("f.page", { page: nf.format(page + 1), pages: nf.format(pages) });
    $("p-first").disabled = $("p-prev").disabled = page === 0;
    $("p-next").disabled = $("p-last").disabled = page >= pages - 1;
    root.setAttribute("data-rows", String(view.length));
    stats.renders++;
    stats.lastRenderMs = performance.now() - t0;
    stats.lastRenderedAt = performance.now();
    if (stats.renders === 1) {
      performance.mark("rendered");
      setTimeout(function () { if (!hay) buildHay(); }, 0);
    }
  }

  /* ---- filter controls ---- */
  function fill(select, options, value) {
    select.textContent = "";
    options.forEach(function (o) {
      var opt = el("option", null, o[1]);
      opt.value = String(o[0]);
      select.appendChild(opt);
    });
    select.value = String(value);
  }
  function withCount(label, n) { return label + " (" + nf.format(n) + ")"; }
  function indexOptions(values, countsOf, label) {
    var idx = values.map(function (v, i) { return i; }).filter(function (i) { return countsOf[i] > 0; });
    idx.sort(function (a, b) { return values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0; });
    return idx.map(function (i) { return [i, withCount(label(i), countsOf[i])]; });
  }
  function fillFilters() {
    var all = [[-1, withCount(tx("f.all"), rows.length)]];
    var vOpts = [["", withCount(tx("f.all"), rows.length)], ["attention", tx("f.attention")]];
    verdicts.forEach(function (name, i) { if (counts.v[i]) vOpts.push([name, withCount(tx("v." + name), counts.v[i])]); });
    fill($("f-v"), vOpts, state.v);
    fill($("f-s"), all.concat(severities.map(function (s, i) { return [i, withCount(tx("s." + s), counts.s[i])]; })
      .filter(function (o, i) { return counts.s[i] > 0; })), state.s);
    var ctlCount = {};
    for (var i = 0; i < checks.length; i++) (checks[i].controls || []).forEach(function (ctl) { ctlCount[ctl] = (ctlCount[ctl] || 0) + counts.c[i]; });
    var ctlOpts = [["", withCount(tx("f.all"), rows.length)]];
    Object.keys(ctlCount).sort().forEach(function (id) {
      var ctl = D.controls[id];
      ctlOpts.push([id, withCount(id + " " + (ctl ? pick(ctl.title) : ""), ctlCount[id])]);
    });
    fill($("f-ctl"), ctlOpts, state.ctl);
    fill($("f-c"), all.concat(indexOptions(checks.map(function (c) { return c.id; }), counts.c, function (i) {
      return checks[i].id + " — " + pick(checks[i].title);
    })), state.c);
    fill($("f-a"), all.concat(indexOptions(D.accounts, counts.a, function (i) { return D.accounts[i]; })), state.a);
    fill($("f-r"), all.concat(indexOptions(D.regions, counts.r, function (i) { return D.regions[i]; })), state.r);
  }
  function renderChips() {
    var box = $("f-chips");
    box.textContent = "";
    if (!state.req) return;
    var chip = el("span", "chip", tx("f.requirement", { id: state.req.label }) + " ");
    var x = el("button", null, "×");
    x.type = "button";
    x.setAttribute("aria-label", tx("f.remove"));
    x.addEventListener("click", function () { state.req = null; renderChips(); applyFilters(); });
    chip.appendChild(x);
    box.appendChild(chip);
  }
  function syncControls() {
    $("f-q").value = state.q;
    fillFilters();
    renderChips();
  }

  /* ---- language ---- */
  function setLang(next) {
    lang = next === "ko" ? "ko" : "en";
    root.setAttribute("data-ui", lang);
    root.lang = lang;
    Array.prototype.forEach.call(doc.querySelectorAll("[data-set-lang]"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-set-lang") === lang ? "true" : "false");
    });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-label]"), function (b) {
      b.setAttribute("aria-label", tx(b.getAttribute("data-label")));
    });
    Array.prototype.forEach.call(doc.querySelectorAll("th button.sort"), function (b) {
      b.setAttribute("title", tx("f.sort", { col: b.textContent.replace(/[↕▲▼]/g, "").trim() }));
    });
    if (D.title && D.title[lang]) doc.title = D.title[lang];
    try { window.localStorage.setItem("clearance.lang", lang); } catch (err) { /* storage may be off for file:// */ }
    fillFilters();
    renderChips();
    render();
  }
  function initialLang() {
    try {
      var saved = window.localStorage.getItem("clearance.lang");
      if (saved === "en" || saved === "ko") return saved;
    } catch (err) { /* no storage */ }
    return /^ko\b/i.test(navigator.language || "") ? "ko" : "en";
  }

  /* ---- events ---- */
  var timer = 0;
  $("f-q").addEventListener("input", function (ev) {
    stats.lastEventAt = performance.now();
    clearTimeout(timer);
    var value = ev.target.value;
    timer = setTimeout(function () { state.q = value; applyFilters(); }, DEBOUNCE_MS);
  });
  function onSelect(id, key, numeric) {
    $(id).addEventListener("change", function (ev) {
      stats.lastEventAt = performance.now();
      state[key] = numeric ? parseInt(ev.target.value, 10) : ev.target.value;
      applyFilters();
    });
  }
  onSelect("f-v", "v", false);
  onSelect("f-s", "s", true);
  onSelect("f-ctl", "ctl", false);
  onSelect("f-c", "c", true);
  onSelect("f-a", "a", true);
  onSelect("f-r", "r", true);
  $("f-form").addEventListener("submit", function (ev) { ev.preventDefault(); });
  $("f-reset").addEventListener("click", function () {
    state = freshState();
    syncControls();
    applyFilters();
  });
  function go(delta, absolute) {
    stats.lastEventAt = performance.now();
    var pages = Math.max(1, Math.ceil(view.length / PAGE));
    page = Math.min(pages - 1, Math.max(0, absolute !== undefined ? absolute : page + delta));
    render();
  }
  $("p-first").addEventListener("click", function () { go(0, 0); });
  $("p-prev").addEventListener("click", function () { go(-1); });
  $("p-next").addEventListener("click", function () { go(1); });
  $("p-last").addEventListener("click", function () { go(0, Infinity); });
  $("f-body").addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("button.tog-btn") : null;
    if (!b) return;
    var i = parseInt(b.getAttribute("data-i"), 10);
    if (expanded[i]) delete expanded[i]; else expanded[i] = true;
    render();
    var again = $("f-body").querySelector('button[data-i="' + i + '"]');
    if (again) again.focus();
  });
  Array.prototype.forEach.call(doc.querySelectorAll("th button.sort"), function (b) {
    b.addEventListener("click", function () {
      stats.lastEventAt = performance.now();
      var key = b.getAttribute("data-sort");
      sortDir = sortKey === key ? -sortDir : 1;
      sortKey = key;
      Array.prototype.forEach.call(doc.querySelectorAll("th[aria-sort]"), function (th) { th.setAttribute("aria-sort", "none"); });
      b.parentNode.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      sortRows();
      applyFilters();
    });
  });
  Array.prototype.forEach.call(doc.querySelectorAll("[data-set-lang]"), function (b) {
    b.addEventListener("click", function () { setLang(b.getAttribute("data-set-lang")); });
  });
  /* summary cards, control bars and requirement rows open the findings table filtered */
  doc.addEventListener("click", function (ev) {
    var link = ev.target.closest ? ev.target.closest("[data-goto]") : null;
    if (!link) return;
    var spec = link.getAttribute("data-goto"), sep = spec.indexOf(":");
    var kind = spec.slice(0, sep), value = spec.slice(sep + 1);
    state = freshState();
    if (kind === "verdict") state.v = value;
    else if (kind === "control") state.ctl = value;
    else if (kind === "req" && D.requirements[value]) {
      var set = {};
      D.requirements[value].checks.forEach(function (i) { set[i] = true; });
      state.req = { label: D.requirements[value].label, set: set };
    }
    syncControls();
    applyFilters();
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(doc.querySelectorAll("details"), function (d) { d.open = true; });
  });

  sortRows();
  view = order.slice();
  setLang(initialLang());
})();
