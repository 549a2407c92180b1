"""Command line: ``/usr/bin/python3 -m mmuanalysis {figures,tables,report,show} INPUT ...``.

Exit codes: 0 success; 1 nothing could be produced (every figure skipped); 2 bad usage or input.
"""
from __future__ import annotations

import argparse
import sys

from .load import AnalysisError, apply_where, load

EPILOG = """INPUT is a directory of mmusim result JSONs, a sweep directory (table.json/table.csv,
points/*.json), a table file, or one result file.
exit codes: 0 ok, 1 no figure could be drawn, 2 bad usage or invalid input"""


def _log(msg):
    print(f"mmuanalysis: {msg}", file=sys.stderr)


def build_parser():
    from .figures import FIGURES
    p = argparse.ArgumentParser(prog="python3 -m mmuanalysis",
                                description="Figures, LaTeX tables and an HTML report from mmusim results.",
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True

    def common(sp):
        sp.add_argument("input", metavar="INPUT", help="results directory, sweep directory or table file")
        sp.add_argument("--where", action="append", metavar="KEY=VALUE", default=[],
                        help="keep only rows whose column KEY equals VALUE (repeatable)")
        sp.add_argument("--measured", action="store_true",
                        help="use the post-warm-up region (measured.*) of each result when present")

    f = sub.add_parser("figures", help="render every figure (PDF + PNG) into a directory",
                       epilog="figures: " + ", ".join(FIGURES))
    common(f)
    f.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output directory")
    f.add_argument("--only", action="append", choices=list(FIGURES), metavar="NAME",
                   help="render only this figure (repeatable): " + ", ".join(FIGURES))
    t = sub.add_parser("tables", help="write LaTeX booktabs tables into a directory")
    common(t)
    t.add_argument("-o", "--output", required=True, metavar="OUTDIR", help="output directory")
    r = sub.add_parser("report", help="write an HTML report (assets in <name>_files/)")
    common(r)
    r.add_argument("-o", "--output", default="report.html", metavar="HTML", help="report file (default report.html)")
    s = sub.add_parser("show", help="print chosen columns as a plain-text table (a quick look at a sweep)")
    common(s)
    s.add_argument("--columns", "-c", metavar="COL,COL,...", default=None,
                   help="columns to print: full names (stats.walker.walks) or unique suffixes "
                        "(walker.walks); default: the swept keys and a few headline metrics")
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        df = load(args.input, use_measured=args.measured)
        df = apply_where(df, args.where)
        if args.cmd == "figures":
            from .figures import render_all
            done, skipped = render_all(df, args.output, only=args.only, log=_log)
            for name, paths in done.items():
                print("\n".join(paths))
            if not done:
                _log("no figure could be drawn")
                return 1
        elif args.cmd == "tables":
            from .tables import write_all
            paths, _ = write_all(df, args.output)
            print("\n".join(paths.values()))
        elif args.cmd == "show":
            from .show import show_table
            print(show_table(df, args.columns.split(",") if args.columns else None))
        else:
            from .report import write_report
            path, done, _ = write_report(df, args.output, source=args.input, log=_log)
            print(path)
            if not done:
                _log("no figure could be drawn")
                return 1
    except AnalysisError as e:
        _log(f"error: {e}")
        return 2
    return 0
