"""LaTeX (booktabs) tables.  Each ``table_xxx(df) -> (latex, frame)``; ``write_all`` saves them.

Needs ``\\usepackage{booktabs}`` in the paper.  Cells are escaped for LaTeX; numbers are means
over seeds, with ``\\pm`` the 95 % Student-t half-width when a point has several seeds.
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd

from .load import AnalysisError, fmt_value, point_label, seed_summary, swept_columns

_LATEX_ESC = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}


def latex_escape(s) -> str:
    return "".join(_LATEX_ESC.get(ch, ch) for ch in str(s))


def _num(m, ci, digits):
    if m is None or not np.isfinite(m):
        return "--"
    s = f"{m:.{digits}f}"
    if ci is not None and np.isfinite(ci) and ci > 0:
        s = f"${s} \\pm {ci:.{digits}f}$"
    return s


# (column or function, header, scale, digits); the first TLB level that exists is used
def _summary_metrics(df):
    tlb = "l2" if "derived.tlb_mpki.l2" in df.columns else next(
        (c.split(".")[-1] for c in df.columns if c.startswith("derived.tlb_mpki.")), None)
    m = []
    if tlb:
        m.append((f"derived.tlb_mpki.{tlb}", f"{tlb.upper()} TLB MPKI", 1, 2))
    m += [("derived.walks_pki", "Walks PKI", 1, 2),
          ("derived.walk_latency_avg", "Walk lat. (cyc.)", 1, 1),
          ("derived.translation_overhead", "Transl. ovh. (\\%)", 100, 2),
          ("derived.ipc", "IPC", 1, 3)]
    return [t for t in m if t[0] in df.columns]


def table_summary(df, conf=0.95):
    """Per-workload summary: one row per workload x config point."""
    metrics = _summary_metrics(df)
    if not metrics:
        raise AnalysisError("table_summary needs derived.* columns (derived.walks_pki, ...)")
    keys = swept_columns(df)
    points = list(dict.fromkeys(df["point"]))
    labels = df.attrs.get("workload_labels", {})
    stats = {col: seed_summary(df, ["workload", "point"], col, conf).set_index(["workload", "point"])
             for col, *_ in metrics}
    nseeds = df.groupby(["workload", "point"])["seed"].nunique()
    rows = []
    for w in dict.fromkeys(df["workload"]):
        for p in points:
            if (w, p) not in nseeds.index:
                continue
            row = {"Workload": labels.get(w, w)}
            if len(points) > 1:
                row["Config"] = point_label(df, p, keys)
            row["Seeds"] = int(nseeds[(w, p)])
            for col, head, scale, digits in metrics:
                r = stats[col].loc[(w, p)]
                row[head] = (r["mean"] * scale, r["ci"] * scale, digits)
            rows.append(row)
    frame = pd.DataFrame(rows)
    text_cols = [c for c in ("Workload", "Config") if c in frame.columns]
    num_cols = [c for c in frame.columns if c not in text_cols]
    spec = "l" * len(text_cols) + "r" * len(num_cols)
    lines = [r"\begin{tabular}{" + spec + "}", r"\toprule"]
    lines.append(" & ".join(latex_escape(c) if c in text_cols + ["Seeds"] else c for c in frame.columns)
                 + r" \\")
    lines.append(r"\midrule")
    prev = None
    for _, r in frame.iterrows():
        cells = []
        for c in frame.columns:
            v = r[c]
            if c == "Workload":
                cells.append(latex_escape(v) if v != prev else "")
            elif c in text_cols:
                cells.append(latex_escape(v))
            elif c == "Seeds":
                cells.append(str(v))
            else:
                cells.append(_num(*v))
        prev = r["Workload"]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    plain = frame.copy()
    for c in num_cols:
        if c != "Seeds":
            plain[c] = plain[c].map(lambda t: t[0])
    return "\n".join(lines) + "\n", plain


def table_points(df):
    """The config points: one row per point, one column per swept key."""
    keys = swept_columns(df)
    pts = df.drop_duplicates("point")
    cols = ["point"] + keys
    frame = pts[cols].reset_index(drop=True)
    lines = [r"\begin{tabular}{" + "l" * len(cols) + "}", r"\toprule",
             " & ".join(latex_escape(c) for c in cols) + r" \\", r"\midrule"]
    for _, r in frame.iterrows():
        lines.append(" & ".join(latex_escape(fmt_value(r[c])) for c in cols) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n", frame


TABLES = {"summary": table_summary, "points": table_points}


def write_all(df, out_dir):
    """Write ``<name>.tex`` for every table; returns ({name: path}, {name: frame})."""
    os.makedirs(out_dir, exist_ok=True)
    paths, frames = {}, {}
    for name, fn in TABLES.items():
        tex, frame = fn(df)
        p = os.path.join(out_dir, f"{name}.tex")
        with open(p, "w", encoding="utf-8") as f:
            f.write(tex)
        paths[name], frames[name] = p, frame
    return paths, frames
