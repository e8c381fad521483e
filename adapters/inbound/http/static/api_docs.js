// The API docs page: Swagger UI over this server's OpenAPI document. No validator badge (it would call
// validator.swagger.io); "Try it out" requests carry the session's CSRF token like the pages' own calls.
window.ui = SwaggerUIBundle({
  url: "/api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  requestInterceptor: (request) => {
    request.headers["X-CSRF-Token"] = kitefetch.csrf();
    return request;
  },
});
