/** An error answer of the API: its status and the envelope's code, message, request id and details. */
export class CohortError extends Error {
	readonly status: number;
	readonly code: string;
	readonly requestId: string | undefined;
	readonly details: { path: string; message: string }[] | undefined;

	constructor(
		status: number,
		body: { code?: string; message?: string; requestId?: string; details?: { path: string; message: string }[] },
	) {
		super(body.message ?? `The server answered ${status}`);
		this.name = "CohortError";
		this.status = status;
		this.code = body.code ?? `HTTP_${status}`;
		this.requestId = body.requestId;
		this.details = body.details;
	}

	/** Reads the error envelope of a non-2xx response (or makes one up when the body is not one). */
	static async from(res: Response): Promise<CohortError> {
		const text = await res.text().catch(() => "");
		let body: { error?: ConstructorParameters<typeof CohortError>[1] } = {};
		try {
			body = JSON.parse(text);
		} catch {}
		return new CohortError(res.status, {
			requestId: res.headers.get("X-Request-Id") ?? undefined,
			...(body.error ?? { message: text.trim().slice(0, 200) || undefined }),
		});
	}
}
