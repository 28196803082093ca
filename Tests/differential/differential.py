#!/usr/bin/env python3
"""Differential test of VigilHTTP's request parser against h11 and httptools (llhttp).

Feeds the same request bytes to all three and reports every disagreement on accept/reject or on
the parsed method, target, headers and body. Known, justified disagreements are listed in
KNOWN with the RFC clause behind our choice (see docs/http-server.md); anything else makes the
script exit 1. Usage: Tests/differential/differential.py   (needs: pip install h11 httptools)
"""
import json, os, random, subprocess, sys

import h11
import httptools

# Disagreements that are deliberate, each justified in docs/http-server.md with its RFC clause.
# Where we refuse and a reference accepts: our refusal reasons.
KNOWN_STRICTER = {
    "Bare LF line ending.", "Bare CR in the header section.", "Missing Host header.", "Duplicate Host header.",
    "Invalid Host header.", "Both Content-Length and Transfer-Encoding.", "Duplicate Content-Length.",
    "Invalid Content-Length.", "Content-Length is too large.", "Obsolete line folding is not accepted.",
    "Malformed request line.", "Invalid HTTP version.", "Invalid request target.", "Asterisk target outside OPTIONS.",
    "Fragment in the request target.", "Invalid percent-encoding in the path.", "Invalid percent-encoding in the query.",
    "Only HTTP/1.0 and HTTP/1.1 are supported.", "Only 'Expect: 100-continue' is supported.", "Invalid chunk size.",
    "Absolute target without authority.", "Whitespace before the colon of a header field.",
}
# Where we accept and a reference refuses: empty lines before the request line (RFC 9112 §2.2).
KNOWN_MORE_LENIENT = {"no request line received", "Invalid method encountered"}
STANDARD_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BASE = [
    b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /v1/incidents/42?country=fr&limit=10 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
    b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\n",
    b"GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Spaces:   v   \r\n\r\n",
    b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
]

REFUSALS = [
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\nx",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n",
    b"GET / HTTP/1.1\nHost: a\n\n",
    b"GET / HTTP/1.1\rHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    b"GET / HTTP/1.1\r\nX-A: 1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n0\r\n\r\n",
    b"GET /a\x01b HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x00b\r\n\r\n",
    b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
    b"GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET /#frag HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
    b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nX-Latin: caf\xe9\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n",
]


def mutations(seed_cases, count, rng):
    out = []
    alphabet = b"\r\n \t:;,\x00\x7f-+0aZ/%?#\"\xff"
    for _ in range(count):
        data = bytearray(rng.choice(seed_cases))
        for _ in range(rng.randint(1, 3)):
            op = rng.randint(0, 2)
            pos = rng.randint(0, len(data) - 1) if data else 0
            if op == 0 and data:
                data[pos] = rng.choice(alphabet)
            elif op == 1:
                data.insert(pos, rng.choice(alphabet))
            elif data:
                del data[pos]
        out.append(bytes(data))
    return out


def normalize(value):
    """Field values as we expose them: OWS stripped (RFC 9110 §5.5; llhttp keeps trailing
    whitespace) and decoded as UTF-8 with replacement (h11 decodes obs-text as Latin-1)."""
    return value.strip(b" \t").decode("utf-8", "replace")


def parse_h11(data):
    conn = h11.Connection(h11.SERVER)
    try:
        conn.receive_data(data)
        request, body = None, b""
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                return {"ok": False, "status": 0, "reason": "incomplete"}
            if isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                return {"ok": True, "method": request.method.decode("latin-1"),
                        "target": request.target.decode("latin-1"),
                        "headers": [[n.decode("latin-1"), normalize(v)] for n, v in request.headers.raw_items()],
                        "body": body.hex()}
    except h11.RemoteProtocolError as error:
        return {"ok": False, "status": error.error_status_hint, "reason": str(error)}


