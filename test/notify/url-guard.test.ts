import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { allowance, hostRefusal, redactUrl, urlRefusal } from "../../src/notify/url-guard";

// Every row only asks the check; nothing here connects anywhere.
const PUBLIC = null;

/** [URL as a client might spell it, the IANA range it must be refused as (or PUBLIC)]. */
const SPELLINGS: [string, string | null][] = [
	// IPv4 loopback in every notation the URL parser accepts
	["http://127.0.0.1/", "loopback"],
	["http://127.1/", "loopback"],
	["http://127.0.1/", "loopback"],
	["http://2130706433/", "loopback"],
	["http://0x7f000001/", "loopback"],
	["http://0x7f.0x0.0x0.0x1/", "loopback"],
	["http://0177.0.0.1/", "loopback"],
	["http://017700000001/", "loopback"],
	["http://0x7f.1/", "loopback"],
	["http://127.0.0.1./", "loopback"],
	["http://127.255.255.254:8080/x.csv", "loopback"],
	["http://%31%32%37.0.0.1/", "loopback"],
	["http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/", "loopback"],
	// the rest of the IPv4 special-purpose registry
	["http://0/", "this network"],
	["http://0.0.0.0:8787/", "this network"],
	["http://10.0.0.1/", "private-use"],
	["http://012.1/", "private-use"],
	["http://167772161/", "private-use"],
	["http://172.16.0.1/", "private-use"],
	["http://172.31.255.255/", "private-use"],
	["http://192.168.1.1/", "private-use"],
	["http://0xc0a80101/", "private-use"],
	["http://169.254.169.254/latest/meta-data/", "link-local"],
	["http://0xa9fea9fe/", "link-local"],
	["http://100.64.0.1/", "shared address space"],
	["http://192.0.0.170/", "IETF protocol assignments"],
	["http://192.0.2.1/", "documentation"],
	["http://198.18.0.1/", "benchmarking"],
	["http://198.51.100.7/", "documentation"],
	["http://203.0.113.9/", "documentation"],
	["http://192.88.99.1/", "6to4 relay anycast"],
	["http://192.31.196.1/", "AS112"],
	["http://224.0.0.1/", "multicast"],
	["http://239.255.255.250/", "multicast"],
	["http://240.0.0.1/", "reserved"],
	["http://255.255.255.255/", "reserved"],
	// public IPv4, next to the edges of private ranges
	["http://8.8.8.8/", PUBLIC],
	["http://134744072/", PUBLIC],
	["http://172.32.0.1/", PUBLIC],
	["http://100.128.0.1/", PUBLIC],
	["http://11.0.0.1/", PUBLIC],
	// IPv6, and IPv6 forms that carry an IPv4 address
	["http://[::1]/", "loopback"],
	["http://[0:0:0:0:0:0:0:1]/", "loopback"],
	["http://[::]/", "unspecified"],
	["http://[::ffff:127.0.0.1]/", "loopback"],
	["http://[::ffff:7f00:1]/", "loopback"],
	["http://[0:0:0:0:0:ffff:127.0.0.1]/", "loopback"],
	["http://[::ffff:10.0.0.1]/", "private-use"],
	["http://[::ffff:a9fe:a9fe]/", "link-local"],
	["http://[::ffff:8.8.8.8]/", PUBLIC],
	["http://[::127.0.0.1]/", "not global unicast"],
	["http://[::ffff:0:7f00:1]/", "not global unicast"],
	["http://[64:ff9b::127.0.0.1]/", "loopback"],
	["http://[64:ff9b::a00:1]/", "private-use"],
	["http://[64:ff9b::808:808]/", PUBLIC],
	["http://[64:ff9b:1::a00:1]/", "local-use NAT64"],
	["http://[2002:7f00:1::]/", "loopback"],
	["http://[2002:c0a8:101::1]/", "private-use"],
	["http://[2002:a9fe:a9fe::]/", "link-local"],
	["http://[2002:808:808::1]/", PUBLIC],
	["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"],
	["http://[2001:2::1]/", "IETF protocol assignments"],
	["http://[2001:db8::1]/", "documentation"],
	["http://[3fff::1]/", "documentation"],
	["http://[100::1]/", "discard-only"],
	["http://[5f00::1]/", "segment routing"],
	["http://[fc00::1]/", "unique local"],
	["http://[fd12:3456::1]/", "unique local"],
	["http://[fe80::1]/", "link-local"],
	["http://[fec0::1]/", "not global unicast"],
	["http://[ff02::1]/", "not global unicast"],
	["http://[2606:4700:4700::1111]/", PUBLIC],
	// local names, any case, with or without the trailing dot
	["http://localhost/", "loopback"],
	["http://LOCALHOST:8787/", "loopback"],
	["http://localhost./", "loopback"],
	["http://api.localhost/", "loopback"],
	["http://api.localhost./", "loopback"],
	["http://printer.local/", "multicast DNS name"],
	["http://printer.local./", "multicast DNS name"],
	["http://metadata.google.internal/", "local name"],
	["http://x.internal./", "local name"],
	["http://X.INTERNAL/", "local name"],
	["http://router.lan/", "local name"],
	["http://nas.home.arpa/", "local name"],
	["http://intranet/", "single-label name"],
	["http://intranet./", "single-label name"],
	["https://files.example.com/users.csv", PUBLIC],
	["https://files.example.com./users.csv", PUBLIC],
	["https://internal.example.com/", PUBLIC],
	["https://localhost.example.com/", PUBLIC],
	// userinfo and delimiter tricks: only the host the URL parser finds counts
	["http://files.example.com@127.0.0.1/", "loopback"],
	["http://user:pass@[::1]:8080/", "loopback"],
	["http://a:b@localhost:c@10.0.0.1/", "private-use"],
	["http://127.0.0.1@files.example.com/", PUBLIC],
	["http://127.0.0.1#@files.example.com/", "loopback"],
	["http://files.example.com#@127.0.0.1/", PUBLIC],
	["http://files.example.com\\@127.0.0.1/", PUBLIC],
	["http://127.0.0.1:80\\@files.example.com/", "loopback"],
	["http://files.example.com?@127.0.0.1/", PUBLIC],
];

