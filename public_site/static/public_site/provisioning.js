// Provisioning in the console. The form: one click sends it once (the server also knows a
// form sent twice). The progress page: the job's steps from its JSON every second until it has
// finished, the current step and the result in a live region. Without JavaScript the page
// refreshes itself (and has an "Uppdatera" link).
(function () {
  "use strict";

  const form = document.getElementById("provision-form");
  if (form) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button[type=submit]");
      // After this event, so the click still sends the form.
      if (button) setTimeout(() => { button.disabled = true; }, 0);
    });
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  const root = document.getElementById("provisioning");
  if (!root || root.dataset.finished === "1") return;
  const part = (name) => root.querySelector(`[data-role="${name}"]`);
  const refresh = part("refresh");
  if (refresh) refresh.hidden = true;
  let lastAnnounced = part("live").textContent.trim();

  function announce(text) {
    if (text && text !== lastAnnounced) {
      part("live").textContent = text;
      lastAnnounced = text;
    }
  }

  function link(href, text) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function showResult(data) {
    const result = part("result");
    result.replaceChildren();
    if (data.status === "done") {
      const list = document.createElement("ul");
      list.className = "result-links";
      const site = document.createElement("li");
      const address = document.createElement("span");
      address.className = "muted";
      address.textContent = data.provider_url;
      site.append(link(data.provider_url, root.dataset.textOpen), " ", address);
      const page = document.createElement("li");
      page.append(link(data.console_url, root.dataset.textConsole));
      list.append(site, page);
      result.append(list);
    } else {
      const again = document.createElement("p");
      const button = link(root.dataset.retryUrl, root.dataset.textRetry);
      button.className = "button";
      again.append(button);
      result.append(again);
    }
    if (refresh) refresh.remove();
  }

  function render(data) {
    for (const step of data.steps) {
      const item = root.querySelector(`[data-step="${step.step}"]`);
      if (!item) continue;
      item.className = `step step-${step.state}`;
      item.querySelector('[data-role="state"]').textContent = step.state_label;
    }
    if (data.finished) {
      root.dataset.finished = "1";
      showResult(data);
      announce(data.message);
      return;
    }
    const active = data.steps.find((step) => step.state === "active");
    if (active) announce(`${active.label} …`);
    setTimeout(poll, 1000);
  }

  function poll() {
    fetch(root.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => {
        // A staff session that has expired is sent to log in: show that page.
        if (response.redirected) {
          window.location.reload();
          return new Promise(() => {});
        }
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(render)
      .catch(() => {
        announce(root.dataset.textLost);
        setTimeout(poll, 3000);
      });
  }

  poll();
})();
