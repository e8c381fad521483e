// The series page: candlesticks with volume (and open interest for derivatives, on its own left scale), a legend
// following the crosshair, never-fetched and fetched-empty session days marked on the time axis and listed in IST
// (from the gaps route), export links.
(function () {
  const $ = (id) => document.getElementById(id);
  const box = $("chart");
  const {exchange, symbol, interval} = box.dataset;
  const path = `${exchange}/${encodeURIComponent(symbol)}/${interval}`;
  const chart = LightweightCharts.createChart(box, {autoSize: true, timeScale: {timeVisible: interval !== "day"},
                                                    rightPriceScale: {scaleMargins: {top: 0.08, bottom: 0.25}}});
  const candles = chart.addCandlestickSeries();
  // Volume and open interest are counts, not prices: neither may put a tag on the price axis. Volume fills the
  // bottom fifth on a hidden scale of its own; open interest gets the left scale, shown only when there is one.
  const volume = chart.addHistogramSeries({priceFormat: {type: "volume"}, priceScaleId: "volume",
                                           lastValueVisible: false, priceLineVisible: false});
  chart.priceScale("volume").applyOptions({scaleMargins: {top: 0.8, bottom: 0}});
  const OI_COLOR = "#7c3aed";
  let oi = null;
  // Days without candles as full-height bands: a histogram per kind on a hidden scale of their own, one bar per
  // day at 00:00 IST, so a band sits where the day's candles would (its weekends too, in a never-fetched run).
  const band = (color) => chart.addHistogramSeries({priceScaleId: "gaps", color, lastValueVisible: false,
                                                    priceLineVisible: false, priceFormat: {type: "volume"}});
  const bands = {never: band("rgba(220, 38, 38, 0.35)"), empty: band("rgba(100, 116, 139, 0.45)")};
  chart.priceScale("gaps").applyOptions({scaleMargins: {top: 0, bottom: 0}, visible: false});
  box.lightweightCharts = {chart, candles, volume, bands, get oi() { return oi; }};  // for the console and tests

  function query() {
    const parts = [];
    if ($("from_date").value) parts.push(`from_date=${$("from_date").value}`);
    if ($("to_date").value) parts.push(`to_date=${$("to_date").value}`);
    return parts.join("&");
  }

  function exportLinks() {
    for (const link of document.querySelectorAll("a.export")) {
      const q = query();
      link.href = `/api/data/export/${path}?format=${link.dataset.format}${q ? "&" + q : ""}`;
    }
  }

  // Candles come 20,000 at a time, newest first: older ones load when the view reaches the oldest loaded
  // candle (or on the button), so a long minute history never has to cross the wire at once.
  const PAGE = 20000;
  let loaded = {candles: [], volume: [], oi: []};
  let oldest = null;  // ISO stamp of the oldest candle loaded
  let more = false;  // older candles in the range not loaded yet
  let busy = false;
  let generation = 0;  // bumped by each new range: an older page that arrives after it is dropped
  let total = 0;
  let holes = null;  // the gaps route's answer for the range
  const t = (stamp) => Math.floor(Date.parse(stamp) / 1000) + 19800;  // IST wall time on the axis

  function convert(body, before) {
    const at = (name) => body.columns.indexOf(name);
    const rows = before === null ? body.rows : body.rows.filter((r) => t(r[0]) < before);
    return {
      rows,
      candles: rows.map((r) => ({time: t(r[0]), open: r[at("open")], high: r[at("high")], low: r[at("low")],
                                 close: r[at("close")]})),
      volume: rows.map((r) => ({time: t(r[0]), value: r[at("volume")],
                                color: r[at("close")] >= r[at("open")] ? "#26a69a88" : "#ef535088"})),
      oi: at("oi") >= 0 ? rows.map((r) => ({time: t(r[0]), value: r[at("oi")]})) : null,
    };
  }

  function show(part) {
    candles.setData(part.candles);
    volume.setData(part.volume);
    if (part.oi) {
      if (!oi) {
        oi = chart.addLineSeries({priceScaleId: "left", color: OI_COLOR, lineWidth: 1, priceLineVisible: false,
                                  priceFormat: {type: "volume"}});
        chart.applyOptions({leftPriceScale: {visible: true, scaleMargins: {top: 0.08, bottom: 0.25}}});
      }
      oi.setData(part.oi);
    }
    latest();
  }

  const price = (value) => value.toFixed(2);
  const count = (value) => Math.round(value).toLocaleString("en-IN");
  const when = (time) => new Date(time * 1000).toISOString().slice(0, interval === "day" ? 10 : 16).replace("T", " ");

  function legend(candle, vol, openInterest) {
    if (!candle) return;
    $("legend-time").textContent = when(candle.time);
    for (const name of ["open", "high", "low", "close"]) $(`legend-${name}`).textContent = price(candle[name]);
    $("legend-volume").textContent = vol ? count(vol.value) : "";
    $("legend-oi-entry").hidden = !openInterest;
    $("legend-oi").textContent = openInterest ? count(openInterest.value) : "";
  }

  // Off the chart (or before any hover) the legend shows the last candle.
  function latest() {
    legend(loaded.candles.at(-1), loaded.volume.at(-1), loaded.oi ? loaded.oi.at(-1) : null);
  }

  chart.subscribeCrosshairMove((param) => {
    const candle = param.time === undefined ? undefined : param.seriesData.get(candles);
    if (!candle) return latest();
    legend(candle, param.seriesData.get(volume), oi ? param.seriesData.get(oi) : null);
  });

  const run = ([a, b]) => a === b ? a : `${a} – ${b}`;
  const dayTime = (day) => Date.parse(day) / 1000;  // "2025-01-16" as UTC midnight: 00:00 IST on the axis

  function daysOf([a, b]) {
    const days = [];
    for (let time = dayTime(a); time <= dayTime(b); time += 86400) days.push(time);
    return days;
  }

  // Bands only where candles are loaded (or all of the range once every candle is): a band far left of the
  // loaded candles would stretch the axis over days not shown yet.
  function drawBands() {
    if (!holes) return;
    const from = more && loaded.candles.length ? loaded.candles[0].time - 86400 : -Infinity;
    const bars = (times) => times.filter((time) => time >= from).map((time) => ({time, value: 1}));
    bands.never.setData(bars(holes.never_fetched.flatMap(daysOf)));
    bands.empty.setData(bars(holes.fetched_empty.map(dayTime)));
    box.dataset.bands = `${bands.never.data().length},${bands.empty.data().length}`;
  }

  const bandBars = () => bands.never.data().length + bands.empty.data().length;

  function listing(title, list, items) {
    $(title).hidden = !items.length;
    $(list).replaceChildren(...items.map((text) => {
      const li = document.createElement("li");
      li.textContent = text;
      return li;
    }));
  }

  function showHoles(body) {
    holes = body;
    drawBands();
    $("gap-legend").hidden = !(body.never_fetched.length || body.fetched_empty.length);
    $("legend-never").hidden = !body.never_fetched.length;
    $("legend-empty").hidden = !body.fetched_empty.length;
    listing("gaps-title", "gaps", body.never_fetched.map(run));
    listing("empty-title", "empty", body.fetched_empty);
    const empty = body.fetched_empty;  // often many (a contract before it listed): folded beyond ten
    $("empty-details").hidden = !empty.length;
    $("empty-details").open = empty.length <= 10;
    $("empty-summary").textContent = empty.length ? `${empty.length} session day(s), ${run([empty[0], empty.at(-1)])}`
      : "";
    const notes = [`${body.sessions_with_candles} of ${body.sessions_expected} session days from ${body.from_date} ` +
                   `to ${body.to_date} hold candles`];
    if (body.partial.length) {
      notes.push(`${body.partial.length} partial (fewer candles than the session holds: ` +
                 body.partial.slice(0, 5).map((p) => `${p.date} ${p.candles}/${p.expected}`).join(", ") +
                 (body.partial.length > 5 ? ", …)" : ")"));
    }
    if (body.out_of_session.length) {
      notes.push("held back, candles outside every known session: " +
                 body.out_of_session.map((d) => `${d.date} (${d.candles})`).join(", "));
    }
    if (body.estimated) notes.push("sessions estimated beyond the calendar's sources");
    $("gap-summary").textContent = notes.join("; ");
  }

  function summarise() {
    box.dataset.candles = String(loaded.candles.length);
    $("summary").textContent = `${loaded.candles.length} candles shown of ${total} stored in the range` +
      (more ? " (most recent shown; scroll left or load older)" : "");
    $("older").hidden = !more;
  }

  async function load() {
    exportLinks();
    const q = query();
    const mine = ++generation;
    const [body, found] = await Promise.all([
      kitefetch.call(`/api/data/candles/${path}?limit=${PAGE}${q ? "&" + q : ""}`),
      kitefetch.call(`/api/data/gaps/${path}${q ? "?" + q : ""}`)]);
    if (mine !== generation) return;
    const part = convert(body, null);
    loaded = {candles: part.candles, volume: part.volume, oi: part.oi};
    oldest = part.rows.length ? part.rows[0][0] : null;
    more = body.truncated;
    total = body.total;
    show(loaded);
    showHoles(found);
    chart.timeScale().fitContent();
    summarise();
  }

  async function loadOlder() {
    if (busy || !more || oldest === null) return;
    busy = true;
    const mine = generation;
    try {
      // Dates are whole IST days: ask up to the oldest loaded candle's day and drop what is already shown.
      const from = $("from_date").value;
      const body = await kitefetch.call(`/api/data/candles/${path}?limit=${PAGE}&to_date=${oldest.slice(0, 10)}` +
                                        (from ? `&from_date=${from}` : ""));
      if (mine !== generation) return;
      const part = convert(body, t(oldest));
      more = body.truncated && part.rows.length > 0;
      const view = chart.timeScale().getVisibleLogicalRange();
      const bars = bandBars();
      if (part.rows.length) {
        loaded = {candles: part.candles.concat(loaded.candles), volume: part.volume.concat(loaded.volume),
                  oi: part.oi ? part.oi.concat(loaded.oi || []) : null};
        oldest = part.rows[0][0];
        show(loaded);
      }
      drawBands();
      const added = part.candles.length + bandBars() - bars;
      if (view && added) {  // keep looking at the same candles: their indexes moved by what was prepended
        chart.timeScale().setVisibleLogicalRange({from: view.from + added, to: view.to + added});
      }
      summarise();
    } finally {
      busy = false;
    }
  }

  chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
    if (range && range.from < 10 && more) loadOlder().catch(() => {});
  });
  const failed = (error) => { $("summary").textContent = `Could not load candles: ${error.message}`; };
  $("older").addEventListener("click", () => { loadOlder().catch(failed); });
  $("range").addEventListener("submit", (event) => { event.preventDefault(); load().catch(failed); });
  load().catch(failed);
})();
