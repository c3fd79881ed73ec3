// serviceloop: the team board's drag and drop. Drop a ticket row on a person (or on
// "Unassigned") to reassign it. Progressive enhancement: each row keeps its select and
// "Assign" button; this only sets that select and submits the same form (htmx sends it).
(function () {
  "use strict";

  let dragged = null; // the number of the ticket being dragged

  function element(node) {
    return node && node.nodeType === 1 ? node : node && node.parentElement;
  }
  function dropTarget(event) {
    const el = element(event.target);
    return dragged && el ? el.closest("[data-sl-drop]") : null;
  }
  function formOf(number) {
    return Array.from(document.querySelectorAll("form[data-sl-assign]")).find(function (form) {
      return form.dataset.slAssign === number;
    });
  }
  function clear() {
    document.querySelectorAll(".sl-dragging, .sl-drop-over").forEach(function (el) {
      el.classList.remove("sl-dragging", "sl-drop-over");
    });
    document.body.classList.remove("sl-board-dragging");
  }

  document.addEventListener("dragstart", function (event) {
    const el = element(event.target);
    const row = el && el.closest("[data-sl-ticket]");
    if (!row) return;
    dragged = row.dataset.slTicket;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
    row.classList.add("sl-dragging");
    document.body.classList.add("sl-board-dragging");
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    clear();
  });
  document.addEventListener("dragover", function (event) {
    const row = dropTarget(event);
    if (!row) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".sl-drop-over").forEach(function (el) {
      if (el !== row) el.classList.remove("sl-drop-over");
    });
    row.classList.add("sl-drop-over");
  });
  document.addEventListener("dragleave", function (event) {
    const row = dropTarget(event);
    if (row && !row.contains(element(event.relatedTarget))) row.classList.remove("sl-drop-over");
  });
  document.addEventListener("drop", function (event) {
    const row = dropTarget(event);
    if (!row) return;
    event.preventDefault();
    const form = formOf(dragged);
    dragged = null;
    clear();
    if (!form) return;
    const select = form.querySelector("select[name=assignee]");
    const value = row.dataset.slAssignee || "";
    const offered = Array.from(select.options).some(function (o) { return o.value === value; });
    if (!offered || select.value === value) return;
    select.value = value;
    form.requestSubmit();
  });
})();
