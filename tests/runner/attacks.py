"""Tools for the runner's attack suite: loopback listeners, a canary process, hostile scripts.

Every attack is written as a config author would write it, aimed at a real target on this
machine (a listener on 127.0.0.1, a sleeping process, a file outside the run's directory);
the tests assert that the target saw nothing.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

# Ways a script has tried to reach Node's real modules (a module name in, the module out).
ROUTES = {
    "process.mainModule.require": "(m) => process.mainModule.require(m)",
    "Module._load": "(m) => process.mainModule.constructor._load(m)",
    "Function('return process')": "(m) => Function('return process')().getBuiltinModule(m)",
    "a host error from import()": (
        "async (m) => { try { await import('node:fs'); } catch (e) {"
        " return e.constructor.constructor('return process')().getBuiltinModule(m); } }"
    ),
    "a stack trace's call sites": (
        "(m) => { Error.prepareStackTrace = (e, sites) => sites; const sites = new Error().stack;"
        " for (const site of sites) { const f = site.getFunction && site.getFunction(); const t = site.getThis && site.getThis();"
        " for (const o of [f, t]) { if (o) { const p = o.constructor.constructor('return process')(); if (p) return p.getBuiltinModule(m); } } }"
        " throw new Error('no host frame'); }"
    ),
    "a call site's constructor": (
        "(m) => { Error.prepareStackTrace = (e, sites) => sites; const sites = new Error().stack;"
        " return sites[sites.length - 1].constructor.constructor('return process')().getBuiltinModule(m); }"
    ),
    "a callback's caller": (
        "(m) => new Promise((resolve) => { setTimeout(function later() { const c = later.caller;"
        " resolve(c.constructor('return process')().getBuiltinModule(m)); }, 0); })"
    ),
    "a getter run by the record": (
        "(m) => new Promise((resolve) => { fetch({ get url() { const c = Object.getOwnPropertyDescriptor(this, 'url').get.caller;"
        " resolve(c.constructor('return process')().getBuiltinModule(m)); return 'x'; } }); })"
    ),
}

# Each protocol's attempt, given `reach` and the listeners' ports; it sends to 127.0.0.1 only.
PROTOCOLS = {
    "tcp via net": "const s = (await reach('net')).connect(TCP, '127.0.0.1', () => s.write('hello')); s.on('error', () => {});",
    "http": "(await reach('http')).get('http://127.0.0.1:' + TCP + '/x').on('error', () => {});",
    "http2": "(await reach('http2')).connect('http://127.0.0.1:' + TCP).on('error', () => {});",
    "tls": "(await reach('tls')).connect(TCP, '127.0.0.1', { rejectUnauthorized: false }).on('error', () => {});",
    "udp via dgram": "const u = (await reach('dgram')).createSocket('udp4'); u.on('error', () => {}); u.send('hello', UDP, '127.0.0.1', () => {});",
    "dns": "const r = new ((await reach('dns')).Resolver)(); r.setServers(['127.0.0.1:' + UDP]); r.resolve4('example.com', () => {});",
}


def hook(body: str, *, wait_ms: int = 400) -> str:
    """A post-user-registration hook that runs ``body`` (async, errors swallowed) and calls back
    after ``wait_ms`` so that real sockets would have time to connect."""
    return (
        "module.exports = function (user, context, cb) {\n"
        f"  (async () => {{ {body} }})().catch(() => {{}});\n"
        f"  setTimeout(() => cb(null, {{}}), {wait_ms});\n"
        "};\n"
    )


@dataclass
class Listener:
    """A TCP and a UDP socket on 127.0.0.1 that count what reaches them."""

    tcp_port: int = 0
    udp_port: int = 0
    hits: list[str] = field(default_factory=list)
    _tcp: socket.socket | None = None
    _udp: socket.socket | None = None
    _stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Listener:
        self._tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._tcp.bind(("127.0.0.1", 0))
        self._tcp.listen(16)
        self._tcp.settimeout(0.1)
        self._udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._udp.bind(("127.0.0.1", 0))
        self._udp.settimeout(0.1)
        self.tcp_port = self._tcp.getsockname()[1]
        self.udp_port = self._udp.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()
        threading.Thread(target=self._receive, daemon=True).start()
        return self

    def _accept(self) -> None:
        assert self._tcp is not None
        while not self._stop.is_set():
            try:
                connection, _ = self._tcp.accept()
            except (TimeoutError, OSError):
                continue
            self.hits.append("tcp connection")
            connection.close()

    def _receive(self) -> None:
        assert self._udp is not None
        while not self._stop.is_set():
            try:
                data, _ = self._udp.recvfrom(65536)
            except (TimeoutError, OSError):
                continue
            self.hits.append(f"udp datagram of {len(data)} bytes")

    def settle(self) -> list[str]:
        """What arrived, after giving late packets a moment."""
        time.sleep(0.3)
        return list(self.hits)

    def close(self) -> None:
        self._stop.set()
        for sock in (self._tcp, self._udp):
            if sock is not None:
                sock.close()


def network_attack(route: str, protocol: str, listener: Listener) -> str:
    reach = ROUTES[route]
    attempt = PROTOCOLS[protocol].replace("TCP", str(listener.tcp_port)).replace("UDP", str(listener.udp_port))
    return hook(f"const reach = {reach}; {attempt}")


def reversed_js(expression: str) -> str:
    """JS for ``expression`` reversed: a value that reached the script, in a form no masking knows."""
    return f"String({expression}).split('').reverse().join('')"
