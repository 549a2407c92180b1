"""A self-contained HTML report: every figure (PNG, linked by relative path), the tables and the
effective config of each point (collapsible).  Assets go to ``<report>_files/`` next to it."""
from __future__ import annotations

import html
import json
import os
from pathlib import Path

from . import figures as figs
from . import tables
from .load import point_label, swept_columns

CSS = """body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
figure{display:inline-block;margin:1em;vertical-align:top;max-width:28em}
figure img{width:100%;border:1px solid #ddd}figcaption{font-size:90%}
table{border-collapse:collapse;font-size:90%;margin:1em 0}
th,td{padding:2px 8px;border-bottom:1px solid #ccc;text-align:right}
th:first-child,td:first-child{text-align:left}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto;font-size:85%}
.skipped{color:#a00}"""


def write_report(df, out_html, source="", log=None):
    out_html = Path(out_html)
    out_html.parent.mkdir(parents=True, exist_ok=True)
    assets = out_html.with_name(out_html.stem + "_files")
    done, skipped = figs.render_all(df, assets, log=log)
    tpaths, tframes = tables.write_all(df, assets)
    rel = lambda p: os.path.relpath(p, out_html.parent).replace(os.sep, "/")  # noqa: E731
    e = html.escape
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>mmusim report</title>"
             f"<style>{CSS}</style></head><body>", "<h1>mmusim results</h1>",
             f"<p>Source: <code>{e(str(source))}</code> &mdash; {len(df)} result(s), "
             f"{df['point'].nunique()} config point(s), {df['workload'].nunique()} workload(s), "
             f"{df['seed'].nunique()} seed(s). Error bars: 95&nbsp;% Student-t intervals across seeds.</p>",
             "<h2>Figures</h2>"]
    for name, fn in figs.FIGURES.items():
        if name in done:
            png = next(p for p in done[name] if p.endswith(".png"))
            pdf = next(p for p in done[name] if p.endswith(".pdf"))
            doc = (fn.__doc__ or "").strip().split("\n\n")[0]
            parts.append(f"<figure id='fig-{name}'><a href='{e(rel(pdf))}'><img src='{e(rel(png))}' "
                         f"alt='{e(name)}'></a><figcaption><b>{e(name)}</b>: {e(' '.join(doc.split()))}"
                         f"</figcaption></figure>")
        else:
            parts.append(f"<p class='skipped'>Figure <b>{e(name)}</b> not drawn: {e(skipped.get(name, ''))}</p>")
    parts.append("<h2>Tables</h2>")
    for name, frame in tframes.items():
        parts.append(f"<h3>{e(name)}</h3>")
        parts.append(frame.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0))
        parts.append(f"<p>LaTeX (booktabs): <a href='{e(rel(tpaths[name]))}'>{e(name)}.tex</a></p>")
    parts.append("<h2>Configurations</h2>")
    configs = df.attrs.get("configs") or {}
    keys = swept_columns(df)
    for p in dict.fromkeys(df["point"]):
        label = point_label(df, p, keys)
        cfg = configs.get(p)
        body = (f"<pre>{html.escape(json.dumps(cfg, indent=2), quote=False)}</pre>" if cfg is not None else
                "<p>Effective config not available (table input without points/*.json); "
                "swept keys: " + e(", ".join(f"{k}={df[df['point'] == p].iloc[0][k]}" for k in keys))
                + "</p>")
        parts.append(f"<details><summary><code>{e(p)}</code> &mdash; {e(label)}</summary>{body}</details>")
    parts.append("</body></html>")
    with open(out_html, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
    return str(out_html), done, skipped
