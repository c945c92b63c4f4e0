import { Hono } from "hono";
import uplotJs from "uplot/dist/uPlot.iife.min.js";
import uplotCss from "uplot/dist/uPlot.min.css";
import type { AppEnv } from "../context";
import api from "./static/api.js";
import appCss from "./static/app.css";
import change from "./static/change.js";
import chart from "./static/chart.js";
import errors from "./static/errors.js";
import exportsPage from "./static/exports.js";
import importPage from "./static/import.js";
import job from "./static/job.js";
import jobs from "./static/jobs.js";
import upload from "./static/upload.js";
import users from "./static/users.js";

// wrangler.toml bundles these files as text ([[rules]] Text), so the Worker serves the dashboard's
// browser code and uPlot itself: no build step, no third-party CDN.
const FILES: Record<string, { body: string; type: string }> = {
	"app.css": { body: appCss, type: "text/css" },
	"uplot.css": { body: uplotCss, type: "text/css" },
	"uplot.js": { body: uplotJs, type: "text/javascript" },
	"api.js": { body: api, type: "text/javascript" },
	"change.js": { body: change, type: "text/javascript" },
	"chart.js": { body: chart, type: "text/javascript" },
	"errors.js": { body: errors, type: "text/javascript" },
	"exports.js": { body: exportsPage, type: "text/javascript" },
	"import.js": { body: importPage, type: "text/javascript" },
	"job.js": { body: job, type: "text/javascript" },
	"jobs.js": { body: jobs, type: "text/javascript" },
	"upload.js": { body: upload, type: "text/javascript" },
	"users.js": { body: users, type: "text/javascript" },
};

/** FNV-1a over the text: an ETag that changes with the file, computed once per isolate. */
function etag(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return `"${(hash >>> 0).toString(16)}-${text.length.toString(16)}"`;
}
const etags = new Map<string, string>();

export const staticRoutes = new Hono<AppEnv>().get("/:name", (c) => {
	const name = c.req.param("name");
	const file = FILES[name];
	if (!file) return c.text("Not found", 404);
	const tag = etags.get(name) ?? etag(file.body);
	etags.set(name, tag);
	// Revalidated on every load (a cheap 304): a deploy is seen at once without versioned file names.
	const headers = { ETag: tag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" };
	if (c.req.header("If-None-Match") === tag) return c.body(null, 304, headers);
	return c.body(file.body, 200, { ...headers, "Content-Type": `${file.type}; charset=utf-8` });
});
