// serviceloop: keyboard navigation of lists and feedback for htmx requests. No framework.
(function () {
  "use strict";

  function typing(event) {
    const el = event.target;
    return el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName);
  }

  // Lists: j / k move, o or Enter opens, / searches, x selects (bulk actions).
  function rows() { return Array.from(document.querySelectorAll("[data-sl-row]")); }
  function current() { return document.querySelector("[data-sl-row].sl-row-active"); }
  function activate(row) {
    const old = current();
    if (old) old.classList.remove("sl-row-active");
    if (!row) return;
    row.classList.add("sl-row-active");
    row.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    const list = rows();
    if (event.key === "/") {
      const search = document.querySelector("[data-sl-search]");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (!list.length) return;
    const index = list.indexOf(current());
    if (event.key === "j") { activate(list[Math.min(index + 1, list.length - 1)]); }
    else if (event.key === "k") { activate(list[Math.max(index - 1, 0)]); }
    else if (event.key === "o" || event.key === "Enter") {
      const link = current() && current().querySelector("[data-sl-open]");
      if (link) { event.preventDefault(); link.click(); }
    } else if (event.key === "x") {
      const box = current() && current().querySelector("input[type=checkbox]");
      if (box) { box.click(); }
    }
  });

  // Toasts: server messages (HX-Trigger {"sl:toast": "..."}) and failed requests.
  function toast(text, kind) {
    const box = document.getElementById("sl-toasts");
    if (!box || !text) return;
    const el = document.createElement("div");
    el.className = "toast align-items-center border-0 text-bg-" + (kind || "dark");
    el.setAttribute("role", "status");
    const body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = text;
    el.appendChild(body);
    box.appendChild(el);
    const t = window.bootstrap ? new window.bootstrap.Toast(el, { delay: 5000 }) : null;
    if (t) { t.show(); el.addEventListener("hidden.bs.toast", function () { el.remove(); }); }
  }
  document.body.addEventListener("sl:toast", function (event) { toast(event.detail.value, "success"); });
  document.body.addEventListener("htmx:responseError", function () {
    toast(document.body.dataset.slError, "danger");
  });
  document.body.addEventListener("htmx:sendError", function () {
    toast(document.body.dataset.slOffline, "danger");
  });

  // SLA countdowns: time left (or over) and the colour, kept current without a reload:
  // green, amber from 75 % of the time used, red when late.
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-sl-due]").forEach(function (el) {
      const due = Date.parse(el.dataset.slDue), start = Date.parse(el.dataset.slStart);
      if (isNaN(due)) return;
      const left = Math.round((due - now) / 60000), minutes = Math.abs(left);
      const text = (left < 0 ? "-" : "") + Math.floor(minutes / 60) + "h" + pad(minutes % 60);
      const used = (now - start) / Math.max(due - start, 1);
      const state = left < 0 ? "breached" : used >= 0.75 ? "warning" : "ok";
      const out = el.querySelector(".sl-remaining");
      if (out) out.textContent = "(" + text + ")";
      if (el.dataset.slState !== state) {
        el.classList.remove("sl-sla-" + el.dataset.slState);
        el.classList.add("sl-sla-" + state);
        el.dataset.slState = state;
      }
    });
  }
  tick();
  setInterval(tick, 30000);
  document.body.addEventListener("htmx:afterSettle", tick);

  // Select-all box of bulk actions.
  document.addEventListener("change", function (event) {
    const all = event.target.closest("[data-sl-select-all]");
    if (!all) return;
    document.querySelectorAll("input[data-sl-select]").forEach(function (box) { box.checked = all.checked; });
  });

  // The landing page of a one-click survey link: opening it stores nothing (mail scanners
  // open every link), so the browser sends its form at once.
  document.querySelectorAll("form[data-sl-autosubmit]").forEach(function (form) { form.requestSubmit(); });
})();
