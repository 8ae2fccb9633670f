"""`reconciler emulator`: run the local Auth0 hooks and Actions API until SIGINT/SIGTERM."""

from __future__ import annotations

import os
import signal
import ssl
import sys
import threading

import click

from reconciler.emulator.limits import parse_faults
from reconciler.emulator.options import EmulatorOptions
from reconciler.emulator.parts import all_scopes, check_scopes
from reconciler.emulator.server import start
from reconciler.emulator.store import CONFLICT_MODES


def _faults(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, float]:
    try:
        return parse_faults(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8787, show_default=True, type=int, help="Port (0 picks a free one).")
@click.option("--state", "state_file", type=click.Path(dir_okay=False), help="Persist the tenant to this JSON file (loaded at start).")
@click.option("--client-id", default="emulator", show_default=True)
@click.option("--client-secret", default="emulator-secret", show_default=True)
@click.option("--scopes", default=" ".join(all_scopes()), show_default=True, help="Scopes tokens get (space or comma separated).")
@click.option("--rate-limit", default=50.0, show_default=True, type=float, help="Token bucket refill, requests/s (0: unlimited).")
@click.option("--burst", default=50, show_default=True, type=int, help="Token bucket size.")
@click.option("--retry-after", is_flag=True, help="Add a Retry-After header to 429 answers.")
@click.option("--latency-ms", default=0.0, show_default=True, type=float, help="Delay added to every response.")
@click.option("--faults", callback=_faults, help="Random faults, e.g. 429=0.2,500=0.05,503=0.01,reset=0.02,500after=0.05.")
@click.option("--fault-seed", type=int, help="Seed the fault RNG (reproducible with one client).")
@click.option("--enabled-conflict", type=click.Choice(CONFLICT_MODES), default="reject", show_default=True,
              help="What enabling a second hook on a trigger does.")
@click.option("--token-ttl", default=86400, show_default=True, type=int, help="Access token lifetime, seconds.")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), help="Serve HTTPS with this certificate (PEM).")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), help="Private key for --tls-cert (PEM).")
@click.option("--build-time", default=0.2, show_default=True, type=float,
              help="Seconds an action draft takes to build (plus --build-time-per-dependency each).")
@click.option("--build-time-per-dependency", default=0.5, show_default=True, type=float,
              help="Extra build seconds per npm dependency.")
@click.option("--bad-dependencies", help="Dependencies whose builds fail, e.g. 'crypto@17.7.1 left-pad' (a bare name: any version).")
@click.option("--manual-builds", is_flag=True, help="Builds advance only on POST /__emulator/builds (deterministic tests).")
@click.option("--actions/--no-actions", "actions_enabled", default=True, show_default=True,
              help="--no-actions: a tenant without Actions (403 feature_not_enabled).")
@click.option("--hooks/--no-hooks", "hooks_enabled", default=True, show_default=True,
              help="--no-hooks: a tenant that no longer serves Hooks (403 hooks_not_allowed on /api/v2/hooks).")
@click.option("--exit-on-stdin-eof", is_flag=True, hidden=True,
              help="Stop when stdin closes (test harnesses: the emulator dies with its parent).")
def emulator(exit_on_stdin_eof: bool = False, **kwargs: object) -> None:
    """A local Auth0 Management API v2 for Actions and Hooks (a real HTTP server).

    Prints its base URL on the first line, then serves until SIGINT/SIGTERM.
    Admin endpoints: GET /__emulator/stats, POST /__emulator/reset, POST /__emulator/seed,
    GET /__emulator/state, GET|POST /__emulator/config, POST /__emulator/builds.
    """
    try:
        options = EmulatorOptions(**kwargs)  # type: ignore[arg-type]
        check_scopes(options.scopes or (), all_scopes())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    try:
        running = start(options)
    except (ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(f"state file {options.state_file}: {exc}") from None
    except ssl.SSLError as exc:
        raise click.ClickException(f"cannot use the TLS certificate/key: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {options.host}:{options.port}: {exc}") from None
    stop = threading.Event()

    def _on_signal(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    if exit_on_stdin_eof:

        def _watch_stdin() -> None:
            try:  # os.read, not sys.stdin: a thread blocked in the buffered reader holds its
                # lock, and the interpreter then waits at exit to close stdin
                while os.read(sys.stdin.fileno(), 4096):
                    pass
            except (OSError, ValueError):
                pass
            stop.set()

        threading.Thread(target=_watch_stdin, name="stdin-watch", daemon=True).start()
    print(f"Auth0 emulator listening on {running.base_url}", flush=True)
    print(
        f"  client id: {options.client_id}  "
        f"enabled-conflict: {options.enabled_conflict}  rate limit: {options.rate_limit:g}/s burst {options.burst}",
        file=sys.stderr,
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        running.stop()
