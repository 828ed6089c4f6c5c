"""The warehouse's own documentation, for the KPI definitions page: each KPI's source models (its `sources:`
header) with their description and the docs of the columns its SQL names. The docs are the .yml files beside the
models' SQL (core.model_docs), the same ones the ETL's generated checks come from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.model_docs import ColumnDoc, ModelDoc, load_model_docs
from read.kpi import KpiSpec

_COMMENT = re.compile(r"--[^\n]*")
_WORD = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True)
class SourceDoc:
    name: str
    description: str
    columns: tuple[ColumnDoc, ...]  # the columns the KPI's SQL names, in the model's order


@lru_cache(maxsize=1)
def model_docs() -> dict[str, ModelDoc]:
    return load_model_docs()


def kpi_sources(spec: KpiSpec) -> list[SourceDoc]:
    """The KPI's documented source models (operational tables such as etl_runs have no model docs)."""
    words = set(_WORD.findall(_COMMENT.sub("", spec.sql).lower()))  # the header's comments name no column
    docs = model_docs()
    return [
        SourceDoc(doc.name, doc.description, tuple(c for c in doc.columns if c.name in words))
        for doc in (docs.get(name) for name in spec.sources)
        if doc is not None
    ]
