// The fetch form: symbol autocomplete from the instrument cache, From/To defaulted to what is stored, then a
// background job with live progress (SSE, drawn by job_progress.js). /fetch?job=<id> shows one job's progress (the
// dashboard links there): up to LISTED of its items, then what its events list (a large job's running, last failed
// and last done items).
(function () {
  const $ = (id) => document.getElementById(id);
  const LISTED = 500;  // as the events list every item of a job of up to 500 (job_bodies.py LIVE_ITEMS_MAX)
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const today = day(Date.now());
  const yearAgo = day(Date.now() - 365 * 86400e3);
  const intervalBoxes = () => Array.from(document.querySelectorAll('input[name="interval"]'));
  const checkedIntervals = () => intervalBoxes().filter((box) => box.checked).map((box) => box.value);
  const given = new URLSearchParams(location.search);  // ?exchange=&symbol=&interval= from a series not stored
  if (given.has("exchange")) $("exchange").value = given.get("exchange");
  if (given.has("symbol")) $("symbol").value = given.get("symbol");
  if (given.has("interval")) for (const box of intervalBoxes()) box.checked = box.value === given.get("interval");

  // From/To follow the chosen series (the first symbol at the first interval ticked) until the user types a date.
  const dateTyped = {from_date: false, to_date: false};
  for (const id of Object.keys(dateTyped)) $(id).addEventListener("input", () => { dateTyped[id] = true; });
  let asked = 0;
  async function defaultSpan() {
    const exchange = $("exchange").value;
    const symbol = $("symbol").value.split(",")[0].trim();
    const interval = checkedIntervals()[0];
    const ask = ++asked;
    let stored = null;
    if (symbol && interval) {
      try {
        stored = await kitefetch.call(
          `/api/data/existing-range/${exchange}/${encodeURIComponent(symbol)}/${interval}`);
      } catch (e) { /* a half-typed symbol that cannot be one: nothing stored */ }
    }
    if (ask !== asked) return;  // a later choice has been asked for meanwhile
    const found = stored && stored.start_date;
    if (!dateTyped.from_date) $("from_date").value = found ? stored.start_date : yearAgo;
    if (!dateTyped.to_date) $("to_date").value = found ? stored.end_date : today;
    const series = found ? `${stored.exchange}:${stored.symbol}:${stored.interval}` : `${exchange}:${symbol}:${interval}`;
    $("span-hint").textContent = !symbol || !interval ? ""
      : found ? `${series} is stored from ${stored.start_date} to ${stored.end_date}`
      : `${series} is not stored yet`;
  }
  let spanPending = null;
  const defaultSpanSoon = () => { clearTimeout(spanPending); spanPending = setTimeout(defaultSpan, 250); };
  $("exchange").addEventListener("change", defaultSpan);
  $("symbol").addEventListener("input", defaultSpanSoon);
  for (const box of intervalBoxes()) box.addEventListener("change", () => {
    $("form-error").hidden = true;
    defaultSpan();
  });
  $("from_date").value = yearAgo;  // until the store answers
  $("to_date").value = today;
  defaultSpan();

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

  // The series of the first item that succeeded; none when every item failed. A request sent without exchange or
  // interval (through the API) used the API's defaults.
  function seriesOf(job) {
    const done = job.items.find((i) => i.status === "done");
    if (!done) return null;
    const request = done.request || {};
    const exchange = (request.exchange || (request.segment === "DERIVATIVES" ? "NFO" : "NSE")).toUpperCase();
    return `/series/${exchange}/${encodeURIComponent(done.symbol)}/${request.interval || "day"}`;
  }

  // The job's progress (job_progress.js), then the series it stored.
  function follow(job) {
    $("series-link").hidden = true;
    kitefetch.progress.follow(job, {onDone: (final) => {
      $("submit").disabled = false;
      const series = seriesOf(final);
      if (series) $("series-link").href = series;
      $("series-link").hidden = !series;
    }});
  }

  function refused(message) {
    kitefetch.progress.refused(message);
    $("series-link").hidden = true;
  }

  if (given.has("job")) {
    $("job-id").textContent = given.get("job");
    kitefetch.call(`/api/jobs/${encodeURIComponent(given.get("job"))}?limit=${LISTED}`)
      .then(follow, (e) => refused(e.message));
  }

  $("fetch-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const intervals = checkedIntervals();
    if (!intervals.length) {
      $("form-error").textContent = "Tick at least one interval.";
      $("form-error").hidden = false;
      return;
    }
    const exchange = $("exchange").value;
    const derivatives = exchange === "NFO" || exchange === "BFO";
    // Several symbols (comma-separated; a symbol may contain spaces) at several intervals become one job with
    // an item for each symbol at each interval.
    const symbols = $("symbol").value.split(",").map((x) => x.trim()).filter(Boolean);
    const requests = symbols.flatMap((symbol) => intervals.map((interval) => ({
      segment: derivatives ? "DERIVATIVES" : "EQUITY", exchange, symbol, interval,
      from_date: $("from_date").value, to_date: $("to_date").value})));
    $("submit").disabled = true;
    try {
      const job = await kitefetch.call("/api/jobs", {method: "POST", headers: {"Content-Type": "application/json"},
                                                     body: JSON.stringify({requests})});
      history.replaceState(null, "", `/fetch?job=${encodeURIComponent(job.job_id)}`);  // a reload shows it again
      follow(job);
    } catch (error) {
      refused(`refused: ${error.message}`);
      $("submit").disabled = false;
    }
  });
})();
