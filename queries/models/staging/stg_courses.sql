-- One row per course in the course catalogue.
with

source as (
    select * from raw_courses
),

renamed as (
    select
        cast(course_code as varchar) as course_code,
        cast(title as varchar) as course_title,
        cast(ptj_code as varchar) as ptj_code,
        cast(mqa_category as integer) as mqa_category,
        cast(mc_type as varchar) as mc_type,
        cast(delivery_mode as varchar) as delivery_mode,
        cast(online_share_pct as integer) as online_share_pct,
        cast(design_option as varchar) as design_option,
        cast(platform as varchar) as platform,
        cast(credits as integer) as credits,
        cast(slt_hours as integer) as slt_hours,
        cast(fee_rm as decimal(12, 2)) as fee_rm,
        cast(certificate_price_rm as decimal(12, 2)) as certificate_price_rm,
        cast(owner_staff_id as varchar) as owner_staff_id,
        cast(plan_phase as varchar) as plan_phase,
        cast(launched_on as date) as launched_on,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
