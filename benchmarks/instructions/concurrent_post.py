"""Sends N POST /v1/incidents requests over C keep-alive connections at once (asyncio) and
checks that every answer is 201. Used by run.sh for the write endpoint w while the server runs
under callgrind: with C callers waiting, the writer commits them in groups, as under load.

    python3 concurrent_post.py N C        (env: VIGIL_TOKEN, PORT=8013, VIGIL_WRITE_BODY)

The body is the side-by-side benchmark's (shared/bench/systems/vigil-writes.sh) unless
VIGIL_WRITE_BODY replaces it; each %UNIQUE% becomes a value unique to the request.
"""
import asyncio
import os
import sys

count, connections = int(sys.argv[1]), int(sys.argv[2])
port = int(os.environ.get("PORT", "8013"))
token = os.environ["VIGIL_TOKEN"]
template = os.environ.get("VIGIL_WRITE_BODY") or (
    '{"title": "Benchmark write %UNIQUE%", "summary": "On 01 May 2024, security forces in North Vaska, '
    'Caskar, detained without a warrant a group of students near the stadium. Family members were denied '
    'access and no charges were communicated. Relatives filed a complaint with the provincial prosecutor '
    'without response.", "occurred": "2024-05-01", "country": "XC", "admin1": "North Vaska", "lat": 12.61, '
    '"lon": 30.12, "violation_types": ["arbitrary_detention"], "victims_min": 3, "victims_max": 3}')
sent = 0


async def caller(number):
    global sent
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while sent < count:
        sent += 1
        body = template.replace("%UNIQUE%", f"instructions-{os.getpid()}-{number}-{sent}").encode()
        writer.write((f"POST /v1/incidents HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                      f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 201"):
            sys.exit(f"unexpected answer: {head[:200]!r}")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        await reader.readexactly(length)
    writer.close()


async def main():
    await asyncio.gather(*(caller(number) for number in range(connections)))


asyncio.run(main())
