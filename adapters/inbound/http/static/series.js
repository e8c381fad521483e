// The series page: candlesticks with volume (and open interest for derivatives), gaps listed, export links.
(function () {
  const $ = (id) => document.getElementById(id);
  const box = $("chart");
  const {exchange, symbol, interval} = box.dataset;
  const path = `${exchange}/${encodeURIComponent(symbol)}/${interval}`;
  const chart = LightweightCharts.createChart(box, {autoSize: true, timeScale: {timeVisible: interval !== "day"}});
  const candles = chart.addCandlestickSeries();
  const volume = chart.addHistogramSeries({priceFormat: {type: "volume"}, priceScaleId: "volume"});
  chart.priceScale("volume").applyOptions({scaleMargins: {top: 0.8, bottom: 0}});
  let oi = null;

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

  async function load() {
    exportLinks();
    const q = query();
    const body = await kitefetch.call(`/api/data/candles/${path}?limit=20000${q ? "&" + q : ""}`);
    const at = (name) => body.columns.indexOf(name);
    const t = (stamp) => Math.floor(Date.parse(stamp) / 1000) + 19800;  // IST wall time on the axis
    candles.setData(body.rows.map((r) => ({time: t(r[0]), open: r[at("open")], high: r[at("high")],
                                           low: r[at("low")], close: r[at("close")]})));
    volume.setData(body.rows.map((r) => ({time: t(r[0]), value: r[at("volume")],
                                          color: r[at("close")] >= r[at("open")] ? "#26a69a88" : "#ef535088"})));
    if (at("oi") >= 0) {
      oi = oi || chart.addLineSeries({priceScaleId: "oi", color: "#7c3aed", lineWidth: 1});
      oi.setData(body.rows.map((r) => ({time: t(r[0]), value: r[at("oi")]})));
    }
    candles.setMarkers(body.gaps.map((g) => ({time: t(g[0]), position: "aboveBar", color: "#b91c1c",
                                              shape: "arrowDown", text: "gap"})).filter((m) => m.time));
    chart.timeScale().fitContent();
    box.dataset.candles = String(body.count);
    $("summary").textContent = `${body.count} candles shown of ${body.total} stored in the range` +
      (body.truncated ? " (most recent shown)" : "") + `; ${body.gaps.length} gap(s) never fetched`;
    $("gaps").replaceChildren(...body.gaps.map((g) => {
      const li = document.createElement("li");
      li.textContent = `gap: ${g[0]} to ${g[1]}`;
      return li;
    }));
  }

  $("range").addEventListener("submit", (event) => { event.preventDefault(); load(); });
  load().catch((error) => { $("summary").textContent = `Could not load candles: ${error.message}`; });
})();
