"""`python -m kite_sandbox`: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import sys

from .cli import add_sandbox_arguments, config_from_args, run_sandbox


def main(argv: list[str] | None = None, prog: str = "python -m kite_sandbox") -> int:
    parser = argparse.ArgumentParser(prog=prog,
                                     description="A local Kite Connect v3 look-alike with synthetic markets.")
    add_sandbox_arguments(parser)
    args = parser.parse_args(argv)
    return run_sandbox(config_from_args(args), log_requests=args.log_requests)


if __name__ == "__main__":
    sys.exit(main())
