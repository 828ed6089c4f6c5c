-- id: archetype_mix
-- title_en: Learner archetypes
-- title_ms: Arketaip pelajar
-- unit: pct
-- grain: course_run
-- definition_en: Per FutureLearn course run: learners per archetype (FutureLearn's archetype survey) and the share of those who answered.
-- definition_ms: Bagi setiap larian kursus FutureLearn: pelajar mengikut arketaip (tinjauan arketaip FutureLearn) dan peratus daripada yang menjawab.
-- filters: year, ptj_codes, course_codes
-- sources: fct_archetype_response, dim_course_run, dim_course
-- suppress: learners
-- derived: share_pct
-- breakdowns: archetype
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
    select responses.* from fct_archetype_response as responses
    inner join runs on runs.run_id = responses.run_id
),

by_archetype as (
    select run_id, archetype, count(distinct learner_key) as learners from responses group by all
),

final as (
    select
        runs.start_year as year,
        runs.run_id as group_key,
        runs.group_label,
        by_archetype.archetype,
        by_archetype.learners,
        round(100.0 * by_archetype.learners / sum(by_archetype.learners) over (partition by by_archetype.run_id), 1)
            as share_pct,
    from by_archetype
    inner join runs on runs.run_id = by_archetype.run_id
)

select * from final
order by year, group_key, archetype
