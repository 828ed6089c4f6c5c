-- One row per PTj.
with

ptjs as (
    select * from stg_ptj
),

final as (
    select
        ptj_code,
        ptj_name_en,
        ptj_name_ms,
        ptj_kind,
    from ptjs
)

select * from final
