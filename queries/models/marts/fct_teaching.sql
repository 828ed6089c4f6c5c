-- One row per member of staff per course run per teaching role.
-- depends_on: fct_enrolment
with

teaching as (
    select * from stg_teaching
),

staff as (
    select * from dim_staff
),

runs as (
    select * from dim_course_run
),

enrolments as (
    select * from fct_enrolment
),

run_learners as (
    select
        run_id,
        count(*)::integer as count_learners,
    from enrolments
    group by run_id
),

final as (
    select
        teaching.staff_id,
        staff.ptj_code as staff_ptj_code,
        teaching.run_id,
        runs.course_code,
        runs.ptj_code,
        teaching.teaching_role,
        teaching.contact_hours,
        teaching.online_hours,
        runs.term,
        runs.start_year,
        coalesce(run_learners.count_learners, 0) as count_learners,
    from teaching
    left join staff
        on teaching.staff_id = staff.staff_id
    left join runs
        on teaching.run_id = runs.run_id
    left join run_learners
        on teaching.run_id = run_learners.run_id
)

select * from final
