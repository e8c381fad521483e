// The dashboard's tracked list: add a symbol or an option-chain (or futures) rule, remove one, and show what a
// rule resolves to today. Each change reloads the page, which the server renders from the tracked file.
(function () {
  const $ = (id) => document.getElementById(id);
  const JSON_HEADERS = () => ({"Content-Type": "application/json", "X-CSRF-Token": kitefetch.csrf()});
  const checked = (name) => Array.from(document.querySelectorAll(`input[name="${name}"]:checked`)).map((b) => b.value);

  function failed(error) {
    $("tracked-error").textContent = error.message;
    $("tracked-error").hidden = false;
  }

  async function track(body, button) {
    $("tracked-error").hidden = true;
    if (!body.intervals.length) return failed(new Error("Tick at least one interval."));
    button.disabled = true;
    try {
      await kitefetch.call("/api/data/tracked", {method: "POST", headers: JSON_HEADERS(), body: JSON.stringify(body)});
      location.reload();
    } catch (error) {
      failed(error);
      button.disabled = false;
    }
  }

  $("ts-from").value = new Date(Date.now() - 365 * 86400e3).toISOString().slice(0, 10);
  $("track-symbol").addEventListener("submit", (event) => {
    event.preventDefault();
    track({exchange: $("ts-exchange").value, symbol: $("ts-symbol").value.trim(), intervals: checked("ts-interval"),
           from_date: $("ts-from").value}, $("ts-submit"));
  });

  const optionsOnly = () => {
    for (const label of document.querySelectorAll("#track-chain .options-only")) {
      label.hidden = $("tc-rule").value !== "options";
    }
  };
  $("tc-rule").addEventListener("change", optionsOnly);
  optionsOnly();
  $("track-chain").addEventListener("submit", (event) => {
    event.preventDefault();
    const rule = $("tc-rule").value;
    const body = {rule, exchange: $("tc-exchange").value, underlying: $("tc-underlying").value.trim(),
                  intervals: checked("tc-interval")};
    if ($("tc-from").value) body.from_date = $("tc-from").value;
    if (rule === "options") {
      body.expiries = Number($("tc-expiries").value);
      body.strikes = Number($("tc-strikes").value);
      if ($("tc-price").value.trim()) body.underlying_symbol = $("tc-price").value.trim();
    }
    track(body, $("tc-submit"));
  });

  function contractsTable(body) {
    const table = document.createElement("table");
    const head = table.insertRow();
    for (const name of ["symbol", "expiry", "strike", "type"]) {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    }
    for (const c of body.contracts) {
      const row = table.insertRow();
      for (const text of [`${c.exchange}:${c.symbol}`, c.expiry || "", c.strike ?? "", c.instrument_type]) {
        row.insertCell().textContent = text;
      }
    }
    return table;
  }

  async function showContracts(id, button) {
    const row = document.querySelector(`.contracts-row[data-for="${CSS.escape(id)}"]`);
    if (!row.hidden) { row.hidden = true; return; }
    const cell = row.cells[0];
    cell.textContent = "resolving...";
    row.hidden = false;
    button.disabled = true;
    try {
      const body = await kitefetch.call(`/api/data/tracked/${encodeURIComponent(id)}/resolve`);
      const summary = document.createElement("p");
      summary.className = "summary";
      summary.textContent = `${body.count} contracts today` + (body.underlying
        ? `, around ${body.underlying.symbol}'s close ${body.underlying.close} on ${body.underlying.date}` : "");
      cell.replaceChildren(summary, contractsTable(body));
    } catch (error) {
      cell.textContent = error.message;
      cell.className = "error";
    } finally {
      button.disabled = false;
    }
  }

  $("tracked").addEventListener("click", async (event) => {
    const button = event.target.closest("button");
    const row = button && button.closest("tr[data-id]");
    if (!row) return;
    const id = row.dataset.id;
    if (button.classList.contains("contracts")) return showContracts(id, button);
    if (!button.classList.contains("remove")) return;
    button.disabled = true;
    try {
      await kitefetch.call(`/api/data/tracked/${encodeURIComponent(id)}`, {method: "DELETE", headers: JSON_HEADERS()});
      location.reload();
    } catch (error) {
      failed(error);
      button.disabled = false;
    }
  });
})();
