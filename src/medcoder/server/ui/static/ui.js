// medcoder workbench pages: every change goes through the JSON API with the CSRF header
// (double submit: the medcoder_csrf cookie's value, see medcoder/server/sessions.py).
// Markup conventions, no build step:
//   data-api="POST /api/..."  on a button (body from data-body) or a form (body from its fields;
//                             fields with data-type="int" are sent as numbers, unchecked radios
//                             and checkboxes are left out, "{name}" in the URL takes field name)
//   data-then="reload" | "refresh:#id" (re-fetch the element's data-refresh-url) | a URL with
//                             {dotted.path} filled from the JSON answer
//   data-refresh-with="#id"   on a panel with data-refresh-url: re-fetched whenever #id is
//                             (the scrub findings and the claim preview follow the codes)
//   data-upload="/api/documents..."  multipart upload of a file or pasted text
//   data-download="POST /api/..."  on a form: post its textarea's JSON, save the answer as a
//                             file (name from Content-Disposition, else data-filename)
//   data-show-evidence="<suggestion id>"  highlight that code's <mark data-codes> spans
(function () {
  "use strict";

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)medcoder_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  function errorText(status, data) {
    if (data && data.error && data.error.message) return data.error.message;
    return "request failed (HTTP " + status + ")";
  }

  async function call(method, url, body, isForm) {
    var headers = { "X-CSRF-Token": csrf(), "Accept": "application/json" };
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (body !== undefined && body !== null) {
      if (isForm) { init.body = body; }
      else { headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    }
    var response = await fetch(url, init);
    var data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) {
      location.href = "/ui/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new Error("log in again");
    }
    if (!response.ok) throw new Error(errorText(response.status, data));
    return data;
  }

  function fill(template, data) {
    return template.replace(/\{([\w.]+)\}/g, function (_, path) {
      var value = path.split(".").reduce(function (o, k) { return o == null ? o : o[k]; }, data);
      return encodeURIComponent(value == null ? "" : String(value));
    });
  }

  function showError(el, message) {
    var box = (el.closest("form, .code-actions, li, section") || document).querySelector("[data-error]")
      || document.querySelector("[data-flash]");
    box.textContent = message;
    box.hidden = false;
  }

  async function reloadPanel(target) {
    var response = await fetch(target.dataset.refreshUrl, { credentials: "same-origin" });
    if (!response.ok) { location.reload(); return; }
    // A <pre> shows a document as text (the claim preview's JSON); other panels are HTML.
    if (target.tagName === "PRE") { target.textContent = await response.text(); return; }
    target.innerHTML = await response.text();
  }

  async function refresh(selector) {
    await reloadPanel(document.querySelector(selector));
    // Panels that follow this one (data-refresh-with="#codes") reload after it.
    var followers = document.querySelectorAll("[data-refresh-with]");
    await Promise.all(Array.prototype.filter.call(followers, function (el) {
      return el.dataset.refreshWith.split(" ").indexOf(selector) >= 0;
    }).map(reloadPanel));
  }

  async function then(el, data) {
    var next = el.dataset.then || "reload";
    if (next === "reload") { location.reload(); return; }
    if (next.indexOf("refresh:") === 0) { await refresh(next.slice(8)); return; }
    location.href = fill(next, data);
  }

  function formBody(form) {
    var body = {};
    form.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (f) {
      if (f.type === "file") return;
      if ((f.type === "radio" || f.type === "checkbox") && !f.checked) return;
      if (f.value === "" && f.dataset.type !== "int" && !f.required) return;
      body[f.name] = f.dataset.type === "int" ? Number(f.value) : f.value;
    });
    return body;
  }

  async function run(el, work) {
    var buttons = el.tagName === "FORM" ? el.querySelectorAll("button") : [el];
    buttons.forEach(function (b) { b.disabled = true; b.classList.add("busy"); });
    try {
      var data = await work();
      await then(el, data);
    } catch (err) {
      showError(el, err.message);
      buttons.forEach(function (b) { b.disabled = false; b.classList.remove("busy"); });
    }
  }

  function split(spec) { var i = spec.indexOf(" "); return [spec.slice(0, i), spec.slice(i + 1)]; }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-api]");
    if (button) {
      event.preventDefault();
      var parts = split(button.dataset.api);
      var body = button.dataset.body ? JSON.parse(button.dataset.body) : {};
      run(button, function () { return call(parts[0], parts[1], body); });
      return;
    }
    var code = event.target.closest("[data-show-evidence]");
    if (code) { showEvidence(code.dataset.showEvidence, code); return; }
    if (event.target.closest("[data-logout]")) {
      call("POST", "/logout").finally(function () { location.href = "/ui/login"; });
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.login !== undefined) { event.preventDefault(); login(form); return; }
    if (form.dataset.upload) { event.preventDefault(); upload(form); return; }
    if (form.dataset.download) { event.preventDefault(); download(form); return; }
    if (form.dataset.api) {
      event.preventDefault();
      var parts = split(form.dataset.api);
      var body = formBody(form);
      // "{field}" in the URL takes that field's value (e.g. the encounter id typed in a form).
      var url = parts[1].replace(/\{(\w+)\}/g, function (_, name) {
        var value = body[name];
        delete body[name];
        return encodeURIComponent(value == null ? "" : String(value));
      });
      run(form, function () { return call(parts[0], url, body); });
    }
  });

  function upload(form) {
    var file = form.querySelector("input[type=file]").files[0];
    var text = form.querySelector("textarea[name=text]").value;
    if (!file && !text.trim()) { showError(form, "choose a file or paste the note text"); return; }
    var data = new FormData();
    data.append("file", file || new Blob([text], { type: "text/plain" }), file ? file.name : "note.txt");
    var url = form.dataset.upload;
    var setting = form.querySelector("select[name=setting]");
    if (setting) url += (url.indexOf("?") < 0 ? "?" : "&") + "setting=" + encodeURIComponent(setting.value);
    run(form, function () { return call("POST", url, data, true); });
  }

  function download(form) {
    var parts = split(form.dataset.download);
    var body;
    try { body = JSON.parse(form.querySelector("textarea").value); }
    catch (e) { showError(form, "the claim data is not valid JSON: " + e.message); return; }
    var buttons = form.querySelectorAll("button");
    var box = form.querySelector("[data-error]");
    buttons.forEach(function (b) { b.disabled = true; b.classList.add("busy"); });
    (async function () {
      var response = await fetch(parts[1], {
        method: parts[0],
        headers: { "X-CSRF-Token": csrf(), "Content-Type": "application/json" },
        credentials: "same-origin",
        body: JSON.stringify(body)
      });
      if (response.status === 401) {
        location.href = "/ui/login?next=" + encodeURIComponent(location.pathname + location.search);
        return;
      }
      if (!response.ok) {
        var data = null;
        try { data = await response.json(); } catch (e) { data = null; }
        throw new Error(errorText(response.status, data));
      }
      var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      var url = URL.createObjectURL(await response.blob());
      var link = document.createElement("a");
      link.href = url;
      link.download = match ? match[1] : (form.dataset.filename || "download");
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      if (box) box.hidden = true;
    })().catch(function (err) { showError(form, err.message); }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; b.classList.remove("busy"); });
    });
  }

  function login(form) {
    var body = new URLSearchParams(new FormData(form));
    body.set("csrf_token", csrf() || body.get("csrf_token"));
    form.dataset.then = form.dataset.next || "/ui/worklist";
    run(form, async function () {
      var response = await fetch(form.action, { method: "POST", body: body, credentials: "same-origin" });
      var data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      if (!response.ok) throw new Error(errorText(response.status, data));
      return data;
    });
  }

  function showEvidence(id, codeEl) {
    var marks = document.querySelectorAll("mark[data-codes]");
    var first = null;
    marks.forEach(function (m) {
      var on = m.dataset.codes.split(" ").indexOf(String(id)) >= 0;
      m.classList.toggle("on", on);
      if (on && !first) first = m;
    });
    document.querySelectorAll(".code.selected").forEach(function (c) { c.classList.remove("selected"); });
    var li = codeEl.closest(".code");
    if (li) li.classList.add("selected");
    if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
  }
})();
