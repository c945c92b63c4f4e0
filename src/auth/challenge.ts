import { ApiError } from "../errors";

/**
 * The `WWW-Authenticate` value of a 401 (RFC 9110 requires one): both schemes a key is accepted in,
 * `Authorization: Bearer <key>` and Userpilot's `Authorization: Token <key>`. A key that was sent
 * and refused adds RFC 6750's `invalid_token`, which tells a client to get a new key rather than retry.
 */
export function challenge(realm: string, presented: boolean): string {
	const bearer = `Bearer realm="${realm}"${presented ? ', error="invalid_token"' : ""}`;
	return `${bearer}, Token realm="${realm}"`;
}

/** A 401 for a missing or refused credential, with its challenge. */
export function unauthorized(message: string, realm: string, presented: boolean): ApiError {
	return new ApiError("UNAUTHORIZED", message, undefined, { "WWW-Authenticate": challenge(realm, presented) });
}
