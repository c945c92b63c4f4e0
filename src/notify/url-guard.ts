import ipaddr from "ipaddr.js";
import { ApiError } from "../errors";

type IP = ipaddr.IPv4 | ipaddr.IPv6;
type Ranges = [cidr: string, name: string][];

/** The IANA IPv4 Special-Purpose Address Registry (every entry, reachable or not), plus multicast. */
const V4: Ranges = [
	["0.0.0.0/8", "this network"],
	["10.0.0.0/8", "private-use"],
	["100.64.0.0/10", "shared address space"],
	["127.0.0.0/8", "loopback"],
	["169.254.0.0/16", "link-local"],
	["172.16.0.0/12", "private-use"],
	["192.0.0.0/24", "IETF protocol assignments"],
	["192.0.2.0/24", "documentation"],
	["192.31.196.0/24", "AS112"],
	["192.52.193.0/24", "AMT"],
	["192.88.99.0/24", "6to4 relay anycast"],
	["192.168.0.0/16", "private-use"],
	["192.175.48.0/24", "AS112"],
	["198.18.0.0/15", "benchmarking"],
	["198.51.100.0/24", "documentation"],
	["203.0.113.0/24", "documentation"],
	["224.0.0.0/4", "multicast"],
	["240.0.0.0/4", "reserved"],
];

/**
 * The IANA IPv6 Special-Purpose Address Registry, without the three forms that embed an IPv4
 * address and are judged by it (IPv4-mapped, the NAT64 well-known prefix, 6to4). Anything
 * outside global unicast 2000::/3 is refused as well, which covers multicast and the
 * deprecated site-local and IPv4-compatible forms.
 */
const V6: Ranges = [
	["::/128", "unspecified"],
	["::1/128", "loopback"],
	["64:ff9b:1::/48", "local-use NAT64"],
	["100::/64", "discard-only"],
	["100:0:0:1::/64", "dummy prefix"],
	["2001::/32", "Teredo"],
	["2001::/23", "IETF protocol assignments"],
	["2001:db8::/32", "documentation"],
	["2620:4f:8000::/48", "AS112"],
	["3fff::/20", "documentation"],
	["5f00::/16", "segment routing"],
	["fc00::/7", "unique local"],
	["fe80::/10", "link-local"],
];

const parsed = (ranges: Ranges) => ranges.map(([cidr, name]) => [ipaddr.parseCIDR(cidr), name] as const);
const V4_RANGES = parsed(V4);
const V6_RANGES = parsed(V6);
const GLOBAL_UNICAST = ipaddr.parseCIDR("2000::/3");
const NAT64 = ipaddr.parseCIDR("64:ff9b::/96");
const SIX_TO_FOUR = ipaddr.parseCIDR("2002::/16");

/** Names that only mean something on a local network (RFC 6761, 6762, 8375, and `.internal`). */
const LOCAL_NAMES: [RegExp, string][] = [
	[/(^|\.)localhost$/, "loopback"],
	[/\.local$/, "multicast DNS name"],
	[/\.(internal|lan|localdomain|home\.arpa)$/, "local name"],
	[/^[^.]*$/, "single-label name"],
];

type Refusal = { host: string; range: string };

/** Which of the private allowances the deployment grants: none, loopback only (tests), or all. */
export type Allowance = "none" | "loopback" | "all";

export function allowance(env: Env): Allowance {
	const value = (env.ALLOW_PRIVATE_IMPORT_URLS ?? "").trim().toLowerCase();
	if (value === "" || value === "0" || value === "false") return "none";
	return value === "loopback" ? "loopback" : "all";
}

function v4Range(address: ipaddr.IPv4): string | undefined {
	return V4_RANGES.find(([cidr]) => address.match(cidr))?.[1];
}

/** The IPv4 address an IPv6 address stands for, where it has one that routing would use. */
function embeddedV4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
	const [, p1 = 0, p2 = 0, , , , p6 = 0, p7 = 0] = address.parts;
	if (address.isIPv4MappedAddress() || address.match(NAT64)) return v4FromWords(p6, p7);
	if (address.match(SIX_TO_FOUR)) return v4FromWords(p1, p2);
	return undefined;
}

const v4FromWords = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 255, low >> 8, low & 255]);

function addressRefusal(address: IP): Refusal | undefined {
	if (address.kind() === "ipv4") {
		const range = v4Range(address as ipaddr.IPv4);
		return range ? { host: address.toString(), range } : undefined;
	}
	const v6 = address as ipaddr.IPv6;
	const v4 = embeddedV4(v6);
	if (v4) {
		const range = v4Range(v4);
		return range ? { host: `${v6.toString()} (${v4.toString()})`, range } : undefined;
	}
	const range =
		V6_RANGES.find(([cidr]) => v6.match(cidr))?.[1] ?? (v6.match(GLOBAL_UNICAST) ? undefined : "not global unicast");
	return range ? { host: v6.toString(), range } : undefined;
}

/**
 * Why a host must not be fetched, or undefined when it may. The host is canonicalized first:
 * brackets, case and trailing dots go, and any spelling ipaddr.js reads as an address (dotted,
 * decimal, octal, hex and short IPv4 forms; every IPv6 form) is judged as that address.
 */
export function hostRefusal(hostname: string): Refusal | undefined {
	const host = hostname
		.replace(/^\[(.*)\]$/, "$1")
		.toLowerCase()
		.replace(/\.+$/, "");
	if (ipaddr.isValid(host)) return addressRefusal(ipaddr.parse(host));
	const local = LOCAL_NAMES.find(([pattern]) => pattern.test(host));
	return local ? { host, range: local[1] } : undefined;
}

function permitted(refusal: Refusal, allow: Allowance): boolean {
	return allow === "all" || (allow === "loopback" && refusal.range === "loopback");
}

/**
 * Parses `raw` and says why it must not be fetched: not http(s), or a host that is not public
 * and not granted by `allow`. The URL parser has already turned every IPv4 spelling into dotted
 * decimal and dropped any userinfo from the host, so `user@127.0.0.1` is judged as 127.0.0.1.
 */
export function urlRefusal(raw: string, allow: Allowance): { reason: string; range?: string } | undefined {
	if (!URL.canParse(raw)) return { reason: "not a URL" };
	const url = new URL(raw);
	if (url.protocol !== "http:" && url.protocol !== "https:") {
		return { reason: `only http and https are fetched, not ${url.protocol}` };
	}
	const refusal = hostRefusal(url.hostname);
	if (!refusal || permitted(refusal, allow)) return undefined;
	return { reason: `${refusal.host} is not a public host (${refusal.range})`, range: refusal.range };
}

/** The request-time check of a URL a client gives (an import or a webhook): a 400 saying why. */
export function assertFetchable(raw: string, env: Env): void {
	const refusal = urlRefusal(raw, allowance(env));
	if (refusal) {
		throw new ApiError("VALIDATION_ERROR", `Refusing the URL: ${refusal.reason}`, [
			{ path: "url", message: refusal.reason },
		]);
	}
}

/** A URL as it may be shown (job descriptions, webhook views, logs): no userinfo, query or fragment. */
export function redactUrl(raw: string): string {
	if (!URL.canParse(raw)) return "(invalid URL)";
	const url = new URL(raw);
	return `${url.origin}${url.pathname}`;
}
