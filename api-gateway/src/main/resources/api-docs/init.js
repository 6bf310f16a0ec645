// Swagger UI over the gateway's own OpenAPI document; "Authorize" takes a bearer token (./bank token ...).
window.ui = SwaggerUIBundle({ url: "{{spec}}", dom_id: "#api", deepLinking: true, persistAuthorization: false });
