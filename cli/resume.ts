import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { open, stat } from "node:fs/promises";
import { join } from "node:path";
import { stateDir } from "./config";

const MIB = 1024 * 1024;

/**
 * Names a file by its size, its modification time and a hash of its first and last MiB: cheap on a
 * multi-GB file, and any edit that could change its parts changes the name (mtime at the least).
 */
async function fingerprint(path: string): Promise<string> {
	const { size, mtimeMs } = await stat(path);
	const hash = createHash("sha256").update(`${size}:${mtimeMs}:`);
	const file = await open(path, "r");
	try {
		for (const position of [0, Math.max(0, size - MIB)]) {
			const buffer = Buffer.alloc(Math.min(MIB, size));
			const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
			hash.update(buffer.subarray(0, bytesRead));
		}
	} finally {
		await file.close();
	}
	return hash.digest("hex").slice(0, 32);
}

/** What a later run must match to resume: the same server and the same import. */
type Import = { url: string; type: string; format: string; options: Record<string, unknown> };
type Saved = Import & { uploadId: string; file: string; startedAt: string };

/** The remembered staged upload of one file, kept in the state dir until its upload completes. */
export async function uploadState(path: string, current: Import) {
	const file = join(stateDir(), "uploads", `${await fingerprint(path)}.json`);
	let saved: Saved | undefined;
	try {
		saved = JSON.parse(readFileSync(file, "utf8"));
	} catch {}
	const same = saved && JSON.stringify(pick(saved)) === JSON.stringify(pick(current));
	return {
		/** The upload to resume, when an earlier run of the same import left one. */
		resume: same ? saved!.uploadId : undefined,
		save(uploadId: string) {
			mkdirSync(join(stateDir(), "uploads"), { recursive: true });
			const record: Saved = { ...current, uploadId, file: path, startedAt: new Date().toISOString() };
			writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2));
			renameSync(`${file}.tmp`, file);
		},
		clear() {
			rmSync(file, { force: true });
		},
	};
}

const pick = ({ url, type, format, options }: Import) => ({ url, type, format, options });
