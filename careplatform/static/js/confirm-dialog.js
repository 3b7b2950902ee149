// Nothing irreversible in one click: a form marked data-confirm-dialog opens the <dialog> it
// holds instead of sending; only the dialog's own submit button (name="confirmed") sends it.
// The dialog is modal (the rest of the page is inert), keeps Tab inside itself, closes with
// Escape or its "no" button, and gives the focus back to the button that opened it. Without
// JavaScript the form is sent as it is and the server answers with a confirmation page.
(function () {
  "use strict";

  function focusable(dialog) {
    const selector = "button, [href], input:not([type=hidden]), select, textarea";
    return Array.from(dialog.querySelectorAll(selector)).filter((el) => !el.disabled);
  }

  // "ons 4 mars 2026 11:00" from the form's date and time, as typed (Swedish time).
  function typedTime(form) {
    const date = form.elements.date && form.elements.date.value;
    const time = form.elements.time && form.elements.time.value;
    if (!date || !time) return "";
    const [year, month, day] = date.split("-").map(Number);
    const [hour, minute] = time.split(":").map(Number);
    const moment = new Date(Date.UTC(year, month - 1, day, hour, minute));
    return new Intl.DateTimeFormat(document.documentElement.lang || "sv", {
      weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", timeZone: "UTC",
    }).format(moment);
  }

  function prepare(form) {
    const dialog = form.querySelector("dialog");
    if (!dialog || typeof dialog.showModal !== "function") return;
    const summary = dialog.querySelector("[data-summary]");
    let opener = null;

    form.addEventListener("submit", (event) => {
      if (event.submitter && dialog.contains(event.submitter)) return;  // confirmed
      const when = summary ? typedTime(form) : "";
      // Without a new time the server names what is missing; nothing changes unconfirmed.
      if (summary && !when) return;
      event.preventDefault();
      if (summary) summary.textContent = summary.dataset.summary.replace("{when}", when);
      opener = event.submitter || document.activeElement;
      dialog.showModal();
      focusable(dialog)[0].focus();
    });

    dialog.addEventListener("keydown", (event) => {
      if (event.key !== "Tab") return;
      const items = focusable(dialog);
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.querySelectorAll("[data-close]").forEach((button) => {
      button.addEventListener("click", () => dialog.close());
    });
    dialog.addEventListener("close", () => {
      if (opener) opener.focus();
    });
  }

  document.querySelectorAll("form[data-confirm-dialog]").forEach(prepare);
})();
