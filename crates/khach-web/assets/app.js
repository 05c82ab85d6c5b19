// Khách: small conveniences on top of plain forms. Every page works without this file.
"use strict";
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  const msg = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (msg && !window.confirm(msg)) {
    ev.preventDefault();
  }
});
document.addEventListener("click", (ev) => {
  const btn = ev.target instanceof Element ? ev.target.closest("[data-copy]") : null;
  if (!btn) return;
  const el = document.getElementById(btn.dataset.copy);
  if (el && navigator.clipboard) {
    navigator.clipboard.writeText(el.textContent.trim());
  }
});
// Customer page: edit a profile field in place.
document.addEventListener("click", (ev) => {
  const link = ev.target instanceof Element ? ev.target.closest("[data-edit]") : null;
  if (!link) return;
  const row = link.closest(".pf");
  if (!row) return;
  ev.preventDefault();
  row.classList.add("editing");
  const input = row.querySelector("input:not([type=hidden]), select, textarea");
  if (input) input.focus();
});
document.addEventListener("click", (ev) => {
  const link = ev.target instanceof Element ? ev.target.closest(".cancel-edit") : null;
  const row = link ? link.closest(".pf") : null;
  if (!row) return;
  ev.preventDefault();
  row.classList.remove("editing");
});
// Address: the wards of the chosen province.
document.addEventListener("change", async (ev) => {
  const sel = ev.target;
  if (!(sel instanceof HTMLSelectElement) || !sel.dataset.wards) return;
  const ward = document.getElementById(sel.dataset.wards);
  if (!(ward instanceof HTMLSelectElement)) return;
  ward.length = 1;
  if (!sel.value) return;
  const res = await fetch("/units/wards?province=" + encodeURIComponent(sel.value));
  if (!res.ok) return;
  for (const [code, name] of await res.json()) {
    ward.add(new Option(name, code));
  }
});
// Customer list: tick every row; offer only the conditions of the chosen field.
document.addEventListener("change", (ev) => {
  const el = ev.target;
  if (el instanceof HTMLInputElement && el.id === "select-all") {
    for (const box of document.querySelectorAll("input[name=ids]")) box.checked = el.checked;
  }
  if (el instanceof HTMLSelectElement && el.classList.contains("rule-field")) {
    const op = el.parentElement && el.parentElement.querySelector(".rule-op");
    if (!op) return;
    let first = null;
    for (const o of op.options) {
      o.hidden = o.dataset.field !== el.value;
      if (!o.hidden && !first) first = o;
    }
    if (first) op.value = first.value;
  }
});
