// OpenOnCall web UI behaviour: copy buttons, confirmations, local times, htmx error display.
"use strict";

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = source.textContent.trim();
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Without clipboard permission (plain http), fall back to selecting the text.
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
  }
  const before = button.textContent;
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = before; }, 1500);
});

// Forms with data-confirm ask first (revoke, regenerate, bulk actions).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// Show <time datetime> values in the reader's own time zone.
function localizeTimes(root) {
  root.querySelectorAll("time[datetime]").forEach((el) => {
    if (el.dataset.localized) return;
    const when = new Date(el.getAttribute("datetime"));
    if (Number.isNaN(when.getTime())) return;
    el.title = el.textContent;
    el.textContent = when.toLocaleString([], {
      year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
    });
    el.dataset.localized = "1";
  });
}
document.addEventListener("DOMContentLoaded", () => localizeTimes(document));
document.addEventListener("htmx:afterSettle", (event) => localizeTimes(event.target));

// htmx ignores 4xx/5xx answers by default; show their message instead of failing silently.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status >= 400) {
    event.detail.shouldSwap = false;
    const box = document.getElementById("errors");
    if (box) {
      // DOMParser, not innerHTML on a live element: nothing in the answer loads or runs.
      const holder = new DOMParser().parseFromString(xhr.responseText, "text/html");
      const message = holder.querySelector(".error");
      box.innerHTML = "";
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = message ? message.textContent : "The request failed (" + xhr.status + ")";
      box.appendChild(p);
    }
  }
});
document.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("errors");
  if (box) box.innerHTML = '<p class="error">The server cannot be reached; retrying…</p>';
});

// The page's CSP runs no inline handlers: these replace onchange="this.form.submit()",
// javascript:history.back() and htmx trigger filters (which need eval).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
});
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-back]");
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
// A polling element with data-poll-unless-checked skips its poll while one of those inputs
// inside it is ticked.
document.addEventListener("htmx:beforeRequest", (event) => {
  const el = event.detail.elt;
  const selector = el.dataset && el.dataset.pollUnlessChecked;
  if (selector && el.querySelector(selector + ":checked")) event.preventDefault();
});
