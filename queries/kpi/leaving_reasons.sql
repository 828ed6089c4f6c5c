-- id: leaving_reasons
-- title_en: Leaving reasons
-- title_ms: Sebab meninggalkan kursus
-- unit: count
-- grain: course_run
-- definition_en: Per FutureLearn course run: leaving-survey responses per reason (as FutureLearn words it), the learners giving it, and the share of the run's responses.
-- definition_ms: Bagi setiap larian kursus FutureLearn: jawapan tinjauan meninggalkan kursus mengikut sebab (seperti kata-kata FutureLearn), pelajar yang memberinya, dan peratus jawapan larian.
-- filters: year, ptj_codes, course_codes
-- sources: fct_leaving_response, dim_course_run, dim_course
-- suppress: responses, learners
-- derived: share_pct
-- breakdowns: leaving_reason
with

runs as (
    select runs.run_id, runs.start_year, runs.starts_on, runs.course_code, runs.ptj_code,
        coalesce(courses.course_title, runs.course_code) || ' (' || strftime(runs.starts_on, '%Y-%m-%d') || ')' as group_label,
    from dim_course_run as runs
    left join dim_course as courses on runs.course_code = courses.course_code
    where ($year is null or runs.start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, runs.ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, runs.course_code))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, runs.ptj_code))
),

responses as (
    select responses.* from fct_leaving_response as responses
    inner join runs on runs.run_id = responses.run_id
),

by_reason as (
    select
        run_id,
        coalesce(leaving_reason, '(no reason given)') as leaving_reason,
        count(*) as responses,
        count(distinct learner_key) as learners,
    from responses
    group by all
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        by_reason.leaving_reason,
        by_reason.responses,
        by_reason.learners,
        round(100.0 * by_reason.responses / sum(by_reason.responses) over (partition by by_reason.run_id), 1)
            as share_pct,
    from by_reason
    inner join runs on runs.run_id = by_reason.run_id
)

select * from final
order by year, group_key, responses desc, leaving_reason
