// Shared helpers: the CSRF token of this session and JSON calls that surface the API's error envelope.
window.kitefetch = {
  csrf() { return document.querySelector('meta[name="csrf-token"]').content; },
  async call(url, options = {}) {
    const response = await fetch(url, options);
    const body = await response.json();
    if (!body.success) throw new Error(body.error || response.statusText);
    return body;
  },
};
