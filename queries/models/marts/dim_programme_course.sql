-- One row per MC programme per course it stacks.
-- depends_on: dim_course
with

programme_courses as (
    select * from stg_mc_programme_courses
),

courses as (
    select * from dim_course
),

final as (
    select
        programme_courses.programme_code,
        programme_courses.course_code,
        courses.ptj_code as course_ptj_code,
        programme_courses.course_role,
        programme_courses.course_role = 'required' as is_required,
        programme_courses.required_certificate,
        programme_courses.stack_order,
    from programme_courses
    left join courses on programme_courses.course_code = courses.course_code
)

select * from final
