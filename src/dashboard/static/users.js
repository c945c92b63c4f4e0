// User lookup: by externalId (GET /v1/users/:externalId) or, when the text has an @, by email
// (GET /v1/users?email=); then the user's enrollments.
import { api, h, when } from "./api.js";

const form = document.getElementById("lookup");
const input = document.getElementById("q");
const result = document.getElementById("user-result");

const FIELDS = ["externalId", "email", "firstName", "lastName", "companyId", "role", "clientId"];

async function findUser(query) {
	if (!query.includes("@")) return api(`/v1/users/${encodeURIComponent(query)}`);
	const page = await api(`/v1/users?${new URLSearchParams({ email: query, limit: "1" })}`);
	if (page.data.length === 0) throw Object.assign(new Error("not found"), { status: 404 });
	return page.data[0];
}

function record(user) {
	const rows = FIELDS.filter((name) => user[name] !== null).flatMap((name) => [
		h("dt", {}, name),
		h("dd", {}, user[name]),
	]);
	for (const name of ["customFields", "metadata"]) {
		if (user[name] && Object.keys(user[name]).length > 0) {
			rows.push(h("dt", {}, name), h("dd", {}, h("pre", {}, JSON.stringify(user[name], null, 2))));
		}
	}
	rows.push(
		h("dt", {}, "created"),
		h("dd", {}, when(user.createdAt)),
		h("dt", {}, "updated"),
		h("dd", {}, when(user.updatedAt)),
	);
	return h("dl", { class: "record" }, rows);
}

function enrollmentTable(enrollments) {
	if (enrollments.length === 0) return h("p", { class: "muted" }, "No enrollments.");
	return h(
		"div",
		{ class: "table-wrap", role: "region", "aria-labelledby": "enrollments-caption", tabindex: "0" },
		h(
			"table",
			{},
			h("caption", { id: "enrollments-caption" }, "Enrollments and licenses"),
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					["Kind", "Item", "Source", "Since"].map((label) => h("th", { scope: "col" }, label)),
				),
			),
			h(
				"tbody",
				{},
				enrollments.map((e) =>
					h(
						"tr",
						{},
						h("td", {}, e.kind),
						h("td", {}, e.itemId),
						h("td", {}, e.source ?? ""),
						h("td", {}, when(e.createdAt)),
					),
				),
			),
		),
	);
}

async function lookUp(query, focus) {
	result.replaceChildren(h("p", { role: "status" }, "Looking up…"));
	try {
		const user = await findUser(query);
		const heading = h(
			"h2",
			{ tabindex: "-1" },
			[user.firstName, user.lastName].filter(Boolean).join(" ") || user.externalId || user.email,
		);
		const parts = [heading, record(user), h("h3", {}, "Enrollments")];
		if (user.externalId) {
			const { data } = await api(`/v1/users/${encodeURIComponent(user.externalId)}/enrollments`);
			parts.push(enrollmentTable(data));
		} else parts.push(h("p", { class: "muted" }, "This user has no externalId; enrollments are listed by externalId."));
		result.replaceChildren(...parts);
		if (focus) heading.focus();
	} catch (error) {
		const text =
			error.status === 404 ? `No user with ${query.includes("@") ? "email" : "externalId"} “${query}”.` : error.message;
		result.replaceChildren(h("p", { class: "error", role: "alert" }, text));
	}
}

form.addEventListener("submit", (event) => {
	event.preventDefault();
	const query = input.value.trim();
	if (!query) return;
	history.replaceState(null, "", `/app/users?${new URLSearchParams({ q: query })}`);
	lookUp(query, true);
});

if (input.value.trim()) lookUp(input.value.trim(), false);
