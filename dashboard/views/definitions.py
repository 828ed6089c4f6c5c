"""KPI definitions: every KPI's title, definition, unit, breakdowns and filters, read from the KPI files' headers
in the chosen language, and its source tables with the columns it uses, from the model docs beside the SQL (those
descriptions are written in English only; the labels around them follow the language)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.words import label, t

lang = ui.lang()
ui.page_header("definitions.title", "definitions.intro")

with st.expander(t("definitions.privacy.title"), expanded=True, icon=":material/shield_person:"):
    st.markdown(t("definitions.privacy.body", **ui.privacy_values()))
    st.caption(t("definitions.privacy.yours", note=ui.protection_note()))

query = st.text_input(t("definitions.search"), key="definitions_search", icon=":material/search:").strip().lower()
specs = data.specs()
rows = [
    {
        "kpi": spec.title(lang),
        "definition": spec.definition(lang),
        "unit": t(f"unit.{spec.unit}"),
        "grain": ", ".join(label("grain", g, lang) for g in spec.grain),
        "filters": ", ".join(label("filter", f, lang) for f in spec.filters),
        "id": spec.id,
    }
    for spec in sorted(specs, key=lambda s: s.title(lang).lower())
]
if query:
    rows = [r for r in rows if any(query in str(v).lower() for v in r.values())]

if not rows:
    st.info(t("definitions.none"), icon=":material/search_off:")
    st.stop()

table = pd.DataFrame(rows).rename(columns={"kpi": "kpi_title", "id": "kpi_id"})
ui.download_buttons(table, "kpi-definitions")

columns = st.columns(2)
for i, row in enumerate(rows):
    with columns[i % 2].container(border=True, key=f"def_{row['id']}"):
        st.markdown(f"#### {row['kpi']}")
        st.markdown(row["definition"])
        st.caption(
            f"{t('definitions.unit')}: {row['unit']} · {t('definitions.grain')}: {row['grain']}  \n"
            f"{t('definitions.filters')}: {row['filters']} · {t('definitions.id')}: `{row['id']}`"
        )
        sources = data.source_docs(row["id"])
        if sources:
            # Filled only when opened (45 cards' column lists were most of this page's drawing).
            box = st.expander(t("definitions.sources"), icon=":material/table_view:", key=f"src_{row['id']}",
                              on_change="rerun")
            if box.open:
                with box:
                    st.caption(t("definitions.sources.note"))
                    for source in sources:
                        st.markdown(f"**`{source.name}`**: {source.description}")
                        st.markdown("\n".join(f"- `{c.name}`: {c.description}" for c in source.columns))