describe("the outbound address check", () => {
	it.each(SPELLINGS)("%s -> %s", (url, range) => {
		const refusal = urlRefusal(url, "none");
		expect(refusal?.range ?? PUBLIC).toBe(range);
		if (range) expect(refusal?.reason).toContain(`not a public host (${range})`);
	});

	it("covers at least 60 spellings", () => {
		expect(SPELLINGS.length).toBeGreaterThanOrEqual(60);
	});

	it("reads bare hosts in every notation too, not only what the URL parser hands it", () => {
		for (const host of [
			"0x7f.1",
			"2130706433",
			"017700000001",
			"0177.0.0.01",
			"127.1",
			"[::ffff:7f00:1]",
			"LocalHost..",
		]) {
			expect(hostRefusal(host)?.range, host).toBe("loopback");
		}
		expect(hostRefusal("0xa.0x1")?.range).toBe("private-use");
		expect(hostRefusal("files.example.com")).toBeUndefined();
	});

	it("refuses schemes other than http and https, and what is not a URL", () => {
		for (const url of [
			"file:///etc/passwd",
			"gopher://127.0.0.1:70/",
			"ftp://files.example.com/u.csv",
			"javascript:1",
		]) {
			expect(urlRefusal(url, "all")?.reason).toMatch(/^only http and https are fetched/);
		}
		expect(urlRefusal("files.example.com/users.csv", "all")?.reason).toBe("not a URL");
	});

	it("the loopback allowance lets loopback through and nothing else; the full one everything", () => {
		for (const url of ["http://127.0.0.1:9/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://localhost./"]) {
			expect(urlRefusal(url, "loopback"), url).toBeUndefined();
		}
		for (const url of ["http://10.0.0.1/", "http://169.254.169.254/", "http://x.internal/", "http://[fd00::1]/"]) {
			expect(urlRefusal(url, "loopback")?.range, url).toBeDefined();
			expect(urlRefusal(url, "all"), url).toBeUndefined();
		}
	});

	it("ALLOW_PRIVATE_IMPORT_URLS: empty, 0 or false is off; loopback is loopback only; anything else is all", () => {
		const of = (value: string) => allowance({ ...env, ALLOW_PRIVATE_IMPORT_URLS: value });
		expect(["", "0", "false", "FALSE"].map(of)).toEqual(["none", "none", "none", "none"]);
		expect(of("loopback")).toBe("loopback");
		expect(of("1")).toBe("all");
		expect(of("true")).toBe("all");
	});
});

describe("URLs as they are shown", () => {
	it("lose userinfo, query string and fragment, and keep the rest", () => {
		expect(redactUrl("https://alice:s3cret@files.example.com:8443/exports/users.csv?X-Amz-Signature=abc&t=1#top")).toBe(
			"https://files.example.com:8443/exports/users.csv",
		);
		expect(redactUrl("https://hooks.example.com/jobs")).toBe("https://hooks.example.com/jobs");
		expect(redactUrl("nonsense")).toBe("(invalid URL)");
	});
});
