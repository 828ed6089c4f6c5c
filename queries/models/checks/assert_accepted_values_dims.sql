-- Category columns of the dimensions hold only their allowed values (the sets in etl/contracts.py).
with

ptjs as (
    select * from dim_ptj
),

staff as (
    select * from dim_staff
),

courses as (
    select * from dim_course
),

runs as (
    select * from dim_course_run
),

failures as (
    select 'dim_ptj' as table_name, 'ptj_kind' as column_name, ptj_code as row_key, ptj_kind as value,
    from ptjs
    where ptj_kind is null or ptj_kind not in ('faculty', 'academy', 'centre', 'institute')

    union all
    select 'dim_staff', 'staff_status', staff_id, staff_status,
    from staff
    where staff_status is null or staff_status not in ('active', 'left')

    union all
    select 'dim_staff', 'has_left', staff_id, cast(has_left as varchar),
    from staff
    where has_left is distinct from (staff_status = 'left')

    union all
    select 'dim_course', 'mqa_category', course_code, cast(mqa_category as varchar),
    from courses
    where mqa_category is null or mqa_category not in (1, 2, 3)

    union all
    select 'dim_course', 'mc_type', course_code, mc_type,
    from courses
    where mc_type is null or mc_type not in ('programme_based', 'stand_alone', 'mooc')

    union all
    select 'dim_course', 'delivery_mode', course_code, delivery_mode,
    from courses
    where delivery_mode is null or delivery_mode not in ('conventional', 'blended', 'odl')

    union all
    select 'dim_course', 'design_option', course_code, design_option,
    from courses
    where design_option is null or design_option not in ('A', 'B1', 'B2', 'none')

    union all
    select 'dim_course', 'platform', course_code, platform,
    from courses
    where platform is null or platform not in ('futurelearn', 'openlearning', 'lms', 'other')

    union all
    select 'dim_course', 'plan_phase', course_code, plan_phase,
    from courses
    where plan_phase is null or plan_phase not in ('immediate', 'phase_2', 'phase_3')

    union all
    select 'dim_course', 'owner_has_left', course_code, cast(owner_has_left as varchar),
    from courses
    where owner_has_left is null

    union all
    select 'dim_course_run', 'term', run_id, term,
    from runs
    where term is null or not regexp_full_match(term, '[0-9]{4}-S[12]')

    union all
    select 'dim_course_run', 'ends_on', run_id, cast(ends_on as varchar),
    from runs
    where ends_on is null or ends_on <> starts_on + cast(7 * weeks - 1 as integer)

    union all
    select 'dim_course_run', 'count_steps', run_id, cast(count_steps as varchar),
    from runs
    where count_steps < 1
),

final as (
    select * from failures
)

select * from final
