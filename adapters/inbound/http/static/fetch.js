// The fetch form: symbol autocomplete from the instrument cache, then a background job with live progress (SSE).
(function () {
  const $ = (id) => document.getElementById(id);
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 365 * 86400e3).toISOString().slice(0, 10);
  $("from_date").value = yearAgo;
  $("to_date").value = today;
  const given = new URLSearchParams(location.search);  // ?exchange=&symbol=&interval= from a series not stored
  if (given.has("exchange")) $("exchange").value = given.get("exchange");
  if (given.has("symbol")) $("symbol").value = given.get("symbol");
  if (given.has("interval")) for (const o of $("interval").options) o.selected = o.value === given.get("interval");

  let pending = null;
  $("symbol").addEventListener("input", () => {
    clearTimeout(pending);
    const q = $("symbol").value.split(",").pop().trim();  // complete the symbol being typed
    if (q.length < 1) return;
    pending = setTimeout(async () => {
      const url = `/api/data/instruments/${$("exchange").value}?q=${encodeURIComponent(q)}&limit=20`;
      try {
        const body = await kitefetch.call(url);
        const typed = $("symbol").value.split(",").slice(0, -1).map((x) => x.trim()).filter(Boolean);
        $("symbols").replaceChildren(...body.instruments.map((i) => {
          const option = document.createElement("option");
          option.value = [...typed, i.tradingsymbol].join(", ");
          option.label = `${i.name} ${i.instrument_type} ${i.expiry}`.trim();
          return option;
        }));
      } catch (e) { /* no session yet, or Kite down: typing still works */ }
    }, 150);
  });

  // A job whose items all failed shows red, one where some failed amber (as on the dashboard).
  const OUTCOME_CLASS = {failed: "error", partial: "warn"};

  function render(job) {
    $("job-status").textContent = job.status;
    $("job-status").className = OUTCOME_CLASS[job.outcome] || "";
    $("job-progress").textContent = `${job.progress}%`;
    $("job-bar").style.width = `${job.progress}%`;
    const rows = job.items.map((i) => {
      const tr = document.createElement("tr");
      const interval = i.request ? i.request.interval : "";
      for (const text of [i.symbol, interval, i.status, `${i.requests_done}/${i.requests_total}`, i.records,
                          i.error || ""]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.appendChild(td);
      }
      if (i.status === "failed") tr.cells[2].className = "error";
      return tr;
    });
    const table = $("job-items");
    table.replaceChildren(table.rows[0], ...rows);
  }

  $("fetch-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const exchange = $("exchange").value;
    const derivatives = exchange === "NFO" || exchange === "BFO";
    // Several symbols (comma-separated; a symbol may contain spaces) at several intervals become one job with
    // an item for each symbol at each interval.
    const symbols = $("symbol").value.split(",").map((x) => x.trim()).filter(Boolean);
    const intervals = Array.from($("interval").selectedOptions, (o) => o.value);
    if (!intervals.length) intervals.push("day");
    const requests = symbols.flatMap((symbol) => intervals.map((interval) => ({
      segment: derivatives ? "DERIVATIVES" : "EQUITY", exchange, symbol, interval,
      from_date: $("from_date").value, to_date: $("to_date").value})));
    const request = requests[0];
    $("submit").disabled = true;
    try {
      const job = await kitefetch.call("/api/jobs", {method: "POST", headers: {"Content-Type": "application/json"},
                                                     body: JSON.stringify({requests})});
      $("job").hidden = false;
      $("job-id").textContent = job.job_id;
      render(job);
      const events = new EventSource(`/api/jobs/${job.job_id}/events`);
      events.addEventListener("progress", (e) => render(JSON.parse(e.data)));
      events.addEventListener("done", (e) => {
        const final = JSON.parse(e.data);
        render(final);
        events.close();
        $("submit").disabled = false;
        const link = $("series-link");
        link.href = `/series/${exchange}/${encodeURIComponent(request.symbol)}/${request.interval}`;
        link.hidden = false;
      });
    } catch (error) {
      $("job").hidden = false;
      $("job-status").textContent = `refused: ${error.message}`;
      $("submit").disabled = false;
    }
  });
})();
