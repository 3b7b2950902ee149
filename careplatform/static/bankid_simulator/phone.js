// The simulated BankID phone: pick a remembered person, and keep the list of orders fresh
// (every 2 s, unless you are typing) without losing what you typed.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("phone-form");
  if (!form) return;

  form.addEventListener("click", (event) => {
    const pick = event.target.closest("button.pick");
    if (!pick) return;
    form.elements.pnr.value = pick.dataset.pnr;
    form.elements.given.value = pick.dataset.given;
    form.elements.surname.value = pick.dataset.surname;
  });

  async function refresh() {
    if (form.contains(document.activeElement) && document.activeElement.tagName === "INPUT") {
      return;
    }
    try {
      const response = await fetch(window.location.pathname, { credentials: "same-origin" });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("orders");
      const current = document.getElementById("orders");
      if (fresh && current && fresh.innerHTML !== current.innerHTML) {
        current.innerHTML = fresh.innerHTML;
      }
    } catch (error) {
      // The server may be restarting: try again on the next tick.
    }
  }
  window.setInterval(refresh, 2000);
});
