"""Command line: ``python -m vpsbg_api.simulator --port 8765 [--state FILE] ...``."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from .app import Simulator, parse_token_spec
from .faults import parse_fault_spec
from .seed import DEMO_2FA_SECRET, DEMO_TOKENS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m vpsbg_api.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument(
        "--state", metavar="FILE", help="load state from FILE if present; save it on every change"
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        metavar="VALUE:rw|ro[:ACCOUNT]",
        help="add a token (repeatable); the demo tokens always exist",
    )
    parser.add_argument(
        "--seed", choices=("demo", "empty"), default="demo", help="initial data (default demo)"
    )
    parser.add_argument(
        "--action-seconds",
        type=float,
        default=20.0,
        help="how long deploy/reinstall/snapshot/... keep a server locked (default 20)",
    )
    parser.add_argument(
        "--power-seconds",
        type=float,
        default=None,
        help="how long power actions take (default: same as --action-seconds)",
    )
    parser.add_argument(
        "--rate-limit", type=int, default=None, help="requests per token per minute (default off)"
    )
    parser.add_argument("--servers", type=int, default=0, help="extra servers for account alpha (benchmarks)")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="fault, e.g. operation=servers_get,status=503,rate=0.5 (repeatable)",
    )
    parser.add_argument(
        "--cache-renders",
        action="store_true",
        help="keep the encoded JSON of listed servers until the next write (benchmarks)",
    )
    parser.add_argument(
        "--reuse-port",
        action="store_true",
        help="let several simulator processes share --port (each with its own copy of the state: "
        "read-only loads such as benchmarks)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    try:
        tokens = {}
        for spec in args.token:
            value, mode, account = parse_token_spec(spec)
            tokens[value] = (mode, account)
        for spec in args.fault:
            parse_fault_spec(spec)
        sim = Simulator(
            seed=args.seed,
            tokens=tokens,
            action_seconds=args.action_seconds,
            power_seconds=args.power_seconds,
            rate_limit=args.rate_limit,
            state_file=args.state,
            servers=args.servers,
            faults=args.fault,
            cache_renders=args.cache_renders,
        )
        base_url = sim.start(args.host, args.port, reuse_port=args.reuse_port)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):  # before the banner: who reads it may stop us
        signal.signal(signum, lambda *_: stop.set())
    print(f"VPSBG API simulator listening on {base_url}", flush=True)
    for value, info in sorted(sim.tokens.items(), key=lambda kv: kv[1]["account"]):
        label = next((k for k, v in DEMO_TOKENS.items() if v == value), "custom")
        print(f"  token {value}  account={info['account']} mode={info['mode']} ({label})", flush=True)
    print(f"  2FA secret of account alpha: {DEMO_2FA_SECRET}", flush=True)
    if args.state:
        print(f"  state file: {args.state}", flush=True)
    stop.wait()
    sim.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
