// Shared helpers: the CSRF token of this session and JSON calls that surface the API's error envelope.
// A server reachable beyond this machine wants its API key: asked for once, then carried by the session.
window.kitefetch = {
  csrf() { return document.querySelector('meta[name="csrf-token"]').content; },
  async unlock() {
    const key = window.prompt("This kitefetch server needs its API key (KITEFETCH_API_KEY):");
    if (!key) return false;
    const response = await fetch("/auth/key", {method: "POST", headers: {"Content-Type": "application/json"},
                                               body: JSON.stringify({key})});
    return response.ok;
  },
  async call(url, options = {}, retried = false) {
    const response = await fetch(url, options);
    const body = await response.json();
    if (!body.success && response.status === 401 && /X-API-Key/.test(body.error || "") && !retried &&
        await kitefetch.unlock()) {
      return kitefetch.call(url, options, true);
    }
    if (!body.success) throw new Error(body.error || response.statusText);
    return body;
  },
};
