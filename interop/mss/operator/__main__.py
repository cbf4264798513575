"""``python -m interop.mss.operator``: the local MSSanté operator (see the package docstring)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path

from interop.mss.operator.server import Config, run


def _interrupt(*_) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Opérateur MSSanté local (SMTP + IMAP + page web, loopback).")
    parser.add_argument("--state-dir", type=Path, default=Path(".data/mss-operator"), help="boîtes et certificats")
    parser.add_argument("--directory", type=Path, default=None, help="fichier des adresses servies")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=0)
    parser.add_argument("--imap-port", type=int, default=0)
    parser.add_argument("--web-port", type=int, default=0)
    parser.add_argument("--dcc-address", default="dcc@dcc.mssante.demo.test", help="boîte applicative du DCC")
    parser.add_argument("--password", default="Demo-MSS-2026!", help="mot de passe IMAP des boîtes de démonstration")
    parser.add_argument("--report-delay", type=float, default=0.2, help="délai avant les DSN/MDN (secondes)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    signal.signal(signal.SIGTERM, _interrupt)
    config = Config(
        state_dir=args.state_dir,
        directory_file=args.directory,
        host=args.host,
        smtp_port=args.smtp_port,
        imap_port=args.imap_port,
        web_port=args.web_port,
        dcc_address=args.dcc_address,
        password=args.password,
        report_delay=args.report_delay,
    )
    run(config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
