// BankID login: start an order, poll its status every second (the server animates the QR code
// and collects from BankID about every two seconds), show BankID's message, follow the redirect.
(function () {
  "use strict";
  const root = document.getElementById("bankid-login");
  if (!root) return;
  const part = (name) => root.querySelector(`[data-role="${name}"]`);
  const isPhone = /iPhone|iPad|iPod|Android/i.test(navigator.userAgent);
  let timer = null;

  function post(url, data) {
    const body = new URLSearchParams(data || {});
    if (root.dataset.next) body.set("next", root.dataset.next);
    return fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.dataset.csrf, Accept: "application/json" },
    }).then((response) => response.json().catch(() => ({ state: "failed", message: "" })));
  }

  // Where the keyboard goes when a step replaces the one whose button had the focus.
  const FOCUS = {
    choose: '[data-action="start"]',
    pending: '[data-action="cancel"]',
    failed: '[data-action="retry"]',
  };

  function show(state, moveFocus) {
    part("choices").hidden = state !== "choose";
    part("progress").hidden = state !== "pending";
    root.querySelector('[data-action="retry"]').hidden = state !== "failed";
    part("error").hidden = state !== "failed";
    if (moveFocus) root.querySelector(FOCUS[state]).focus();
  }

  function stopPolling() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function fail(message) {
    stopPolling();
    part("error").textContent = message || root.dataset.textError;
    show("failed", true);
  }

  function render(data) {
    if (data.state === "complete" && data.redirect) {
      stopPolling();
      part("message").textContent = data.message;
      window.location.assign(data.redirect);
      return;
    }
    if (data.state !== "pending") {
      fail(data.message);
      return;
    }
    part("message").textContent = data.message;
    const qr = part("qr");
    if (data.qr) {
      qr.src = data.qr;
      qr.hidden = false;
    }
    timer = setTimeout(poll, 1000);
  }

  function poll() {
    post(root.dataset.statusUrl).then(render, () => fail());
  }

  function start(mode) {
    part("qr").hidden = true;
    part("open-app").hidden = true;
    part("message").textContent = "";
    show("pending", true);
    post(root.dataset.startUrl, { mode }).then((data) => {
      if (data.state !== "pending") return fail(data.message);
      if (mode === "same_device") {
        const base = isPhone ? "https://app.bankid.com/" : "bankid:///";
        const link = `${base}?autostarttoken=${encodeURIComponent(data.autoStartToken)}&redirect=null`;
        const open = part("open-app");
        open.href = link;
        open.hidden = false;
        window.location.href = link;
      }
      poll();
    }, () => fail());
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "start") start(button.dataset.mode);
    if (action === "cancel") {
      stopPolling();
      post(root.dataset.cancelUrl).then(() => show("choose", true));
    }
    if (action === "retry") show("choose", true);
  });
  show("choose");
})();
