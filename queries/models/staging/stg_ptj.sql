-- One row per PTj (responsibility centre), as delivered in the PTj list.
with

source as (
    select * from raw_ptj
),

renamed as (
    select
        cast(ptj_code as varchar) as ptj_code,
        cast(name_en as varchar) as ptj_name_en,
        cast(name_ms as varchar) as ptj_name_ms,
        cast(kind as varchar) as ptj_kind,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
