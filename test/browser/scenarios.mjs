// The dashboard in Chromium and Firefox ESR against the running system: every scenario of the
// dashboard's acceptance list, axe-core on every page, screenshots in test/browser/artifacts/.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { axeViolations, launch, resize, screenshot, until } from "./browsers.mjs";
import { startServer, tenantClient, usersCsv } from "./system.mjs";

const STEP = { timeout: 90_000 };
let server;

before(async () => {
	server = await startServer({ log: () => {} });
	process.on("exit", () => server.killNow());
});
after(async () => {
	await server?.stop();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitForFile(dir, name, timeoutMs = 20_000) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (readdirSync(dir).includes(name)) {
			const text = readFileSync(join(dir, name), "utf8");
			if (text.length > 0) return text;
		}
		await sleep(100);
	}
	throw new Error(`${name} was not downloaded to ${dir}: ${readdirSync(dir).join(", ")}`);
}

const text = (page, selector) => page.$eval(selector, (el) => el.textContent.trim());

for (const name of ["chromium", "firefox"]) {
	describe(name, () => {
		let session;
		let page;
		let tenant;
		let importJob;
		const { csv, badLines } = usersCsv(`${name}-user`);
		const url = (path) => `${server.base}${path}`;

		/** Checks the page with axe-core and keeps a screenshot of it. */
		async function audit(label) {
			assert.deepEqual(await axeViolations(page), [], `axe on ${label}`);
			await screenshot(page, name, label);
		}

		async function signIn(key) {
			await page.goto(url("/app/jobs"));
			assert.match(page.url(), /\/app\/sign-in\?next=%2Fapp%2Fjobs$/);
			// Keyboard only: the key field has focus, Enter sends the form.
			await until(page, () => document.activeElement?.id === "key");
			await page.keyboard.type(key);
			await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
			assert.match(page.url(), /\/app\/jobs$/);
		}

		async function confirmDialog() {
			await page.waitForSelector("dialog#confirm[open]");
			// "Go back" has focus; Shift+Tab reaches the confirming button.
			assert.equal(await page.evaluate(() => document.activeElement.textContent), "Go back");
			await page.keyboard.down("Shift");
			await page.keyboard.press("Tab");
			await page.keyboard.up("Shift");
			await page.keyboard.press("Enter");
		}

		before(async () => {
			session = await launch(name);
			page = await session.browser.newPage();
			tenant = await tenantClient(server, `${name} tenant`);
		});
		after(async () => {
			await session?.close();
		});

		it("signs in with a pasted key, by keyboard, and the key is not kept in the page", STEP, async () => {
			await page.goto(url("/app/sign-in"));
			await audit("sign-in");
			await signIn(tenant.admin.key);
			const cookies = await page.cookies();
			assert.deepEqual(
				cookies.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite]),
				[["cohort_session", true, true, "Strict"]],
			);
			assert.ok(!cookies[0].value.includes(tenant.admin.key));
			const stored = await page.evaluate(
				() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }),
			);
			assert.ok(!stored.includes(tenant.admin.key));
			await page.waitForSelector("#jobs-message:not(:empty)");
			assert.equal(await text(page, "#jobs-message"), "No jobs yet.");
			await audit("jobs-empty");
		});

		it("imports a 5,000-row CSV with 20 bad rows by drag-and-drop and follows it to 100 %", STEP, async () => {
			await page.goto(url("/app/import"));
			await audit("import");
			await page.evaluate((content) => {
				const data = new DataTransfer();
				data.items.add(new File([content], "users.csv", { type: "text/csv" }));
				const zone = document.getElementById("drop");
				for (const type of ["dragenter", "dragover", "drop"]) {
					zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
				}
			}, csv);
			assert.match(await text(page, "#file-info"), /^users\.csv, 0\.\d MiB$/);
			await Promise.all([page.waitForNavigation(), page.click("#start")]);
			assert.match(page.url(), /\/app\/jobs\/job_[\w-]+$/);
			await until(page, () => document.getElementById("job-progress")?.value === 100, { timeout: 60_000 });
			await until(page, () => document.getElementById("job-status")?.textContent === "completed");
			assert.match(await text(page, "#job-rate"), /^100 % · 5,000 of 5,000 records/);
			importJob = page.url().split("/").pop();
		});

		it("shows the 20 errors with their lines, and the counts", STEP, async () => {
			await until(page, () => document.querySelectorAll("#errors tbody tr").length === 20);
			const lines = await page.$$eval("#errors tbody tr", (rows) => rows.map((r) => Number(r.cells[0].textContent)));
			assert.deepEqual(lines, badLines);
			const counts = await page.$$eval("#job-counts div", (items) =>
				Object.fromEntries(items.map((d) => [d.children[0].textContent, d.children[1].textContent])),
			);
			assert.equal(counts.created, "4,980");
			assert.equal(counts.failed, "20");
			await until(page, () => document.getElementById("chart-caption")?.textContent.startsWith("Latest"));
			await audit("job");
		});

		it("downloads the error CSV, the same as the API's", STEP, async () => {
			await page.click("#downloads button");
			const downloaded = await waitForFile(session.downloads, `${importJob}-errors.csv`);
			const fromApi = await (
				await tenant.request(`/v1/jobs/${importJob}/errors`, { headers: { Accept: "text/csv" } })
			).text();
			assert.equal(downloaded, fromApi);
			assert.equal(downloaded.trim().split("\r\n").length, 21);
		});

		it("shows a dry run's outcome before anything is written, then imports for real", STEP, async () => {
			const dry = usersCsv(`${name}-dry`, 10, 5);
			await page.goto(url("/app/import"));
			await page.$eval(
				"#file",
				(input, content) => {
					const data = new DataTransfer();
					data.items.add(new File([content], "ten.csv", { type: "text/csv" }));
					input.files = data.files;
					input.dispatchEvent(new Event("change", { bubbles: true }));
				},
				dry.csv,
			);
			await page.click("#dry-run");
			await page.click("#start");
			await until(page, () => document.getElementById("preview-text")?.textContent.startsWith("The dry run checked"));
			const counts = await page.$$eval("#preview-counts div", (items) =>
				Object.fromEntries(items.map((d) => [d.children[0].textContent, d.children[1].textContent])),
			);
			assert.deepEqual([counts.created, counts.failed], ["8", "2"]);
			await assert.rejects(tenant.request(`/v1/users/${name}-dry-1`), /404/);
			await audit("import-dry-run");
			await Promise.all([page.waitForNavigation(), page.click("#run-for-real")]);
			await until(page, () => document.getElementById("job-status")?.textContent === "completed");
			assert.equal((await (await tenant.request(`/v1/users/${name}-dry-1`)).json()).email, `${name}-dry-1@example.com`);
		});

		it("stays readable at 360 px: nothing wider than the screen", STEP, async () => {
			await resize(page, 360, 800);
			await page.goto(url(`/app/jobs/${importJob}`));
			await until(page, () => document.querySelectorAll("#errors tbody tr").length === 20);
			assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360));
			await screenshot(page, name, "job-360px");
			await resize(page, 1280, 900);
		});

		it("retries the failed records after a confirmation, landing on the new job", STEP, async () => {
			await page.goto(url(`/app/jobs/${importJob}`));
			await page.waitForSelector("#retry:not([hidden])");
			// Reached by keyboard (Tab from the button before it), so the focus ring must show.
			await page.focus("#job-status-text");
			await page.keyboard.press("Tab");
			assert.equal(await page.evaluate(() => document.activeElement.id), "retry");
			const focusOutline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
			assert.notEqual(focusOutline, "none");
			await page.keyboard.press("Enter");
			await Promise.all([page.waitForNavigation(), confirmDialog()]);
			const retryJob = page.url().split("/").pop();
			assert.notEqual(retryJob, importJob);
			await until(page, () => document.getElementById("job-status")?.textContent === "completed", { timeout: 60_000 });
			const job = await (await tenant.request(`/v1/jobs/${retryJob}`)).json();
			assert.equal(job.counts.total, 20);
			assert.equal(job.counts.failed, 20);
			await until(page, () => document.querySelectorAll("#errors tbody tr").length === 20);
			await screenshot(page, name, "job-retry");
		});

		/** Sends a CSV as a preview through the API and opens its job page once the summary is there. */
		async function openPreview(rows) {
			const body = `externalId,firstName\n${rows.map((r) => r.join(",")).join("\n")}\n`;
			const res = await tenant.request("/v1/imports?type=users&dryRun=true", {
				method: "POST",
				body,
				headers: { "Content-Type": "text/csv" },
			});
			const { id } = await res.json();
			await page.goto(url(`/app/jobs/${id}`));
			await until(page, () => document.getElementById("changes-text")?.textContent.startsWith("Committing would"), {
				timeout: 60_000,
			});
			return id;
		}
		const tableRows = (selector) =>
			page.$$eval(`${selector} tbody tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
		const firstName = async (id) => (await (await tenant.request(`/v1/users/${id}`)).json()).firstName;

		it("shows what a preview would change per field, commits it, then undoes the commit", STEP, async () => {
			const preview = await openPreview([
				[`${name}-user-1`, "Ada"],
				[`${name}-user-2`, "Bea"],
				[`${name}-fresh-1`, "New"],
			]);
			assert.equal(
				await text(page, "#changes-text"),
				"Committing would create 1, update 2 records; 0 are unchanged, 0 skipped and 0 failed.",
			);
			assert.deepEqual(await tableRows("#changes-tables .table-wrap:nth-of-type(1)"), [["firstName", "2"]]);
			assert.deepEqual(await tableRows("#changes-tables .table-wrap:nth-of-type(2)"), [
				["line 2", `${name}-user-1`, "firstName", "First 1", "Ada"],
				["line 3", `${name}-user-2`, "firstName", "First 2", "Bea"],
			]);
			await audit("job-preview");

			await page.waitForSelector("#commit:not([hidden])");
			await page.click("#commit");
			await Promise.all([page.waitForNavigation(), confirmDialog()]);
			assert.ok(page.url().endsWith(`/app/jobs/${preview}-commit`), page.url());
			await until(page, () => document.getElementById("job-status")?.textContent === "completed", { timeout: 60_000 });
			assert.equal(await firstName(`${name}-user-1`), "Ada");
			assert.match(await text(page, "#job-related"), new RegExp(`^Commit of preview ${preview}\\.$`));

			await page.waitForSelector("#undo:not([hidden])");
			await page.click("#undo");
			await Promise.all([page.waitForNavigation(), confirmDialog()]);
			assert.ok(page.url().endsWith(`/app/jobs/${preview}-commit-undo`), page.url());
			await until(page, () => document.getElementById("job-status")?.textContent === "completed", { timeout: 60_000 });
			assert.equal(await firstName(`${name}-user-1`), "First 1");
			await assert.rejects(tenant.request(`/v1/users/${name}-fresh-1`), /404/);

			await page.goto(url(`/app/jobs/${preview}-commit`));
			await until(page, () => document.getElementById("job-related")?.textContent.startsWith("Undone by job"));
			assert.ok(await page.$eval("#undo", (b) => b.hidden));
			await page.goto(url(`/app/jobs/${preview}`));
			await until(page, () => document.getElementById("job-related")?.textContent.startsWith("Committed as job"));
			assert.ok(await page.$eval("#commit", (b) => b.hidden));
		});

		it("shows a refused commit in the API's words, naming the record", STEP, async () => {
			await openPreview([[`${name}-user-3`, "Cyd"]]);
			await tenant.request("/v1/users/bulk", {
				method: "POST",
				json: { users: [{ externalId: `${name}-user-3`, firstName: "Changed" }] },
			});
			await page.waitForSelector("#commit:not([hidden])");
			await page.click("#commit");
			await confirmDialog();
			await page.waitForSelector("#job-error:not([hidden])");
			const error = await text(page, "#job-error");
			assert.ok(error.startsWith("The preview could not be committed: The stored data changed since preview"), error);
			assert.ok(error.includes(`line 2 (${name}-user-3)`), error);
			assert.equal(await firstName(`${name}-user-3`), "Changed");
		});

		it("exports the active users as CSV and downloads the file, the same as the API's", STEP, async () => {
			await page.goto(url("/app/exports"));
			await audit("exports");
			await page.select("#status", "active");
			await page.click("#start");
			await page.waitForSelector("#export-file:not([hidden])", { timeout: 60_000 });
			assert.match(await text(page, "#export-text"), /^Exported [\d,]+ records\./);
			const jobId = (await page.$eval("#export-job", (a) => a.getAttribute("href"))).split("/").pop();
			await audit("exports-done");
			await page.click("#export-file");
			// Named by the answer's Content-Disposition.
			const downloaded = await waitForFile(session.downloads, `users-${jobId}.csv`);
			const fromApi = await (await tenant.request(`/v1/exports/${jobId}/file`)).text();
			assert.equal(downloaded, fromApi);
			assert.ok(downloaded.includes(`${name}-user-7@example.com`));
		});

		it("imports a CSV through a column mapping as a full sync, refused above its threshold", STEP, async () => {
			await page.goto(url("/app/import"));
			const mapped = `Badge,Mail\n${name}-mapped-1,${name}-mapped-1@example.com\n`;
			await page.$eval(
				"#file",
				(input, content) => {
					const data = new DataTransfer();
					data.items.add(new File([content], "hris.csv", { type: "text/csv" }));
					input.files = data.files;
					input.dispatchEvent(new Event("change", { bubbles: true }));
				},
				mapped,
			);
			await page.type("#mapping", '{"Badge":"externalId","Mail":"email"}');
			assert.ok(await page.$eval("#max-deactivate", (i) => i.disabled));
			await page.click("#full-sync");
			await page.type("#max-deactivate", "0");
			await audit("import-full-sync");
			await Promise.all([page.waitForNavigation(), page.click("#start")]);
			await until(page, () => document.getElementById("job-status")?.textContent === "failed", { timeout: 60_000 });
			const status = await text(page, "#job-status-text");
			assert.ok(status.startsWith("The job failed: Refused (409 CONFLICT): the full sync would deactivate"), status);
			assert.equal(
				(await (await tenant.request(`/v1/users/${name}-mapped-1`)).json()).email,
				`${name}-mapped-1@example.com`,
			);
			assert.equal((await (await tenant.request(`/v1/users/${name}-user-7`)).json()).status, "active");
		});

		it("cancels a pending job after a confirmation", STEP, async () => {
			// Paced to one record a minute, a 10,001-record job holds the queue, so the next one waits.
			await tenant.setLimits({ burst: 10_000, requestsPerMinute: 10_000, recordsPerMinute: 1 });
			const ndjson = (n, tag) =>
				Array.from({ length: n }, (_, i) => JSON.stringify({ externalId: `${tag}-${i}` })).join("\n");
			const upload = async (n, tag) =>
				(
					await tenant.request("/v1/imports?type=users", {
						method: "POST",
						body: ndjson(n, tag),
						headers: { "Content-Type": "application/x-ndjson" },
					})
				).json();
			const slow = await upload(10_001, `${name}-slow`);
			const waiting = await upload(3, `${name}-waiting`);
			assert.equal(waiting.status, "pending");

			await page.goto(url("/app/jobs"));
			await page.waitForSelector(`#job-${waiting.id} .chip-pending`);
			await page.waitForSelector(`#job-${slow.id} .chip-processing`);
			await audit("jobs");

			await page.goto(url(`/app/jobs/${waiting.id}`));
			await page.waitForSelector("#cancel:not([hidden])");
			await page.click("#cancel");
			await confirmDialog();
			await until(page, () => document.getElementById("job-status")?.textContent === "cancelled");
			assert.equal((await (await tenant.request(`/v1/jobs/${waiting.id}`)).json()).status, "cancelled");
			assert.ok(await page.$eval("#cancel", (b) => b.hidden));
			await tenant.request(`/v1/jobs/${slow.id}/cancel`, { method: "POST" });
		});

		it("filters the jobs by status", STEP, async () => {
			await page.goto(url("/app/jobs"));
			await page.select("#status", "cancelled");
			await Promise.all([page.waitForNavigation(), page.click(".filter button")]);
			assert.match(page.url(), /status=cancelled/);
			await page.waitForSelector("#jobs tbody tr");
			const chips = await page.$$eval("#jobs tbody .chip", (els) => els.map((e) => e.textContent));
			assert.ok(chips.length >= 1 && chips.every((c) => c === "cancelled"), chips.join());
		});

		it("looks a user up and shows the record and its enrollments", STEP, async () => {
			await page.goto(url("/app/users"));
			await page.type("#q", `${name}-user-7`);
			await page.keyboard.press("Enter");
			await page.waitForSelector("#user-result h2");
			const result = await text(page, "#user-result");
			assert.ok(result.includes(`${name}-user-7@example.com`), result);
			assert.ok(result.includes("No enrollments."), result);
			await audit("users");
		});

		it("signs out: the session ends", STEP, async () => {
			await Promise.all([page.waitForNavigation(), page.click(".who button")]);
			assert.match(page.url(), /\/app\/sign-in$/);
			await page.goto(url("/app/jobs"));
			assert.match(page.url(), /\/app\/sign-in/);
		});

		it("shows a viewer no write buttons", STEP, async () => {
			await signIn(tenant.viewer.key);
			await page.goto(url(`/app/jobs/${importJob}`));
			await until(page, () => document.getElementById("job-status")?.textContent === "completed");
			assert.equal(await page.$("#cancel"), null);
			assert.equal(await page.$("#retry"), null);
			assert.equal(await page.$("#undo"), null);
			assert.equal(await page.$('a[href="/app/import"]'), null);
			assert.equal(await page.$('a[href="/app/exports"]'), null);
			for (const path of ["/app/import", "/app/exports"]) {
				await page.goto(url(path));
				assert.match(page.url(), /\/app\/jobs$/);
			}
		});

		it("sends an expired session to sign-in", STEP, async () => {
			await server.d1(
				`UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z' WHERE key_id = '${tenant.viewer.id}'`,
			);
			await page.goto(url(`/app/jobs/${importJob}`));
			assert.match(page.url(), /\/app\/sign-in\?next=.*&ended=1$/);
			assert.equal(await text(page, ".notice"), "Your session has ended. Sign in again.");
			await audit("sign-in-ended");
		});
	});
}
