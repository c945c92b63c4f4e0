import { Hono } from "hono";
import { html } from "hono/html";
import { secureHeaders } from "hono/secure-headers";
import swaggerUiCss from "swagger-ui-dist/swagger-ui.css";
import swaggerUiJs from "swagger-ui-dist/swagger-ui-bundle.js";

// wrangler.toml bundles Swagger UI's files as text ([[rules]] Text): the reference is served by the
// Worker itself, so it works offline and trusts no third-party CDN.
const FILES: Record<string, { body: string; type: string }> = {
	"swagger-ui.css": { body: swaggerUiCss, type: "text/css" },
	"swagger-ui-bundle.js": { body: swaggerUiJs, type: "text/javascript" },
	// A file rather than an inline script, so the page's policy can allow this origin's scripts alone.
	"init.js": {
		body: 'window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", deepLinking: true });\n',
		type: "text/javascript",
	},
};

const page = html`<!doctype html>
<html lang="en">
	<head>
		<meta charset="utf-8" />
		<meta name="viewport" content="width=device-width, initial-scale=1" />
		<title>Cohort API reference</title>
		<link rel="stylesheet" href="/docs/swagger-ui.css" />
	</head>
	<body>
		<div id="reference"></div>
		<script src="/docs/swagger-ui-bundle.js"></script>
		<script src="/docs/init.js"></script>
	</body>
</html>`;

/** The API reference at /docs: Swagger UI over /openapi.json. */
export const docsRoutes = new Hono()
	.use(
		secureHeaders({
			contentSecurityPolicy: {
				defaultSrc: ["'self'"],
				scriptSrc: ["'self'"],
				// Swagger UI sets style attributes on the elements it draws.
				styleSrc: ["'self'", "'unsafe-inline'"],
				imgSrc: ["'self'", "data:"],
				connectSrc: ["'self'"],
				objectSrc: ["'none'"],
				baseUri: ["'none'"],
				frameAncestors: ["'none'"],
			},
		}),
	)
	.get("/", (c) => c.html(page))
	.get("/:name", (c) => {
		const file = FILES[c.req.param("name")];
		if (!file) return c.text("Not found", 404);
		return c.body(file.body, 200, {
			"Content-Type": `${file.type}; charset=utf-8`,
			"Cache-Control": "public, max-age=3600",
		});
	});
