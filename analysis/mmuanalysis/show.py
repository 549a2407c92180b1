"""Plain-text table of chosen columns: a quick look at a sweep in a terminal."""
from __future__ import annotations

import pandas as pd

from .load import AnalysisError, swept_columns

DEFAULT_METRICS = ["stats.walker.walks", "derived.walks_pki", "stats.timing.cycles", "derived.ipc",
                   "derived.translation_overhead"]


def resolve_column(df: pd.DataFrame, name: str) -> str:
    """A full column name, or the one column ending in ``.name`` (error if none or several)."""
    name = name.strip()
    if name in df.columns:
        return name
    hits = [c for c in df.columns if c.endswith("." + name)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise AnalysisError(f"no column '{name}' (columns look like stats.walker.walks, derived.ipc, "
                            f"config keys such as os.thp.mode)")
    raise AnalysisError(f"column '{name}' is ambiguous: {', '.join(sorted(hits)[:6])}")


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e6 else f"{v:.0f}"
    return str(v)


def show_table(df: pd.DataFrame, columns: list[str] | None = None) -> str:
    if columns:
        cols = [resolve_column(df, c) for c in columns if c.strip()]
    else:
        cols = ["workload"] + swept_columns(df) + [c for c in DEFAULT_METRICS if c in df.columns]
    if not cols:
        raise AnalysisError("nothing to show")
    if "point_id" in df.columns:  # a sweep: its own point order, not the sorted config names
        df = df.sort_values("point_id", kind="stable")
    rows = [[_fmt(v) for v in r] for r in df[cols].itertuples(index=False)]
    head = [c.split(".", 1)[1] if c.startswith(("stats.", "derived.")) else c for c in cols]
    width = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, width))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, width)) for r in rows]
    return "\n".join(lines)
