-- id: credit_bearing
-- title_en: Credit-bearing courses
-- title_ms: Kursus berkredit
-- unit: count
-- grain: university, ptj
-- definition_en: Courses offered in the year that carry academic credit (credits above zero), the credits they
--   offer, their share of all courses offered, and enrolments in their runs.
-- definition_ms: Kursus yang ditawarkan pada tahun itu yang membawa kredit akademik (kredit melebihi sifar),
--   jumlah kredit yang ditawarkan, peratusnya daripada semua kursus, dan pendaftaran dalam lariannya.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: dim_course_run, dim_course, fct_enrolment, dim_ptj
-- suppress: enrolments_credit_bearing
with

runs as (
    select dim_course_run.*, dim_course.credits, dim_course.is_credit_bearing
    from dim_course_run
    inner join dim_course on dim_course_run.course_code = dim_course.course_code
    where ($year is null or dim_course_run.start_year = $year)
        and ($date_from is null or dim_course_run.starts_on >= $date_from)
        and ($date_to is null or dim_course_run.starts_on <= $date_to)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, dim_course_run.ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, dim_course_run.course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, dim_course_run.mqa_category))
        and (len($modes) = 0 or list_contains($modes, dim_course_run.delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, dim_course_run.platform))
        and (len($mc_types) = 0 or list_contains($mc_types, dim_course_run.mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, dim_course_run.ptj_code))
),

offered as (
    select distinct
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        course_code,
        credits,
        is_credit_bearing,
    from runs
),

courses as (
    select
        year,
        group_key,
        count(*) as courses_offered,
        count(*) filter (where is_credit_bearing) as credit_bearing_courses,
        coalesce(sum(credits) filter (where is_credit_bearing), 0)::bigint as credits_on_offer,
    from offered
    group by all
),

enrolments as (
    select
        runs.start_year as year,
        case $by when 'ptj' then runs.ptj_code else 'ALL' end as group_key,
        count(*) as enrolments_credit_bearing,
    from fct_enrolment
    inner join runs on fct_enrolment.run_id = runs.run_id
    where runs.is_credit_bearing
    group by all
),

final as (
    select
        courses.year,
        courses.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else courses.group_key end)
            as group_label,
        courses.courses_offered,
        courses.credit_bearing_courses,
        courses.credits_on_offer,
        round(100.0 * courses.credit_bearing_courses / courses.courses_offered, 1) as credit_bearing_share_pct,
        coalesce(enrolments.enrolments_credit_bearing, 0) as enrolments_credit_bearing,
    from courses
    left join enrolments on enrolments.year = courses.year and enrolments.group_key = courses.group_key
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = courses.group_key
)

select * from final
order by year, group_key
