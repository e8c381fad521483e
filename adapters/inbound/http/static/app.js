// Shared helpers: the CSRF token of this session and JSON calls that surface the API's error envelope.
// A server reachable beyond this machine wants its API key: asked for once, then carried by the session.
window.kitefetch = {
  csrf() { return document.querySelector('meta[name="csrf-token"]').content; },
  pendingUnlock: null,
  declined: false,
  // One prompt however many calls hit the 401 at once; after a dismissed prompt, only a click asks again.
  unlock(asked = false) {
    if (kitefetch.declined && !asked) return Promise.resolve(false);
    if (!kitefetch.pendingUnlock) {
      kitefetch.pendingUnlock = (async () => {
        const key = window.prompt("This kitefetch server needs its API key (KITEFETCH_API_KEY):");
        kitefetch.declined = !key;
        if (!key) return false;
        const response = await fetch("/auth/key", {method: "POST", headers: {"Content-Type": "application/json"},
                                                   body: JSON.stringify({key})});
        return response.ok;
      })().finally(() => { kitefetch.pendingUnlock = null; });
    }
    return kitefetch.pendingUnlock;
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
