-- One row per year, KPI, scope and PTj (ptj_code is null for university targets).
with

source as (
    select * from raw_kpi_targets
),

renamed as (
    select
        cast(year as integer) as year,
        cast(kpi_id as varchar) as kpi_id,
        cast(scope as varchar) as scope,
        cast(ptj_code as varchar) as ptj_code,
        cast(target_value as decimal(12, 2)) as target_value,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
