"""Command line: ``python -m scripts build [--seeds DIR] [--docs DIR]``."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .pipeline import PROJECT, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="raw pages -> docs/ (Markdown pages, data export)")
    b.add_argument("--seeds", type=Path, default=PROJECT / "seeds")
    b.add_argument("--docs", type=Path, default=PROJECT / "docs")
    b.add_argument("--manifest", type=Path, default=None, help="default: SEEDS/manifest.yml")
    args = parser.parse_args(argv)

    report = build(args.seeds, args.docs, args.manifest, root=PROJECT)
    for diag in report.diagnostics:
        print(diag, file=sys.stderr)
    n_articles = sum(len(p.articles) for p in report.pages)
    print(f"built {n_articles} articles from {len(report.pages)} pages; "
          f"{sum(d.level == 'error' for d in report.diagnostics)} errors, "
          f"{sum(d.level == 'warning' for d in report.diagnostics)} warnings")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
