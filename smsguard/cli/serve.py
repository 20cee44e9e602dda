"""``smsguard serve``: the HTTP service and dashboard, with sending and complaint duties.

One process: uvicorn serves ``bootstrap.build_app`` (the JSON API under ``/api/v1`` and the
dashboard) while background threads run a sending worker per institution and the complaints
desk's periodic reminders (smsguard/cli/_background.py); ``--no-worker`` serves only.
``--workers N`` serves from N child processes sharing the listening socket, supervised by
this one, which keeps the background duties. Ctrl-C or SIGTERM finishes open requests and
the workers' current batches, then exits 0.

What can be checked before serving is checked first and reported in one line with a hint
(missing key files, a database that was never migrated, a port in use), so a broken set-up
never ends in a traceback. Access logs are off: a query string may carry a phone number.
See docs/serve.md.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Generator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

import click
import uvicorn

from smsguard.cli._context import CliState
from smsguard.cli._home import home_settings
from smsguard.errors import ConfigError, CryptoError
from smsguard.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


class _Server(uvicorn.Server):
    """uvicorn's server, but a signal only asks it to stop: uvicorn would re-raise SIGTERM
    after shutting down, killing the process before the workers are joined."""

    @contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        signums = (signal.SIGINT, signal.SIGTERM)
        previous = {signum: signal.signal(signum, self._on_signal) for signum in signums}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True  # a second Ctrl-C: do not wait for open connections
        self.should_exit = True


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any."
)
@click.option("--no-worker", is_flag=True, help="Serve only: no sending worker, no reminders.")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True,
    help="API processes sharing the port (use PostgreSQL beyond one; docs/deployment.md).",
)  # fmt: skip
@click.pass_obj
def serve(state: CliState, host: str, port: int, no_worker: bool, workers: int) -> None:
    """Run the HTTP API and dashboard (and the sending workers) until Ctrl-C or SIGTERM."""
    from smsguard.cli._background import Background

    settings = home_settings(state)
    if workers > 1:
        settings = settings.model_copy(update={"api_processes": workers})
    _preflight(settings)
    _configure_logging()
    listener = _listen(host, port)
    run = (
        _serve_one(settings, listener) if workers == 1 else _serve_many(settings, listener, workers)
    )
    background = None if no_worker else Background(settings)
    url = _url(listener)
    click.echo(f"smsguard serving {url} (dashboard), API {url}api/v1; Ctrl-C stops")
    click.echo("sending worker: off" if background is None else "sending worker: on")
    if workers > 1:
        click.echo(f"API processes: {workers}")
    sys.stdout.flush()  # scripts and tests wait for the URL
    try:
        if background is not None:
            background.start()
        run()
    finally:
        if background is not None:
            background.stop()
        listener.close()
    click.echo("stopped")


def _serve_one(settings: Settings, listener: socket.socket) -> Callable[[], None]:
    """This process serves: the application is built (and checked) before the URL shows."""
    from smsguard.bootstrap import build_app

    app = build_app(settings)
    _warm_openapi(app)
    server = _Server(uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="auto",
    ))  # fmt: skip
    return lambda: server.run(sockets=[listener])


def _serve_many(settings: Settings, listener: socket.socket, workers: int) -> Callable[[], None]:
    """``workers`` child processes serve the listener, each building the application from
    these settings (smsguard.api.asgi.app_from_serve); this process supervises them
    (restarting one that dies) and runs the background duties. Ctrl-C or SIGTERM stops the
    children gracefully, then the background."""
    from uvicorn.supervisors import Multiprocess

    from smsguard.api.asgi import SERVE_SETTINGS_ENV

    os.environ[SERVE_SETTINGS_ENV] = settings.model_dump_json()
    config = uvicorn.Config(
        "smsguard.api.asgi:app_from_serve", factory=True, workers=workers,
        log_level="warning", access_log=False, lifespan="auto",
    )  # fmt: skip
    return lambda: Multiprocess(config, sockets=[listener]).run()


def _warm_openapi(app: FastAPI) -> None:
    """Build the OpenAPI document now, in the main thread, before any worker thread compiles
    a rulebook (which briefly turns warnings into errors process-wide, see
    screening/matcher.py); a route that cannot be documented is logged, not fatal."""
    try:
        app.openapi()
    except Exception as exc:  # a route's bug must not keep the dashboard down
        logging.getLogger("smsguard.serve").error(
            "the OpenAPI document cannot be built: %s", type(exc).__name__
        )


def _preflight(settings: Settings) -> None:
    """Refuse to start, with a hint, when the keys or the database schema are missing."""
    from smsguard.bootstrap import build_database
    from smsguard.store import status

    for kind, path in (
        ("master", settings.effective_master_key_file),
        ("index", settings.effective_index_key_file),
    ):
        if not path.exists():
            raise CryptoError(
                f"{kind} key file {path} does not exist",
                hint="Run `smsguard demo` for a demo, or `smsguard keys init` (then back them up).",
            )
    database = build_database(settings)
    try:
        found = status(database)
    finally:
        database.dispose()
    if not found.up_to_date:
        raise ConfigError(
            f"the database {database.display_url} is not at the current schema",
            hint="Run `smsguard db upgrade` (or `smsguard demo` for a demo).",
        )


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port, or ConfigError saying why not (e.g. in use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        family, kind, proto, _, address = infos[0]
        listener = socket.socket(family, kind, proto)
    except (OSError, IndexError) as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {_why(exc)}") from exc
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        raise ConfigError(
            f"cannot listen on {host}:{port}: {_why(exc)}",
            hint="Another program may use the port; choose another with --port.",
        ) from exc
    listener.set_inheritable(True)
    return listener


def _why(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


def _url(listener: socket.socket) -> str:
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _configure_logging() -> None:
    """One line per event on stderr: the service's own notes, everything else from warning."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("smsguard.serve").setLevel(logging.INFO)
