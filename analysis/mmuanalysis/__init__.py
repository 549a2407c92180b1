"""mmuanalysis: figures, LaTeX tables and an HTML report from mmusim result files."""
from .load import AnalysisError, flatten, geomean, load, mean_ci, t_quantile  # noqa: F401

__all__ = ["AnalysisError", "flatten", "geomean", "load", "mean_ci", "t_quantile"]
