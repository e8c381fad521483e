// The dashboard's sync card: "Sync now" (POST /api/data/sync) and the live progress of the last sync, drawn by
// job_progress.js: a sync still running when the page loads is followed too. Its table lists the series running
// and those that failed, not the thousands a sync may hold (nor does it ask for them); the job's own page (its
// link) shows more.
(function () {
  const $ = (id) => document.getElementById(id);
  const MAX_ROWS = 20;
  const rows = (items) => [...items.filter((i) => i.status === "running"),
                           ...items.filter((i) => i.status === "failed")].slice(0, MAX_ROWS);
  const job = (id) => kitefetch.call(
    `/api/jobs/${encodeURIComponent(id)}?item_status=running,failed&limit=${MAX_ROWS}`);
  // Epoch seconds as the server renders them: IST wall time, to the minute.
  const ist = (ts) => new Date((ts + 19800) * 1000).toISOString().slice(0, 16).replace("T", " ");

  function when(job) {
    const finished = job.finished_at ? `, finished ${ist(job.finished_at)} IST` : "";
    $("job-when").textContent = `(${job.origin}, started ${ist(job.created_at)} IST${finished})`;
  }

  function follow(job) {
    $("no-sync").hidden = true;
    $("job-id").href = `/fetch?job=${encodeURIComponent(job.job_id)}`;
    when(job);
    kitefetch.progress.follow(job, {rows, onDone: (final) => {
      when(final);
      $("sync-now").disabled = false;
    }});
  }

  async function start() {
    $("sync-error").hidden = true;
    $("sync-now").disabled = true;
    try {
      const started = await kitefetch.call("/api/data/sync", {
        method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": kitefetch.csrf()},
        body: "{}"});
      follow(await job(started.job_id));
    } catch (error) {  // nothing to sync (400), no Kite session (401): the API's message
      $("sync-error").textContent = error.message;
      $("sync-error").hidden = false;
      $("sync-now").disabled = false;
    }
  }

  $("sync-now").addEventListener("click", start);
  const running = $("sync").dataset.follow;
  if (running) {
    $("sync-now").disabled = true;
    job(running).then(follow, () => { $("sync-now").disabled = false; });
  }
})();
