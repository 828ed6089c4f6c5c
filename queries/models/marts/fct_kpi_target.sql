-- One row per year, KPI, scope and PTj (ptj_code is null for university targets).
with

targets as (
    select * from stg_kpi_targets
),

final as (
    select
        year,
        kpi_id,
        scope,
        ptj_code,
        target_value,
    from targets
)

select * from final
