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

// Forms keep what was typed: a POST form is sent from here, and an error comes back as a
// message beside the field it names (data-field on the answer), with the page left as it
// was. Success follows the server's redirect. Without script, the form posts as usual.
function fieldFor(form, name) {
  if (!name) return null;
  const candidates = [name, name.split(".").pop(), name.replace(/\[\d+\]/g, "")];
  for (const candidate of candidates) {
    const quoted = CSS.escape(candidate);
    const el = form.querySelector(`[name="${quoted}"], [data-field~="${quoted}"]`);
    if (el) return el;
  }
  return null;
}

function clearFormErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-errormessage");
  });
}

let formErrorCount = 0;
function showFormError(form, message, fieldName) {
  clearFormErrors(form);
  const p = document.createElement("p");
  p.className = "error field-error";
  p.setAttribute("role", "alert");
  p.id = "form-error-" + (++formErrorCount);
  p.textContent = message;
  const control = fieldFor(form, fieldName);
  if (control && control.type !== "hidden") {
    const anchor = control.closest("label") || control;
    anchor.insertAdjacentElement("afterend", p);
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-errormessage", p.id);
    control.focus();
  } else {
    form.insertAdjacentElement("afterbegin", p);
  }
}

function showPage(html) {
  // A page answered to the POST itself (no redirect): shown in place of this one.
  const doc = new DOMParser().parseFromString(html, "text/html");
  document.title = doc.title;
  document.body.replaceWith(document.adoptNode(doc.body));
  if (window.htmx) window.htmx.process(document.body);
  localizeTimes(document);
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
  if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
  // Attributes, not properties: a control named "action" or "target" shadows those.
  if (form.hasAttribute("target") || form.hasAttribute("data-native")) return;
  if ([...form.attributes].some((a) => a.name.startsWith("hx-"))) return;
  event.preventDefault();
  const data = new FormData(form, event.submitter || undefined);
  const multipart = (form.getAttribute("enctype") || "").startsWith("multipart/");
  const action = new URL(form.getAttribute("action") || "", window.location.href).href;
  const buttons = [...form.querySelectorAll("button, input[type=submit]")];
  buttons.forEach((b) => { b.disabled = true; });
  let response;
  try {
    response = await fetch(action, {
      method: "POST",
      body: multipart ? data : new URLSearchParams(data),
      headers: { "X-OpenOnCall-Form": "1" },
      credentials: "same-origin",
    });
  } catch {
    buttons.forEach((b) => { b.disabled = false; });
    showFormError(form, "The server cannot be reached: nothing was sent. Try again.", null);
    return;
  }
  const target = response.headers.get("HX-Redirect");
  if (target) {
    const next = new URL(target, window.location.href);
    const here = new URL(window.location.href);
    window.location.assign(next.href);
    // Only the #fragment differs: assign() would scroll, not load the page again.
    if (next.pathname === here.pathname && next.search === here.search) window.location.reload();
    return;
  }
  buttons.forEach((b) => { b.disabled = false; });
  const text = await response.text();
  if (response.status >= 400) {
    const holder = new DOMParser().parseFromString(text, "text/html");
    const message = holder.querySelector(".error");
    showFormError(
      form,
      message ? message.textContent : "The request failed (" + response.status + ")",
      message ? message.dataset.field : null,
    );
    return;
  }
  if (response.redirected) {
    window.location.assign(response.url);
    return;
  }
  showPage(text);
});

// Time-zone pickers start at the reader's own zone (when the list has it).
document.addEventListener("DOMContentLoaded", () => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return;
  }
  document.querySelectorAll("select[data-browser-zone]").forEach((select) => {
    if ([...select.options].some((o) => o.value === zone)) select.value = zone;
  });
});

// Tabs wider than the screen scroll sideways: say so under them, and keep the current tab
// in view.
function markScrollingTabs() {
  document.querySelectorAll("nav.tabs").forEach((tabs) => {
    const scrolls = tabs.scrollWidth > tabs.clientWidth + 1;
    let hint = tabs.nextElementSibling;
    if (!(hint && hint.classList.contains("tabs-hint"))) hint = null;
    if (scrolls && !hint) {
      hint = document.createElement("p");
      hint.className = "hint tabs-hint";
      hint.textContent = "More tabs: swipe them sideways →";
      tabs.insertAdjacentElement("afterend", hint);
      const current = tabs.querySelector('[aria-current="page"]');
      if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
    } else if (!scrolls && hint) {
      hint.remove();
    }
  });
}
document.addEventListener("DOMContentLoaded", markScrollingTabs);
window.addEventListener("resize", markScrollingTabs);
