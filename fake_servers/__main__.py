"""Command line: run one fake server until Ctrl-C or SIGTERM.

Usage: ``python -m fake_servers <server> [options]``; ``--help`` lists them.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import Any

from . import CERTIFICATE_VARIANTS, FAULTS, SERVERS, BaseServer


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fake_servers",
        description=(
            "Run one fake server until Ctrl-C or SIGTERM. Prints 'address: "
            "HOST:PORT' and, when the server has TLS, 'ca-file: PATH' (the CA "
            "certificate a client must trust; deleted on exit)."
        ),
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    common.add_argument("--port", type=int, default=0, help="default: 0 (any free)")
    common.add_argument(
        "--allow-non-loopback",
        action="store_true",
        help="allow --host to name an address other than loopback",
    )
    common.add_argument(
        "--no-ipv6",
        dest="ipv6",
        action="store_false",
        help="do not also listen on ::1 when --host is 127.0.0.1",
    )
    common.add_argument("--tls", action="store_true", help="TLS from the first byte")
    common.add_argument(
        "--certificate",
        choices=CERTIFICATE_VARIANTS,
        default="good",
        help="which server certificate to present (default: good)",
    )
    common.add_argument(
        "--alpn",
        action="append",
        metavar="PROTOCOL",
        help="an ALPN protocol to accept (repeat for more)",
    )
    common.add_argument(
        "-v", "--verbose", action="store_true", help="log connections to stderr"
    )

    servers = parser.add_subparsers(dest="server", required=True, metavar="SERVER")
    echo = servers.add_parser("echo", parents=[common], help="echo every byte")
    echo.add_argument("--greeting", default="", help="text sent on connect")

    gopher = servers.add_parser("gopher", parents=[common], help="RFC 1436 Gopher")
    gopher.add_argument("--root", help="serve this directory (default: a demo site)")

    smtp = servers.add_parser("smtp", parents=[common], help="SMTP with STARTTLS")
    smtp.add_argument("--hostname", default="localhost")
    smtp.add_argument("--no-starttls", dest="offer_starttls", action="store_false")
    smtp.add_argument("--refuse-starttls", action="store_true")
    smtp.add_argument("--require-tls", action="store_true")

    postgres = servers.add_parser(
        "postgres", parents=[common], help="PostgreSQL SSLRequest and a tiny session"
    )
    postgres.add_argument(
        "--no-ssl", dest="accept_ssl", action="store_false", help="answer N"
    )
    postgres.add_argument("--require-ssl", action="store_true")

    servers.add_parser(
        "starttls-echo", parents=[common], help="line echo, TLS after STARTTLS"
    )

    fault = servers.add_parser("fault", parents=[common], help="inject a fault")
    fault.add_argument("--fault", choices=FAULTS, required=True)
    fault.add_argument("--payload", default="", help="text sent before the fault")
    fault.add_argument("--after", type=int, default=0, help="bytes read first")
    fault.add_argument("--interval", type=float, default=0.01, help="drip delay")
    return parser


def _make_server(args: argparse.Namespace) -> BaseServer:
    options: dict[str, Any] = {
        "host": args.host,
        "port": args.port,
        "allow_non_loopback": args.allow_non_loopback,
        "ipv6": args.ipv6,
        "tls": args.tls,
        "certificate": args.certificate,
        "alpn": args.alpn,
    }
    if args.server == "echo":
        options["greeting"] = args.greeting.encode()
    elif args.server == "gopher":
        options["root"] = args.root
    elif args.server == "smtp":
        options.update(
            hostname=args.hostname,
            offer_starttls=args.offer_starttls,
            refuse_starttls=args.refuse_starttls,
            require_tls=args.require_tls,
        )
    elif args.server == "postgres":
        options.update(accept_ssl=args.accept_ssl, require_ssl=args.require_ssl)
    elif args.server == "fault":
        options.update(
            fault=args.fault,
            payload=args.payload.encode(),
            after=args.after,
            interval=args.interval,
        )
    return SERVERS[args.server](**options)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(
            level=logging.DEBUG, format="%(asctime)s %(name)s %(message)s"
        )
    try:
        server = _make_server(args)
        server.start()
    except (ValueError, OSError) as exc:
        message = str(exc).replace("allow_non_loopback=True", "--allow-non-loopback")
        parser.exit(2, f"{parser.prog}: error: {message}\n")

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        print(f"address: {server.address}")
        for other in server.addresses[1:]:
            print(f"also: {other}")
        if server.has_ca:
            print(f"ca-file: {server.ca_file}")
        sys.stdout.flush()
        print("serving; press Ctrl-C to stop", file=sys.stderr)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    try:
        server.check()
    except Exception as exc:
        print(f"{parser.prog}: server failure: {exc!r}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
