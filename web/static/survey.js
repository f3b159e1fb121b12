(function () {
  "use strict";
  var key = "hl:" + location.pathname, store;
  try { store = window.sessionStorage; store.setItem(key + ":t", "1"); store.removeItem(key + ":t"); } catch (e) { store = null; }
  if (document.body.getAttribute("data-done")) { if (store) { store.removeItem(key); } return; }
  var f = document.getElementById("survey");
  if (!f || !f.querySelectorAll) { return; }
  var d = f.dataset || {}, steps = [].slice.call(f.querySelectorAll(".step")), cur = 0;
  document.documentElement.className += " js";

  function fields() { return [].slice.call(f.elements).filter(function (el) { return el.name && el.name !== "lang"; }); }
  function save() {
    if (!store) { return; }
    var out = {};
    fields().forEach(function (el) {
      if (el.type === "radio") { if (el.checked) { out[el.name] = el.value; } } else if (el.value) { out[el.name] = el.value; }
    });
    store.setItem(key, JSON.stringify(out));
  }
  function restore() {
    var saved = {};
    try { saved = JSON.parse((store && store.getItem(key)) || "{}") || {}; } catch (e) { saved = {}; }
    fields().forEach(function (el) {
      if (!(el.name in saved)) { return; }
      if (el.type === "radio") { if (el.value === saved[el.name]) { el.checked = true; } } else if (!el.value) { el.value = saved[el.name]; }
    });
  }
  function missing(step) {
    var bad = [];
    [].slice.call(step.querySelectorAll("[data-req]")).forEach(function (q) {
      var ok = q.querySelector("input:checked"), err = q.querySelector(".err");
      if (!ok) { err.textContent = d.required; if (!/ bad/.test(q.className)) { q.className += " bad"; } bad.push(q); }
    });
    return bad;
  }
  function clear(q) {
    if (!q || !q.getAttribute("data-req")) { return; }
    q.className = q.className.replace(/ ?bad/g, "");
    q.querySelector(".err").textContent = "";
  }

  var bar = document.createElement("div"), pos = document.createElement("p"), nav = document.createElement("div");
  bar.className = "bar"; bar.innerHTML = "<i></i>"; pos.className = "pos"; pos.setAttribute("aria-live", "polite");
  nav.className = "nav";
  nav.innerHTML = '<button type="button" class="bk"></button><button type="button" class="nx"></button>';
  var back = nav.firstChild, next = nav.lastChild, send = f.querySelector(".send");
  back.textContent = d.back; next.textContent = d.next;
  f.insertBefore(pos, f.firstChild); f.insertBefore(bar, pos); f.insertBefore(nav, send);

  function show(n, focus) {
    cur = Math.max(0, Math.min(n, steps.length - 1));
    steps.forEach(function (s, i) { s.className = i === cur ? "step on" : "step"; });
    bar.firstChild.style.width = ((cur + 1) * 100 / steps.length) + "%";
    pos.textContent = d.pos.replace("{n}", cur + 1).replace("{total}", steps.length);
    back.style.visibility = cur ? "visible" : "hidden";
    next.style.display = cur === steps.length - 1 ? "none" : "";
    send.style.display = cur === steps.length - 1 ? "" : "none";
    if (focus) { window.scrollTo(0, f.offsetTop - 8); var h = steps[cur].querySelector("h2"); h.tabIndex = -1; h.focus(); }
  }
  back.onclick = function () { show(cur - 1, true); };
  next.onclick = function () {
    var bad = missing(steps[cur]);
    if (bad.length) { bad[0].scrollIntoView(); return; }
    show(cur + 1, true);
  };
  f.addEventListener("change", function (e) { clear(e.target.closest ? e.target.closest(".q") : null); save(); });
  f.addEventListener("input", save);
  f.addEventListener("submit", function (e) {
    for (var i = 0; i < steps.length; i++) {
      var bad = missing(steps[i]);
      if (bad.length) { e.preventDefault(); show(i, false); bad[0].scrollIntoView(); return; }
    }
  });

  restore();
  var first = 0, errs = f.querySelectorAll(".bad");
  if (errs.length) { steps.some(function (s, i) { first = i; return s.querySelector(".bad"); }); }
  show(first, false);
})();
