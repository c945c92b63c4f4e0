// The distribution's Chromium and Firefox ESR (Debian packages `chromium`, `firefox-esr`; see
// scripts/browsers.sh), driven by puppeteer-core: Chromium over CDP, Firefox over WebDriver BiDi.
// Each launch gets a fresh profile and download folder, removed on close.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const ARTIFACTS = new URL("./artifacts/", import.meta.url).pathname;

// Only these: other flags (background services, QUIC, first-run pages) make connections that are
// refused here, and nothing but the system under test on 127.0.0.1 may be reached.
const CHROMIUM_ARGS = [
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
];

const FIREFOX_PREFS = {
	// Downloads go to the profile's folder without asking.
	"browser.download.folderList": 2,
	"browser.download.useDownloadDir": true,
	"browser.download.always_ask_before_handling_new_types": false,
	"browser.helperApps.neverAsk.saveToDisk": "text/csv,application/x-ndjson,application/octet-stream",
	// The downloads panel would take focus from the page, and with it :focus and keyboard input.
	"browser.download.alwaysOpenPanel": false,
	"browser.download.manager.showWhenStarting": false,
	// No update, telemetry or suggestion traffic.
	"app.update.enabled": false,
	"browser.safebrowsing.malware.enabled": false,
	"browser.safebrowsing.phishing.enabled": false,
	"network.captive-portal-service.enabled": false,
	"network.connectivity-service.enabled": false,
};

export const BROWSERS = {
	chromium: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
	firefox: { executablePath: process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr" },
};

export async function launch(name) {
	const profile = mkdtempSync(join(tmpdir(), `cohort-${name}-`));
	const downloads = join(profile, "downloads");
	mkdirSync(downloads);
	const common = {
		headless: true,
		executablePath: BROWSERS[name].executablePath,
		defaultViewport: { width: 1280, height: 900 },
	};
	const browser =
		name === "chromium"
			? await puppeteer.launch({
					...common,
					args: [...CHROMIUM_ARGS, `--user-data-dir=${join(profile, "user-data")}`],
					downloadBehavior: { policy: "allow", downloadPath: downloads },
				})
			: await puppeteer.launch({
					...common,
					browser: "firefox",
					userDataDir: join(profile, "user-data"),
					extraPrefsFirefox: { ...FIREFOX_PREFS, "browser.download.dir": downloads },
				});
	return {
		browser,
		downloads,
		async close() {
			await browser.close().catch(() => {});
			rmSync(profile, { recursive: true, force: true });
		},
	};
}

/**
 * Polls `fn` in the page until it returns something truthy. Not page.waitForFunction: over BiDi
 * that builds the predicate with Function(), which the dashboard's CSP refuses.
 */
export async function until(page, fn, { timeout = 30_000, args = [] } = {}) {
	const deadline = Date.now() + timeout;
	for (;;) {
		const value = await page.evaluate(fn, ...args).catch((error) => {
			// A navigation in between destroys the context the check ran in; the next round uses the new page.
			if (/context|navigat|detached/i.test(error.message)) return undefined;
			throw error;
		});
		if (value) return value;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeout} ms waiting for ${fn.toString().slice(0, 200)}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** Sets the window's size; Firefox ESR's BiDi lacks the screen-orientation command that comes with it. */
export async function resize(page, width, height) {
	await page.setViewport({ width, height }).catch((error) => {
		if (!/setScreenOrientationOverride/.test(error.message)) throw error;
	});
	await until(page, (w) => window.innerWidth === w, { args: [width] });
}

/** axe-core's violations of impact serious or critical on the page as it is now. */
export async function axeViolations(page) {
	// Evaluated through the protocol, not as a <script>: the dashboard's CSP allows no inline script.
	await page.evaluate(AXE_SOURCE);
	const results = await page.evaluate(() =>
		globalThis.axe.run(document, {
			runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
		}),
	);
	return results.violations
		.filter((v) => v.impact === "serious" || v.impact === "critical")
		.map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

export async function screenshot(page, browserName, name) {
	const dir = join(ARTIFACTS, browserName);
	mkdirSync(dir, { recursive: true });
	await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
