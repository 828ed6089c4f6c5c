-- Codes that point at another dimension resolve: courses, runs and staff to PTjs, runs to courses, owners and teachers to staff.
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

references_to_check as (
    select 'dim_staff.ptj_code' as reference, staff_id as row_key, ptj_code as value, 'ptj' as target,
    from staff
    union all
    select 'dim_course.ptj_code', course_code, ptj_code, 'ptj', from courses
    union all
    select 'dim_course_run.ptj_code', run_id, ptj_code, 'ptj', from dim_course_run
    union all
    select 'fct_payment.ptj_code', receipt_id, ptj_code, 'ptj', from fct_payment
    union all
    select 'fct_kpi_target.ptj_code', kpi_id, ptj_code, 'ptj', from fct_kpi_target where ptj_code is not null
    union all
    select 'dim_course_run.course_code', run_id, course_code, 'course', from dim_course_run
    union all
    select 'dim_course.owner_staff_id', course_code, owner_staff_id, 'staff', from courses
    union all
    select 'fct_teaching.staff_id', run_id, staff_id, 'staff', from fct_teaching
),

known as (
    select 'ptj' as target, ptj_code as value, from ptjs
    union all
    select 'course', course_code, from courses
    union all
    select 'staff', staff_id, from staff
),

final as (
    select
        references_to_check.reference,
        references_to_check.row_key,
        references_to_check.value,
    from references_to_check
    anti join known
        on references_to_check.target = known.target
        and references_to_check.value = known.value
)

select * from final
