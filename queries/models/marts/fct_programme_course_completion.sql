-- One row per learner per MC programme per course of it completed with the certificate the programme asks for.
-- depends_on: dim_mc_programme, dim_programme_course, fct_certificate
with

certificates as (
    select * from fct_certificate
    where certificate_type in ('COA', 'COC')
),

programme_courses as (
    select * from dim_programme_course
),

programmes as (
    select * from dim_mc_programme
),

-- A COA satisfies a course that asks for a COC (it is a COC with the assessments passed), not the other way.
qualifying as (
    select
        programme_courses.programme_code,
        programme_courses.course_code,
        programme_courses.course_role,
        programme_courses.is_required,
        programme_courses.stack_order,
        certificates.learner_key,
        min(certificates.issued_on) as completed_on,
    from certificates
    inner join programme_courses
        on certificates.course_code = programme_courses.course_code
        and (programme_courses.required_certificate = 'COC' or certificates.certificate_type = 'COA')
    where certificates.learner_key is not null
    group by all
),

ordered as (
    select
        *,
        row_number() over (
            partition by learner_key, programme_code order by completed_on, stack_order, course_code
        ) as completion_seq,
        row_number() over (
            partition by learner_key, programme_code, course_role order by completed_on, stack_order, course_code
        ) as role_seq,
        lag(completed_on) over (
            partition by learner_key, programme_code order by completed_on, stack_order, course_code
        ) as previous_completed_on,
    from qualifying
),

final as (
    select
        ordered.learner_key,
        ordered.programme_code,
        programmes.ptj_code,
        programmes.mqa_category,
        ordered.course_code,
        ordered.course_role,
        ordered.is_required,
        ordered.stack_order,
        ordered.completed_on,
        year(ordered.completed_on)::integer as completion_year,
        ordered.completion_seq,
        ordered.previous_completed_on,
        datediff('day', ordered.previous_completed_on, ordered.completed_on) as days_since_previous,
        -- The electives that count: the first ones completed, up to the number the programme needs.
        ordered.is_required or ordered.role_seq <= programmes.electives_needed as counts_toward_mms,
    from ordered
    inner join programmes on ordered.programme_code = programmes.programme_code
)

select * from final