def parse_httptools(data):
    # Only the first message counts (ours stops there too); trailers arrive through on_header
    # after on_headers_complete and are not part of the compared header section.
    state = {"headers": [], "body": b"", "url": b"", "done": False, "in_head": True, "method": b""}

    class Proto:
        def on_url(self, url): state["url"] += url
        def on_header(self, name, value):
            if state["in_head"] and not state["done"]:
                state["headers"].append([name.decode("latin-1"), normalize(value)])
        def on_headers_complete(self):
            state["in_head"] = False
            state["method"] = parser.get_method()
        def on_body(self, body):
            if not state["done"]:
                state["body"] += body
        def on_message_complete(self): state["done"] = True

    parser = httptools.HttpRequestParser(Proto())
    try:
        parser.feed_data(data)
    except httptools.HttpParserUpgrade:
        pass
    except httptools.HttpParserError as error:
        if not state["done"]:
            return {"ok": False, "status": 400, "reason": str(error)}
    if not state["done"]:
        return {"ok": False, "status": 0, "reason": "incomplete"}
    return {"ok": True, "method": state["method"].decode("latin-1"), "target": state["url"].decode("latin-1"),
            "headers": state["headers"], "body": state["body"].hex()}


def parse_ours(cases):
    build = os.path.join(ROOT, ".build", "differential")
    os.makedirs(build, exist_ok=True)
    binary = os.path.join(build, "parse-cli")
    sources = [os.path.join(ROOT, "Sources/VigilHTTP/Parser", f) for f in sorted(os.listdir(os.path.join(ROOT, "Sources/VigilHTTP/Parser")))]
    subprocess.run(["swiftc", "-O", "-parse-as-library", "-module-name", "VigilParseCLI", *sources,
                    os.path.join(ROOT, "Tests/differential/ParseCLI.swift"), "-o", binary], check=True)
    result = subprocess.run([binary], input="\n".join(c.hex() for c in cases) + "\n", capture_output=True, text=True, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def comparable(result):
    if not result["ok"]:
        return ("reject",)
    headers = [[n.lower(), v] for n, v in result["headers"]]
    return ("accept", result["method"], result["target"], json.dumps(headers), result["body"])


def main():
    rng = random.Random(9112)
    cases = BASE + REFUSALS + mutations(BASE, 400, rng)
    ours = parse_ours(cases)
    disagreements = {}
    unexplained = 0
    for data, mine in zip(cases, ours):
        for name, theirs in (("h11", parse_h11(data)), ("llhttp", parse_httptools(data))):
            a, b = comparable(mine), comparable(theirs)
            if a != b:
                if not mine["ok"] and theirs["ok"]:
                    explained = mine.get("reason") in KNOWN_STRICTER
                elif mine["ok"] and not theirs["ok"]:
                    # Empty lines before the request line (RFC 9112 §2.2), or a method token
                    # llhttp does not know: any token is a method (RFC 9110 §9.1); the router
                    # answers unknown ones with 404/405.
                    leading_crlf = data.startswith(b"\r\n")
                    unknown_method = "Invalid method" in theirs.get("reason", "") and mine["method"] not in STANDARD_METHODS
                    explained = (leading_crlf and any(k in theirs.get("reason", "") for k in KNOWN_MORE_LENIENT)) or unknown_method
                else:
                    explained = False
                if not explained:
                    unexplained += 1
                kind = f"{name}: ours {'accept' if mine['ok'] else 'reject ' + str(mine.get('status')) + ' (' + mine.get('reason', '') + ')'}" \
                       f" / theirs {'accept' if theirs['ok'] else 'reject (' + theirs.get('reason', '')[:60] + ')'}"
                disagreements.setdefault(kind, []).append(data)
    total = len(cases)
    print(f"{total} inputs, {sum(len(v) for v in disagreements.values())} disagreements in {len(disagreements)} kinds")
    for kind, samples in sorted(disagreements.items(), key=lambda item: -len(item[1])):
        print(f"- {len(samples):4d}  {kind}")
        print(f"        e.g. {samples[0][:90]!r}")
    print(f"unexplained disagreements: {unexplained}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
