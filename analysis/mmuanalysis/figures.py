"""One function per figure.  Each ``fig_xxx(df, out_base, **opts)`` draws from the DataFrame of
:mod:`mmuanalysis.load`, saves ``out_base.pdf`` and ``out_base.png`` (3.5 in wide: one column of a
two-column paper, 8 pt text) and returns the two paths.  A figure whose columns are missing raises
:class:`~mmuanalysis.load.AnalysisError` naming them.

Error bars are 95 % Student-t confidence intervals across seeds, drawn when a point has several.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .load import (AnalysisError, fmt_value, geomean, mean_ci, point_label, require,  # noqa: E402
                   seed_summary, swept_columns)

WIDTH_IN = 3.5
DPI = 300
MAX_SERIES = 8
# Okabe-Ito: distinguishable by colour-blind readers and in greyscale print (with hatches)
COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
LINESTYLES = ["-", "--", ":", "-."]
HATCHES = ["", "//", "..", "xx", "\\\\", "--", "++", "oo"]

STYLE = {
    "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "xtick.labelsize": 7,
    "ytick.labelsize": 7, "legend.fontsize": 7, "legend.title_fontsize": 7,
    "lines.linewidth": 1.0, "lines.markersize": 3.5, "axes.linewidth": 0.6,
    "xtick.major.width": 0.6, "ytick.major.width": 0.6, "grid.linewidth": 0.4,
    "errorbar.capsize": 2, "pdf.fonttype": 42, "ps.fonttype": 42, "hatch.linewidth": 0.5,
    "savefig.dpi": DPI,
}


def _new(height=2.3, nrows=1, sharex=False):
    matplotlib.rcParams.update(STYLE)  # legends, ticks and labels are created after this
    if True:
        fig, axes = plt.subplots(nrows, 1, figsize=(WIDTH_IN, height), sharex=sharex,
                                 constrained_layout=True)
    return fig, axes


def _save(fig, out_base) -> list[str]:
    out_base = Path(out_base)
    out_base.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    with plt.rc_context(STYLE):
        for ext in ("pdf", "png"):
            p = out_base.with_name(out_base.name + "." + ext)
            fig.savefig(p, dpi=DPI)
            paths.append(str(p))
    plt.close(fig)
    return paths


def _legend_above(ax, handles=None, labels=None, ncol=2, title=None):
    kw = dict(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncol=ncol, frameon=False, borderaxespad=0.2, handlelength=1.8, columnspacing=1.0,
              title=title)
    if handles is None:
        handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, **kw)


def _wl(df, w):
    return df.attrs.get("workload_labels", {}).get(w, str(w))


def _series(df, exclude=()):
    """(point list, label dict) for the config points of ``df``; labels from swept keys."""
    keys = [k for k in swept_columns(df) if k not in exclude]
    points = list(dict.fromkeys(df["point"]))
    if len(points) > MAX_SERIES:
        raise AnalysisError(f"{len(points)} config points are too many series for one figure "
                            f"(max {MAX_SERIES}); select some with --where KEY=VALUE")
    labels = {p: point_label(df, p, keys) for p in points}
    return points, labels


def _geomean_summary(vals: pd.DataFrame, by: list[str], conf=0.95) -> pd.DataFrame:
    """Geomean across workloads of ``vals['_v']`` (positive), per ``by`` group.

    When every workload has the same seeds, the geomean is taken per seed and the CI is across
    seeds; otherwise it is the geomean of the per-workload means (no CI)."""
    out = []
    for key, g in vals.groupby(by if len(by) > 1 else by[0], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        seeds = g.groupby("workload")["seed"].apply(lambda s: tuple(sorted(set(s))))
        if seeds.nunique() == 1 and len(seeds.iloc[0]) > 1:
            per_seed = [geomean(gs.groupby("workload")["_v"].mean()) for _, gs in g.groupby("seed")]
            m, ci = mean_ci(per_seed, conf)
        else:
            m, ci = geomean(g.groupby("workload")["_v"].mean()), 0.0
        out.append(dict(zip(by, key), mean=m, ci=ci))
    return pd.DataFrame(out)


def _grouped_bars(ax, cats, series, values, cis, labels, ylabel, geo_sep=False):
    """Bars: one group per category, one bar per series."""
    n = len(series)
    width = 0.8 / max(n, 1)
    x = np.arange(len(cats), dtype=float)
    if geo_sep and len(cats) > 1:
        x[-1] += 0.4  # set the geomean group apart
    for i, s in enumerate(series):
        v = np.array([values.get((c, s), np.nan) for c in cats], dtype=float)
        e = np.array([cis.get((c, s), 0.0) for c in cats], dtype=float)
        e = np.where(np.isfinite(e) & (e > 0), e, 0.0)
        ax.bar(x - 0.4 + width * (i + 0.5), v, width, yerr=e if e.any() else None,
               color=COLORS[i % len(COLORS)], hatch=HATCHES[i % len(HATCHES)], edgecolor="black",
               linewidth=0.4, label=labels[s], error_kw=dict(elinewidth=0.6, capthick=0.6))
    ax.set_xticks(x)
    long = max((len(line) for c in cats for line in str(c).split("\n")), default=0) * len(cats) > 40
    ax.set_xticklabels(cats, rotation=30 if long else 0, ha="right" if long else "center")
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", alpha=0.5)
    ax.set_axisbelow(True)
    if geo_sep and len(cats) > 1:
        ax.axvline((x[-2] + x[-1]) / 2, color="gray", linewidth=0.5, linestyle=":")


# --------------------------------------------------------------------------------------------
# 1. MPKI and miss rate vs TLB size

def _default_size_key(df):
    sw = swept_columns(df)
    for k in sw:
        if k.split(".")[-1] == "entries":
            return k
    for k in sw:
        if "entries" in k or "size" in k.split(".")[-1] and k != "mapper.page_size":
            return k
    raise AnalysisError("fig_mpki_vs_size needs a swept TLB size key (a column such as "
                        "tlb.l2.arrays.0.entries with several values); none is swept")


def fig_mpki_vs_size(df, out_base, x=None, group=None, tlb=None, conf=0.95):
    """TLB MPKI (top) and miss rate (bottom) vs a swept size key, log2 x axis; colour per group
    (default: the other swept keys, e.g. ``mapper.page_size``), line style per workload."""
    x = x or _default_size_key(df)
    require(df, [x], "fig_mpki_vs_size")
    if tlb is None:
        parts = x.split(".")
        tlb = parts[1] if parts[0] == "tlb" and len(parts) > 1 else "l2"
    mpki, acc, mis = f"derived.tlb_mpki.{tlb}", f"stats.tlb.{tlb}.accesses", f"stats.tlb.{tlb}.misses"
    require(df, [mpki, acc, mis], "fig_mpki_vs_size")
    groups = [group] if isinstance(group, str) else list(group or [k for k in swept_columns(df) if k != x])
    require(df, groups, "fig_mpki_vs_size")
    d = df.copy()
    d["_x"] = pd.to_numeric(d[x], errors="coerce")
    if d["_x"].isna().any():
        raise AnalysisError(f"fig_mpki_vs_size: {x} is not numeric")
    d["_g"] = d[groups].apply(lambda r: ", ".join(f"{fmt_value(v)}" for v in r), axis=1) if groups else "all"
    gname = ", ".join(k.split(".")[-1].replace("_", " ") for k in groups)
    workloads = list(dict.fromkeys(d["workload"]))
    per_wl = len(workloads) <= len(LINESTYLES)
    by = ["_g", "_x"] + (["workload"] if per_wl else [])
    s1 = seed_summary(d, by, mpki, conf)
    s2 = seed_summary(d, by, lambda t: 100.0 * t[mis] / t[acc].where(t[acc] > 0), conf)
    gvals = list(dict.fromkeys(d["_g"]))
    if len(gvals) > MAX_SERIES:
        raise AnalysisError(f"fig_mpki_vs_size: {len(gvals)} groups are too many; use --where")
    fig, (a1, a2) = _new(height=3.3, nrows=2, sharex=True)
    for ax, s, ylabel in ((a1, s1, f"{tlb.upper()} TLB MPKI\n(misses / 1k instr.)"),
                          (a2, s2, f"{tlb.upper()} TLB miss rate (%)")):
        for gi, g in enumerate(gvals):
            for wi, w in enumerate(workloads if per_wl else [None]):
                sel = s[(s["_g"] == g) & ((s["workload"] == w) if per_wl else True)].sort_values("_x")
                if sel.empty:
                    continue
                e = sel["ci"].where(sel["ci"] > 0)
                ax.errorbar(sel["_x"], sel["mean"], yerr=None if e.isna().all() else e.fillna(0),
                            color=COLORS[gi % len(COLORS)], marker=MARKERS[wi % len(MARKERS)],
                            linestyle=LINESTYLES[wi % len(LINESTYLES)], elinewidth=0.6)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.5)
    a2.set_xscale("log", base=2)
    xs = sorted(d["_x"].unique())
    a2.set_xticks(xs)
    a2.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: fmt_value(float(v))))
    a2.xaxis.set_minor_locator(mticker.NullLocator())
    a2.set_xlabel(f"{x.split('.')[1].upper() if x.startswith('tlb.') else ''} TLB size "
                  f"({x.split('.')[-1]}, log2 scale)".strip())
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], color=COLORS[i % len(COLORS)], linewidth=2) for i in range(len(gvals))]
    labels = [f"{gname} {g}".strip() if groups else "all" for g in gvals]
    if per_wl and len(workloads) > 1:
        handles += [Line2D([], [], color="gray", marker=MARKERS[i], linestyle=LINESTYLES[i])
                    for i in range(len(workloads))]
        labels += [_wl(df, w) for w in workloads]
    elif not per_wl:
        a1.set_title(f"mean of {len(workloads)} workloads", fontsize=7)
    _legend_above(a1, handles, labels, ncol=min(3, len(labels)))
    return _save(fig, out_base)


# --------------------------------------------------------------------------------------------
# 2. translation overhead per workload

def fig_translation_overhead(df, out_base, conf=0.95):
    """Translation overhead (% of cycles) per workload, one bar per config point, plus the
    geometric mean (of 1 + overhead, minus 1) across workloads."""
    col = "derived.translation_overhead"
    require(df, [col], "fig_translation_overhead")
    points, labels = _series(df)
    workloads = list(dict.fromkeys(df["workload"]))
    s = seed_summary(df, ["point", "workload"], col, conf)
    vals = {(_wl(df, r.workload), r.point): 100 * r.mean for r in s.itertuples()}
    cis = {(_wl(df, r.workload), r.point): 100 * r.ci for r in s.itertuples()}
    d = df.assign(_v=1.0 + df[col])
    g = _geomean_summary(d, ["point"], conf)
    for r in g.itertuples():
        vals[("geomean", r.point)] = 100 * (r.mean - 1.0)
        cis[("geomean", r.point)] = 100 * r.ci
    cats = [_wl(df, w) for w in workloads] + ["geomean"]
    fig, ax = _new(height=2.4)
    _grouped_bars(ax, cats, points, vals, cis, labels, "Translation overhead\n(% of cycles)", geo_sep=True)
    ax.set_xlabel("Workload")
    ax.set_ylim(bottom=0)
    _legend_above(ax, ncol=2 if len(points) > 1 else 1)
    return _save(fig, out_base)


# --------------------------------------------------------------------------------------------
# 3. walk-latency CDF

def _histograms(df):
    base = "derived.walk_latency_histogram"
    bcol = base + ".bucket_cycles"
    if base + ".counts" in df.columns:
        counts = df[base + ".counts"]
    else:
        idx = sorted((int(c.rsplit(".", 1)[1]), c) for c in df.columns
                     if c.startswith(base + ".counts.") and c.rsplit(".", 1)[1].isdigit())
        if not idx:
            raise AnalysisError(f"fig_walk_latency_cdf needs column(s) {base}.counts, {bcol} "
                                "(results with timing enabled)")
        cols = [c for _, c in idx]
        counts = df[cols].fillna(0).apply(lambda r: list(r), axis=1)
    require(df, [bcol], "fig_walk_latency_cdf")
    return counts, df[bcol]


def fig_walk_latency_cdf(df, out_base, workload=None):
    """Cumulative distribution of page-walk latency, one curve per config point (histograms of
    every workload and seed of the point summed)."""
    counts, buckets = _histograms(df)
    points, labels = _series(df)
    fig, ax = _new(height=2.3)
    xmax = 0
    for i, p in enumerate(points):
        sel = df["point"] == p
        if workload is not None:
            sel &= df["workload"] == workload
        hs = [np.asarray(c, dtype=float) for c in counts[sel] if isinstance(c, (list, np.ndarray))]
        bws = set(buckets[sel].dropna())
        if not hs:
            continue
        if len(bws) > 1:
            raise AnalysisError(f"fig_walk_latency_cdf: point {p} mixes bucket widths {sorted(bws)}")
        bw = float(bws.pop())
        n = max(len(h) for h in hs)
        tot = np.zeros(n)
        for h in hs:
            tot[: len(h)] += h
        if tot.sum() <= 0:
            continue
        last = int(np.nonzero(tot)[0].max()) + 1
        cdf = np.cumsum(tot[:last]) / tot.sum()
        edges = bw * np.arange(1, last + 1)
        ax.step(np.concatenate([[edges[0] - bw], edges]), np.concatenate([[0.0], cdf]), where="post",
                color=COLORS[i % len(COLORS)], linestyle=LINESTYLES[i % len(LINESTYLES)],
                label=labels[p])
        xmax = max(xmax, edges[-1])
    if xmax == 0:
        raise AnalysisError("fig_walk_latency_cdf: no walks in any histogram")
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: fmt_value(float(v))))
    ax.set_xlabel("Page-walk latency (cycles, log2 scale)")
    ax.set_ylabel("Fraction of walks\n(cumulative)")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.5)
    _legend_above(ax, ncol=2 if len(points) > 1 else 1)
    return _save(fig, out_base)


# --------------------------------------------------------------------------------------------
# 4. page-walk-cache hit rate per level

def _pwc_levels(df):
    names = [c[len("derived.pwc_hit_rate."):] for c in df.columns if c.startswith("derived.pwc_hit_rate.")]
    if not names:
        raise AnalysisError("fig_pwc_hit_rate needs column(s) derived.pwc_hit_rate.<name> "
                            "(a config with page-walk caches)")
    level = {}
    for n in names:
        ks = [c.split(".")[-2] for c in df.columns if c.startswith(f"stats.pwc.{n}.by_level.")
              and c.endswith(".hits")]
        level[n] = max((int(k) for k in ks if k.isdigit()), default=None)
    names.sort(key=lambda n: -(level[n] if level[n] is not None else -1))  # root first
    return names, level


def fig_pwc_hit_rate(df, out_base, conf=0.95):
    """Hit rate of each page-walk cache (labelled with the level it caches), one bar per point
    (mean over workloads)."""
    names, level = _pwc_levels(df)
    points, labels = _series(df)
    vals, cis = {}, {}
    cats = []
    for n in names:
        cat = f"{n}\n(level {level[n]})" if level[n] is not None else n
        cats.append(cat)
        s = seed_summary(df, ["point"], f"derived.pwc_hit_rate.{n}", conf)
        for r in s.itertuples():
            vals[(cat, r.point)] = 100 * r.mean
            cis[(cat, r.point)] = 100 * r.ci
    fig, ax = _new(height=2.3)
    _grouped_bars(ax, cats, points, vals, cis, labels, "PWC hit rate (%)")
    ax.set_xlabel("Page-walk cache (page-table level, 0 = leaf)")
    ax.set_ylim(0, 105)
    _legend_above(ax, ncol=2 if len(points) > 1 else 1)
    return _save(fig, out_base)


# --------------------------------------------------------------------------------------------
# 5. PTE-read service level breakdown

SERVE_LEVELS = ["l1d", "l2", "llc", "dram"]


def fig_pte_service(df, out_base):
    """Where the walker's PTE reads were served (L1D / L2 / LLC / DRAM, % of PTE reads), one
    stacked bar per config point (pooled over workloads and seeds), or per workload when there is
    a single point."""
    cols = [f"stats.timing.pte_served.{l}" for l in SERVE_LEVELS]
    require(df, cols, "fig_pte_service")
    points, labels = _series(df)
    if len(points) > 1:
        key, cats, names = "point", points, [labels[p] for p in points]
    else:
        key = "workload"
        cats = list(dict.fromkeys(df["workload"]))
        names = [_wl(df, w) for w in cats]
    sums = df.groupby(key, sort=False)[cols].sum().reindex(cats)
    tot = sums.sum(axis=1).replace(0, np.nan)
    frac = sums.div(tot, axis=0) * 100
    fig, ax = _new(height=0.9 + 0.22 * len(cats))
    y = np.arange(len(cats))
    left = np.zeros(len(cats))
    for i, (c, l) in enumerate(zip(cols, SERVE_LEVELS)):
        v = frac[c].fillna(0).to_numpy()
        ax.barh(y, v, 0.7, left=left, color=COLORS[i], hatch=HATCHES[i], edgecolor="black",
                linewidth=0.4, label=l.upper())
        left += v
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("Share of PTE reads served (%)")
    ax.grid(axis="x", alpha=0.5)
    ax.set_axisbelow(True)
    _legend_above(ax, ncol=4)
    return _save(fig, out_base)


# --------------------------------------------------------------------------------------------
# 6. huge-page speedup vs 4K

def fig_huge_page_speedup(df, out_base, key="mapper.page_size", base="4K", conf=0.95):
    """Speedup of huge pages over ``base`` pages: cycles(base) / cycles(huge) per workload, with the
    same seed and the same other swept keys, plus the geomean across workloads."""
    require(df, [key, "stats.timing.cycles"], "fig_huge_page_speedup")
    vals_k = [fmt_value(v) for v in dict.fromkeys(df[key])]
    if base not in vals_k or len(vals_k) < 2:
        raise AnalysisError(f"fig_huge_page_speedup needs {key} swept over {base} and a larger "
                            f"page size (have: {', '.join(vals_k)})")
    others = [k for k in swept_columns(df) if k != key]
    d = df.assign(_k=df[key].map(fmt_value))
    idx = others + ["workload", "seed"]
    piv = d.pivot_table(index=idx, columns="_k", values="stats.timing.cycles", aggfunc="mean")
    rows = []
    for hv in [v for v in vals_k if v != base]:
        if hv not in piv.columns:
            continue
        r = (piv[base] / piv[hv]).dropna().rename("_v").reset_index()
        r["series"] = r[others].apply(lambda t: ", ".join(f"{k.split('.')[-1].replace('_', ' ')} {fmt_value(v)}"
                                                      for k, v in zip(others, t)), axis=1) if others else ""
        r["series"] = hv + r["series"].map(lambda s: f" ({s})" if s else "")
        rows.append(r)
    if not rows or all(r.empty for r in rows):
        raise AnalysisError(f"fig_huge_page_speedup: no (workload, seed) has both {base} and huge-page runs")
    r = pd.concat(rows, ignore_index=True)
    series = list(dict.fromkeys(r["series"]))
    if len(series) > MAX_SERIES:
        raise AnalysisError(f"fig_huge_page_speedup: {len(series)} series are too many; use --where")
    s = seed_summary(r, ["series", "workload"], "_v", conf)
    vals = {(_wl(df, t.workload), t.series): t.mean for t in s.itertuples()}
    cis = {(_wl(df, t.workload), t.series): t.ci for t in s.itertuples()}
    g = _geomean_summary(r, ["series"], conf)
    for t in g.itertuples():
        vals[("geomean", t.series)] = t.mean
        cis[("geomean", t.series)] = t.ci
    workloads = list(dict.fromkeys(r["workload"]))
    cats = [_wl(df, w) for w in workloads] + ["geomean"]
    fig, ax = _new(height=2.4)
    _grouped_bars(ax, cats, series, vals, cis, {s_: s_ for s_ in series},
                  f"Speedup over {base} pages\n(cycles ratio, ×)", geo_sep=True)
    ax.axhline(1.0, color="black", linewidth=0.6)
    ax.set_xlabel("Workload")
    lo = min(v for v in vals.values() if np.isfinite(v))
    ax.set_ylim(bottom=min(0.9, lo * 0.95) if lo < 1 else 0.9)
    _legend_above(ax, ncol=2 if len(series) > 1 else 1, title="page size")
    return _save(fig, out_base)


FIGURES = {
    "mpki_vs_size": fig_mpki_vs_size,
    "translation_overhead": fig_translation_overhead,
    "walk_latency_cdf": fig_walk_latency_cdf,
    "pwc_hit_rate": fig_pwc_hit_rate,
    "pte_service": fig_pte_service,
    "huge_page_speedup": fig_huge_page_speedup,
}


def render_all(df, out_dir, only=None, log=None):
    """Render every figure into ``out_dir``; returns ({name: paths}, {name: reason skipped})."""
    os.makedirs(out_dir, exist_ok=True)
    done, skipped = {}, {}
    for name, fn in FIGURES.items():
        if only and name not in only:
            continue
        try:
            done[name] = fn(df, os.path.join(out_dir, name))
        except AnalysisError as e:
            skipped[name] = str(e)
            if log:
                log(f"skipped figure {name}: {e}")
    return done, skipped
