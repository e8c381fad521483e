// A background job's live progress, shared by the fetch page and the dashboard's sync card: its status (red when
// every item failed, amber when some did, as in the dashboard's job list), bar, a row per item listed and, where the
// page has #job-summary, a sync's totals; kept current by the job's Server-Sent Events until `done`. A large job's
// bodies list some of its items (those running, the last failed, the last done): the totals come summed by the
// server, and #job-shown says how many of the job's series the table shows.
kitefetch.progress = (function () {
  const $ = (id) => document.getElementById(id);
  const OUTCOME_CLASS = {failed: "error", partial: "warn"};
  let events = null;

  // A sync's totals, worded as the dashboard renders them (application/sync_status.py SyncTotals): an item a series
  // with something due, and those the sync found up to date (its summary).
  function summary(job) {
    const current = job.summary ? job.summary.up_to_date : 0;
    if (!job.total && !current) return job.status === "needs_login" ? "waiting for a login" : "no series";
    return `${job.total + current} series: ${job.series_updated} updated, ${job.candles_added} candles added, ` +
      `${job.requests} requests, ${job.failed} failed, ${current} up to date`;
  }

  // `rows` picks the items shown of those the body lists (all of them by default); the table hides when none is.
  function render(job, rows = (items) => items) {
    $("job-status").textContent = job.status;
    $("job-status").className = OUTCOME_CLASS[job.outcome] || "";
    $("job-progress").textContent = `${job.progress}%`;
    $("job-bar").style.width = `${job.progress}%`;
    if ($("job-summary")) $("job-summary").textContent = summary(job);
    const shown = rows(job.items).map((i) => {
      const tr = document.createElement("tr");
      const interval = i.request ? i.request.interval : "";
      for (const text of [i.symbol, interval, i.status, `${i.requests_done}/${i.requests_total}`, i.records,
                          i.error || ""]) {
        tr.insertCell().textContent = text;
      }
      if (i.status === "failed") tr.cells[2].className = "error";
      return tr;
    });
    const table = $("job-items");
    table.replaceChildren(table.rows[0], ...shown);
    table.hidden = !shown.length;
    if ($("job-shown")) {
      $("job-shown").textContent = `showing ${shown.length} of ${job.total} series`;
      $("job-shown").hidden = !shown.length || shown.length >= job.total;
    }
  }

  // Show `job` (a body of /api/jobs/<id>) at once, then follow its events; `onDone(final)` once it has stopped.
  function follow(job, {rows, onDone} = {}) {
    if (events) events.close();
    $("job").hidden = false;
    $("job-id").textContent = job.job_id;
    render(job, rows);
    events = new EventSource(`/api/jobs/${encodeURIComponent(job.job_id)}/events`);
    events.addEventListener("progress", (e) => render(JSON.parse(e.data), rows));
    events.addEventListener("done", (e) => {
      const final = JSON.parse(e.data);
      render(final, rows);
      events.close();
      if (onDone) onDone(final);
    });
  }

  // A job that could not be shown or started: the API's message in its status, no rows.
  function refused(message) {
    if (events) events.close();
    $("job").hidden = false;
    $("job-status").textContent = message;
    $("job-status").className = "error";
    $("job-items").replaceChildren($("job-items").rows[0]);
    $("job-items").hidden = true;
    if ($("job-shown")) $("job-shown").hidden = true;
  }

  return {follow, refused, render};
})();
