-- One row per course.
-- depends_on: dim_staff
with

courses as (
    select * from stg_courses
),

staff as (
    select * from dim_staff
),

final as (
    select
        courses.course_code,
        courses.course_title,
        courses.ptj_code,
        courses.mqa_category,
        courses.mc_type,
        courses.delivery_mode,
        courses.online_share_pct,
        courses.design_option,
        courses.platform,
        courses.credits,
        courses.credits > 0 as is_credit_bearing,
        courses.slt_hours,
        courses.fee_rm,
        courses.certificate_price_rm,
        courses.owner_staff_id,
        coalesce(owners.has_left, false) as owner_has_left,
        owners.left_on as owner_left_on,
        courses.plan_phase,
        courses.launched_on,
        year(courses.launched_on)::integer as launch_year,
    from courses
    left join staff as owners
        on courses.owner_staff_id = owners.staff_id
)

select * from final
