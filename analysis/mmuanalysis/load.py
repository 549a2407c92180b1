"""Load mmusim result files (or a sweep's tidy table) into one pandas DataFrame.

One row per result file (config point x trace x seed).  Columns:

* ``point``  -- the config point: its swept-key values, e.g. ``entries=768,page_size=2M``
  (rows of one point differ only by trace and seed),
* ``point_id`` -- the sweep's run id (``point`` of the sweep table / ``sweep.point``), if any,
* ``trace``  -- the trace as given (``trace.source``),
* ``seed``   -- the seed (``seed=`` of a generator spec, else the config's ``seed``),
* ``workload`` -- ``trace`` without its ``seed=`` (rows differing only by seed share it),
* one column per *swept* config key, named by its dotted path (``tlb.l2.arrays.0.entries``),
* ``stats.*`` and ``derived.*`` -- every counter and derived value, flattened with dotted paths.

This is the layout of ``mmusim sweep``'s ``table.csv`` / ``table.json``; a directory of result
JSONs is flattened here the same way.  The effective config of every point (when result files are
available) is kept in ``df.attrs["configs"]`` (point -> config tree) for the report.
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

ID_COLUMNS = ("point", "point_id", "trace", "seed", "workload", "file")
METRIC_PREFIXES = ("stats.", "derived.", "measured.")


class AnalysisError(Exception):
    """An input problem, reported to the user as ``file: what is wrong``."""


# --------------------------------------------------------------------------------------------
# flattening

def flatten(obj, prefix: str = "", keep_lists: bool = True) -> dict:
    """Flatten a JSON tree into ``{"a.b.0.c": value}``.

    Dicts and lists of dicts are walked (list items by index).  A list of scalars is a leaf: kept
    as a Python list when ``keep_lists`` (e.g. ``walk_latency_histogram.counts``), else rendered
    as ``[a,b]`` (config values such as ``page_sizes``, so they stay hashable).
    """
    out: dict = {}

    def walk(node, key):
        if isinstance(node, dict):
            if not node and key:
                out[key] = None
            for k, v in node.items():
                walk(v, f"{key}.{k}" if key else str(k))
        elif isinstance(node, list) and node and all(isinstance(x, (dict, list)) for x in node):
            for i, v in enumerate(node):
                walk(v, f"{key}.{i}" if key else str(i))
        elif isinstance(node, list):
            out[key] = list(node) if keep_lists else "[" + ",".join(str(x) for x in node) + "]"
        else:
            out[key] = node

    walk(obj, prefix)
    return out


_SEED_RE = re.compile(r"(?:^|,)seed=([^,]+)")


def trace_seed(source: str | None):
    """The ``seed=`` of a generator spec, or None."""
    if not isinstance(source, str):
        return None
    m = _SEED_RE.search(source)
    if not m:
        return None
    v = m.group(1)
    return int(v) if v.isdigit() else v


def strip_seed(source: str) -> str:
    """``gen:zipf,footprint=64M,seed=3`` -> ``gen:zipf,footprint=64M``."""
    if not isinstance(source, str):
        return str(source)
    parts = [p for p in source.split(",") if not p.startswith("seed=")]
    return ",".join(parts)


def result_to_row(res: dict, path: str | os.PathLike = "", use_measured: bool = False) -> dict:
    """One result object -> one flat row (config keys prefixed ``config.``)."""
    where = str(path) or "result"
    if not isinstance(res, dict):
        raise AnalysisError(f"{where}: not a JSON object")
    missing = [k for k in ("mmusim", "trace", "config", "stats", "derived") if k not in res]
    if missing:
        raise AnalysisError(f"{where}: not an mmusim result file (missing key(s) {', '.join(missing)})")
    stats, derived = res["stats"], res["derived"]
    if use_measured and isinstance(res.get("measured"), dict):
        stats = res["measured"].get("stats", stats)
        derived = res["measured"].get("derived", derived)
    trace = res["trace"] if isinstance(res["trace"], dict) else {}
    source = trace.get("source") or trace.get("input") or "?"
    seed = trace.get("seed")
    if seed is None:
        seed = trace_seed(source)
    if seed is None:
        seed = res["config"].get("seed", 0) if isinstance(res["config"], dict) else 0
    sweep = res.get("sweep") if isinstance(res.get("sweep"), dict) else {}
    if sweep.get("trace"):
        source = sweep["trace"]
    if sweep.get("seed") is not None:
        seed = sweep["seed"]
    row = {"trace": source, "seed": seed, "workload": strip_seed(source), "file": str(path)}
    if sweep.get("point") is not None:
        row["point_id"] = sweep["point"]
    row.update(flatten(res["config"], "config", keep_lists=False))
    row.update(flatten(stats, "stats"))
    row.update(flatten(derived, "derived"))
    return row


# --------------------------------------------------------------------------------------------
# reading files

def _read_json(path: Path):
    try:
        with open(path, "r", encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise AnalysisError(f"{path}: malformed JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
    except UnicodeDecodeError:
        raise AnalysisError(f"{path}: not a text (UTF-8) file") from None
    except OSError as e:
        raise AnalysisError(f"{path}: cannot read: {e.strerror}") from None


def _parse_cell(v):
    """CSV cells holding JSON lists (histogram counts) become lists."""
    if isinstance(v, str) and v.startswith("[") and v.endswith("]"):
        try:
            return json.loads(v)
        except json.JSONDecodeError:
            return v
    return v


def _read_table(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        try:
            df = pd.read_csv(path)
        except pd.errors.EmptyDataError:
            raise AnalysisError(f"{path}: empty table") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as e:
            raise AnalysisError(f"{path}: malformed CSV: {e}") from None
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].map(_parse_cell)
    else:
        data = _read_json(path)
        if isinstance(data, dict) and "rows" in data:
            rows = data["rows"]
            if rows and isinstance(rows[0], list) and "columns" in data:
                rows = [dict(zip(data["columns"], r)) for r in rows]
        elif isinstance(data, list):
            rows = data
        else:
            raise AnalysisError(f"{path}: a table JSON must be a list of rows or {{\"rows\": [...]}}")
        if not all(isinstance(r, dict) for r in rows):
            raise AnalysisError(f"{path}: table rows must be JSON objects")
        rows = [flatten(r) if any(isinstance(v, dict) for v in r.values()) else r for r in rows]
        df = pd.DataFrame(rows)
    if df.empty:
        raise AnalysisError(f"{path}: table has no rows")
    missing = [c for c in ("trace",) if c not in df.columns]
    if missing:
        raise AnalysisError(f"{path}: not an mmusim sweep table (missing column(s) {', '.join(missing)})")
    if "seed" not in df.columns:
        df["seed"] = df["trace"].map(lambda t: trace_seed(t) or 0)
    if "workload" not in df.columns:
        df["workload"] = df["trace"].map(strip_seed)
    if "point" in df.columns:  # the sweep's id of a (config, trace, seed) run
        df = df.rename(columns={"point": "point_id"})
    df["file"] = str(path)
    return df


def _is_result(obj) -> bool:
    return isinstance(obj, dict) and "mmusim" in obj and "stats" in obj


def _frame_from_results(files: list[Path], use_measured: bool):
    rows, configs_by_file = [], {}
    for p in files:
        res = _read_json(p)
        if not _is_result(res):
            raise AnalysisError(f"{p}: not an mmusim result file (no \"mmusim\"/\"stats\" keys)")
        rows.append(result_to_row(res, p, use_measured))
        configs_by_file[str(p)] = res["config"]
    df = pd.DataFrame(rows)
    return df, configs_by_file


def _json_files(d: Path) -> list[Path]:
    return sorted(p for p in d.iterdir() if p.is_file() and p.suffix == ".json"
                  and p.name not in ("table.json",))


def load(path, use_measured: bool = False) -> pd.DataFrame:
    """Load a results directory, a sweep directory, a table file or one result file.

    Order for a directory: a sweep's ``points/*.json`` (complete: histograms and configs), else
    its ``table.json`` / ``table.csv``, else every ``*.json`` in the directory.
    """
    path = Path(path)
    if not path.exists():
        raise AnalysisError(f"{path}: no such file or directory")
    configs_by_file: dict = {}
    if path.is_file():
        if path.suffix == ".csv":
            df = _read_table(path)
        else:
            obj = _read_json(path)
            if _is_result(obj):
                df, configs_by_file = _frame_from_results([path], use_measured)
            else:
                df = _read_table(path)
    else:
        tables = [path / "table.json", path / "table.csv"]
        points = path / "points"
        point_files = _json_files(points) if points.is_dir() else []
        table = next((t for t in tables if t.is_file()), None)
        if table is not None and not point_files:
            if use_measured:
                raise AnalysisError(f"{table}: --measured needs the result files (points/*.json)")
            df = _read_table(table)
        else:
            files = point_files or _json_files(path)
            if not files:
                raise AnalysisError(f"{path}: no result files (*.json, points/*.json) or table.csv/table.json")
            df, configs_by_file = _frame_from_results(files, use_measured)
    return _finish(df, configs_by_file)


def _finish(df: pd.DataFrame, configs_by_file: dict) -> pd.DataFrame:
    cfg_cols = [c for c in df.columns if c.startswith("config.")]
    if cfg_cols:
        # columns of a directory of results: keep the swept keys unprefixed (like the table)
        swept = [c for c in cfg_cols if c != "config.seed"
                 and df[c].astype(str).nunique(dropna=False) > 1]
        for c in swept:
            df[c[len("config."):]] = df[c]
        full = df[cfg_cols].copy()
        df = df.drop(columns=cfg_cols)
    else:
        full = None
    # a config point: one combination of the swept keys (any trace, any seed)
    keys = config_columns(df)
    df["point"] = [point_name({k: r[k] for k in keys}) for _, r in df.iterrows()]
    # numeric metric columns
    for c in df.columns:
        if c.startswith(METRIC_PREFIXES) and df[c].dtype == object:
            conv = pd.to_numeric(df[c], errors="coerce")
            if conv.notna().sum() == df[c].notna().sum():
                df[c] = conv
    configs = {}
    if configs_by_file:
        # map each point to the effective config of its first result file
        for i, r in df.iterrows():
            configs.setdefault(r["point"], configs_by_file.get(r["file"]))
    df.attrs["configs"] = configs
    df.attrs["workload_labels"] = workload_labels(df["workload"].unique())
    df = df.sort_values(["point", "workload", "seed"], kind="stable").reset_index(drop=True)
    df.attrs["configs"] = configs
    df.attrs["workload_labels"] = workload_labels(df["workload"].unique())
    return df


# --------------------------------------------------------------------------------------------
# column helpers

def config_columns(df: pd.DataFrame) -> list[str]:
    """The swept config keys (every column that is neither an id nor a metric)."""
    return [c for c in df.columns if c not in ID_COLUMNS and not c.startswith(METRIC_PREFIXES)
            and not c.startswith("config.")]


def swept_columns(df: pd.DataFrame) -> list[str]:
    """Config columns that take more than one value in ``df``."""
    return [c for c in config_columns(df) if df[c].astype(str).nunique(dropna=False) > 1]


def short_key(key: str) -> str:
    """``tlb.l2.arrays.0.entries`` -> ``l2 entries``; ``mapper.page_size`` -> ``page size``."""
    parts = [p for p in key.split(".") if not p.isdigit() and p not in ("arrays", "tlb", "mapper")]
    if not parts:
        parts = key.split(".")[-1:]
    return " ".join(parts[-2:]).replace("_", " ")


def fmt_value(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def point_name(values: dict) -> str:
    if not values:
        return "default"
    return ",".join(f"{k.split('.')[-1]}={fmt_value(v)}" for k, v in values.items())


def point_label(df: pd.DataFrame, point: str, keys: list[str] | None = None) -> str:
    """A short human label of a point from its swept-key values."""
    keys = swept_columns(df) if keys is None else keys
    if not keys:
        return point
    r = df[df["point"] == point].iloc[0]
    return ", ".join(f"{short_key(k)} {fmt_value(r[k])}" for k in keys)


def workload_labels(workloads) -> dict:
    """Short, distinct labels: ``gen:zipf,footprint=64M,accesses=100k`` -> ``zipf`` (plus the
    keys that tell same-kind generators apart); files -> their base name."""
    parsed = {}
    for w in workloads:
        w = str(w)
        if w.startswith("gen:"):
            parts = w[4:].split(",")
            kv = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
            parsed[w] = (parts[0], kv)
        else:
            base = os.path.basename(w)
            for ext in (".gz", ".xz", ".zst", ".mtr", ".txt", ".trace"):
                if base.endswith(ext):
                    base = base[: -len(ext)]
            parsed[w] = (base, {})
    labels = {}
    for w, (kind, kv) in parsed.items():
        same = [o for o in parsed.values() if o[0] == kind]
        diff = sorted({k for _, okv in same for k in set(okv) | set(kv)
                       if len({okv.get(k) for _, okv in same}) > 1})
        labels[w] = kind + ("(" + ",".join(f"{k}={kv.get(k, '-')}" for k in diff) + ")" if diff else "")
    return labels


def require(df: pd.DataFrame, cols, what: str):
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise AnalysisError(f"{what} needs column(s) {', '.join(missing)}")


def apply_where(df: pd.DataFrame, where: list[str] | None) -> pd.DataFrame:
    """Filter rows by ``KEY=VALUE`` terms (string comparison)."""
    attrs = dict(df.attrs)
    for term in where or []:
        if "=" not in term:
            raise AnalysisError(f"--where {term}: expected KEY=VALUE")
        k, v = term.split("=", 1)
        if k not in df.columns:
            raise AnalysisError(f"--where {term}: no column {k} (have: {', '.join(config_columns(df) + ['point', 'workload', 'seed'])})")
        df = df[df[k].map(fmt_value) == v]
        if df.empty:
            raise AnalysisError(f"--where {term}: no row matches")
    df = df.copy()
    df.attrs.update(attrs)
    return df


# --------------------------------------------------------------------------------------------
# statistics

def geomean(values) -> float:
    """Geometric mean of positive numbers."""
    a = np.asarray(list(values), dtype=float)
    if a.size == 0:
        raise ValueError("geomean of no values")
    if np.any(~np.isfinite(a)) or np.any(a <= 0):
        raise ValueError("geomean needs finite positive values")
    return float(np.exp(np.mean(np.log(a))))


def _t_two_sided_prob(t: float, n: int) -> float:
    """P(|T| < t) for Student's t with n (integer) degrees of freedom (A&S 26.7.3/26.7.4)."""
    theta = math.atan(t / math.sqrt(n))
    c2 = math.cos(theta) ** 2
    s = math.sin(theta)
    if n % 2 == 1:
        if n == 1:
            return 2 * theta / math.pi
        term, total = 1.0, 1.0
        for k in range(1, (n - 3) // 2 + 1):
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
        return 2 / math.pi * (theta + s * math.cos(theta) * total)
    term, total = 1.0, 1.0
    for k in range(1, (n - 2) // 2 + 1):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return s * total


def t_quantile(conf: float, df: int) -> float:
    """Two-sided Student-t critical value: P(|T| < q) = conf (e.g. 0.95, df=4 -> 2.776)."""
    if df < 1:
        raise ValueError("t quantile needs df >= 1")
    if df > 1000:
        df = 1000
    lo, hi = 0.0, 1.0
    while _t_two_sided_prob(hi, df) < conf:
        hi *= 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if _t_two_sided_prob(mid, df) < conf:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def mean_ci(values, conf: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of its ``conf`` confidence interval (Student t; 0 for one value)."""
    a = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=float)
    if a.size == 0:
        return float("nan"), float("nan")
    m = float(a.mean())
    if a.size < 2:
        return m, 0.0
    sd = float(a.std(ddof=1))
    return m, t_quantile(conf, a.size - 1) * sd / math.sqrt(a.size)


def seed_summary(df: pd.DataFrame, by: list[str], col, conf: float = 0.95) -> pd.DataFrame:
    """Mean and CI of ``col`` per ``by`` group, across seeds.

    Rows of one seed are averaged first (over whatever ``by`` leaves out, e.g. workloads), so the
    interval reflects seed-to-seed variation.  ``col`` may be a column name or a function
    row-frame -> Series.  Returns columns ``by + [mean, ci, n]``.
    """
    d = df.copy()
    d["_v"] = col(d) if callable(col) else d[col]
    per_seed = d.groupby(by + ["seed"], sort=False, dropna=False)["_v"].mean().reset_index()
    out = []
    for key, g in per_seed.groupby(by if len(by) > 1 else by[0], sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        m, ci = mean_ci(g["_v"], conf)
        out.append(dict(zip(by, key), mean=m, ci=ci, n=int(g["_v"].notna().sum())))
    return pd.DataFrame(out, columns=by + ["mean", "ci", "n"])
