-- One row per MC programme (a programme-based microcredential stacking several courses).
with

source as (
    select * from raw_mc_programmes
),

renamed as (
    select
        cast(programme_code as varchar) as programme_code,
        cast(title_en as varchar) as title_en,
        cast(title_ms as varchar) as title_ms,
        cast(ptj_code as varchar) as ptj_code,
        cast(mqa_category as integer) as mqa_category,
        cast(electives_needed as bigint) as electives_needed,
        cast(credits as bigint) as credits,
        cast(accredited_programme as varchar) as accredited_programme,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
