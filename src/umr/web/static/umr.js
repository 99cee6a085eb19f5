// umr: small progressive helpers. Pages work without this file.
// 1. "/" focuses the search box. 2. On a static export, search runs over search-index.js.
// 3. Zoom and pan for the lineage graph.
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

  // 3. The lineage graph: fitted to its box by its viewBox (no script needed for that); here,
  // zoom (wheel, buttons) and pan (drag), and when the fitted drawing is too small to read,
  // a start at reading size centred on the record itself.
  function graphs() {
    document.querySelectorAll(".graph > svg").forEach(function (svg) {
      var base = svg.viewBox.baseVal;
      if (!base || !base.width) return;
      var full = [base.x, base.y, base.width, base.height];
      var view = full.slice();
      var box = svg.parentElement;
      box.classList.add("zoomable");
      function show() { svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(1); }).join(" ")); }
      function zoom(f, cx, cy) {
        var w = Math.min(full[2] * 2, Math.max(full[2] / 40, view[2] * f));
        var h = w * view[3] / view[2];
        view = [cx - (cx - view[0]) * w / view[2], cy - (cy - view[1]) * h / view[3], w, h];
        show();
      }
      function centre() { return [view[0] + view[2] / 2, view[1] + view[3] / 2]; }
      function at(ev) {
        var r = svg.getBoundingClientRect();
        return [view[0] + (ev.clientX - r.left) / r.width * view[2], view[1] + (ev.clientY - r.top) / r.height * view[3]];
      }
      var bar = el("div", null, "graph-controls");
      [["+", "Zoom in", function () { var c = centre(); zoom(0.8, c[0], c[1]); }],
       ["\u2212", "Zoom out", function () { var c = centre(); zoom(1.25, c[0], c[1]); }],
       ["Fit", "Show the whole graph", function () { view = full.slice(); show(); }]].forEach(function (b) {
        var btn = el("button", b[0]);
        btn.type = "button";
        btn.title = b[1];
        btn.setAttribute("aria-label", b[1]);
        btn.addEventListener("click", b[2]);
        bar.appendChild(btn);
      });
      box.appendChild(bar);
      svg.addEventListener("wheel", function (ev) {
        ev.preventDefault();
        var p = at(ev);
        zoom(ev.deltaY < 0 ? 0.85 : 1 / 0.85, p[0], p[1]);
      }, { passive: false });
      var drag = null;
      svg.addEventListener("pointerdown", function (ev) { drag = at(ev); svg.setPointerCapture(ev.pointerId); });
      svg.addEventListener("pointermove", function (ev) {
        if (!drag) return;
        var p = at(ev);
        view[0] -= p[0] - drag[0];
        view[1] -= p[1] - drag[1];
        show();
      });
      svg.addEventListener("pointerup", function () { drag = null; });
      // fitted, the drawing shows at box width / drawing width; under a third of its size
      // (text under 4 px), start at reading size around the record itself (Fit shows all)
      var subject = svg.querySelector(".node.subject rect");
      var scale = box.clientWidth / full[2];
      if (subject && scale < 0.34) {
        var sx = subject.x.baseVal.value + subject.width.baseVal.value / 2;
        var sy = subject.y.baseVal.value + subject.height.baseVal.value / 2;
        var w = Math.min(full[2], box.clientWidth / 0.9);
        var h = Math.min(full[3], w * full[3] / full[2] * 1.0);
        view = [sx - w / 2, sy - h / 2, w, h];
        show();
      }
    });
  }

  function ready() { staticSearch(); graphs(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
