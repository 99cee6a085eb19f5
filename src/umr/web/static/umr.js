// umr: small progressive helpers. Pages work without this file.
// 1. "/" focuses the search box. 2. On a static export, search runs over search-index.js.
(function () {
  "use strict";
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "/" || /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) return;
    var box = document.querySelector("input[type=search]");
    if (box) { ev.preventDefault(); box.focus(); }
  });

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function staticSearch() {
    var out = document.getElementById("search-results");
    if (!out || !document.body.dataset.static || !window.UMR_INDEX) return;
    var params = new URLSearchParams(window.location.search);
    var q = (params.get("q") || "").toLowerCase().split(/\s+/).filter(Boolean);
    var kind = params.get("kind") || "", publisher = (params.get("publisher") || "").toLowerCase();
    var relation = params.get("relation") || "", advisory = params.get("advisory") || "";
    var form = document.getElementById("search-form");
    ["q", "kind", "publisher", "relation", "advisory"].forEach(function (k) {
      if (form && form.elements[k] && params.get(k)) form.elements[k].value = params.get(k);
    });
    var hits = window.UMR_INDEX.filter(function (r) {
      var hay = [r.name, r.title, r.summary, r.publisher].join(" ").toLowerCase();
      if (!q.every(function (w) { return hay.indexOf(w) >= 0; })) return false;
      if (kind && r.kind !== kind) return false;
      if (publisher && (r.publisher || "").toLowerCase() !== publisher) return false;
      if (relation && r.relations.indexOf(relation) < 0) return false;
      if (advisory === "yes" && !r.advisories) return false;
      if (advisory === "no" && r.advisories) return false;
      return true;
    }).slice(0, 200);
    document.getElementById("search-count").textContent = hits.length + (hits.length === 1 ? " result" : " results");
    out.textContent = "";
    var table = el("table", null, "hits"), body = el("tbody");
    hits.forEach(function (r) {
      var tr = el("tr"), td = el("td"), a = el("a", r.name, "hit");
      a.href = r.url;
      td.appendChild(a); td.appendChild(document.createTextNode(" ")); td.appendChild(el("span", r.version, "v"));
      tr.appendChild(td);
      tr.appendChild(el("td", r.kind));
      tr.appendChild(el("td", r.title || ""));
      tr.appendChild(el("td", r.publisher || ""));
      body.appendChild(tr);
    });
    table.appendChild(body);
    out.appendChild(table);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", staticSearch);
  else staticSearch();
})();
