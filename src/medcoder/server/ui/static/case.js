// Case page (issue 9): citations open the cited record in the source pane with the quoted
// characters marked; the claim-facts and classification forms are sent as JSON with the CSRF
// header (lists and numbers, which ui.js's generic forms do not build).
(function () {
  "use strict";

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)medcoder_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function fail(form, message) {
    var box = form.querySelector("[data-error]");
    box.textContent = message;
    box.hidden = false;
  }

  async function send(form, method, url, body) {
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; b.classList.add("busy"); });
    try {
      var response = await fetch(url, {
        method: method, credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf(), "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(body)
      });
      var data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (!response.ok) {
        throw new Error(data && data.error ? data.error.message : "request failed (HTTP " + response.status + ")");
      }
      location.reload();
    } catch (err) {
      fail(form, err.message);
      buttons.forEach(function (b) { b.disabled = false; b.classList.remove("busy"); });
    }
  }

  async function openCitation(link) {
    var pane = document.querySelector("[data-source-body]");
    if (!pane) { location.href = link.href; return; }
    var response = await fetch(link.dataset.cite, { credentials: "same-origin" });
    if (!response.ok) { location.href = link.href; return; }
    pane.innerHTML = await response.text();
    document.querySelectorAll("a.cite.on, tr.selected").forEach(function (el) {
      el.classList.remove("on", "selected");
    });
    link.classList.add("on");
    var row = link.closest("tr[data-event]");
    if (row) row.classList.add("selected");
    var mark = pane.querySelector("mark.ev.on");
    var source = document.getElementById("source");
    if (source && source.getBoundingClientRect().top < 0) source.scrollIntoView({ block: "start" });
    if (mark) mark.scrollIntoView({ block: "center" });
    history.replaceState(null, "", link.href.replace("#source", ""));
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-cite]");
    if (!link || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    openCitation(link);
  });

  function details(form) {
    var body = { version: Number(form.dataset.version) };
    form.querySelectorAll("input[name]").forEach(function (f) {
      if (f.value.trim()) body[f.name] = f.value.trim();
    });
    body.defendants = form.querySelector("textarea[name=defendants]").value.split("\n")
      .map(function (line) { return line.split("|").map(function (s) { return s.trim(); }); })
      .filter(function (p) { return p[0]; })
      .map(function (p) {
        var party = { name: p[0], role: p[1] || "" };
        if (p[2]) party.specialty = p[2];
        if (p[3]) party.npi = p[3];
        return party;
      });
    return body;
  }

  function classification(form) {
    var pick = function (name) { return Number(form.querySelector("select[name=" + name + "]").value); };
    var body = {
      allegation_group: pick("allegation_group"),
      allegation: pick("allegation"),
      severity: pick("severity"),
      contributing_factors: Array.prototype.map.call(
        form.querySelectorAll("input[name=contributing_factors]:checked"), function (c) { return c.value; }),
      version: Number(form.dataset.version)
    };
    var note = form.querySelector("input[name=note]").value.trim();
    if (note) body.note = note;
    var initial = JSON.parse(form.dataset.initial);
    var same = ["allegation_group", "allegation", "severity"].every(function (k) { return body[k] === initial[k]; })
      && body.contributing_factors.slice().sort().join() === initial.contributing_factors.slice().sort().join();
    body.status = same ? "confirmed" : "changed";
    return body;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var spec = form.dataset.caseDetails || form.dataset.classify;
    if (!spec) return;
    event.preventDefault();
    var i = spec.indexOf(" ");
    var body = form.dataset.caseDetails ? details(form) : classification(form);
    send(form, spec.slice(0, i), spec.slice(i + 1), body);
  });
})();
