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
