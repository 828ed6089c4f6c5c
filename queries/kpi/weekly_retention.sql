-- id: weekly_retention
-- title_en: Weekly retention
-- title_ms: Pengekalan mingguan
-- unit: pct
-- grain: course_run, course
-- definition_en: For course runs with FutureLearn step data starting in the year: of the learners who started
--   (visited at least one step), the share who visited at least one step of week k, for each week of the run.
--   A week not reached yet on the as-of date (week k starts 7 x (k - 1) days after the run) is empty, not 0
--   (is_week_reached false); by course, a week is reached once the course's first run has reached it.
-- definition_ms: Bagi larian kursus dengan data langkah FutureLearn yang bermula pada tahun itu: daripada pelajar
--   yang bermula (melawat sekurang-kurangnya satu langkah), peratus yang melawat sekurang-kurangnya satu
--   langkah minggu k, bagi setiap minggu larian. Minggu yang belum tiba pada tarikh data (minggu k bermula
--   7 x (k - 1) hari selepas sesi bermula) kosong, bukan 0.
-- filters: year, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_run_starters, fct_run_week, dim_course_run, dim_course
-- suppress: starters, learners_visited
-- derived: retention_pct
-- rates: retention_pct = 100 * learners_visited / starters
-- breakdowns: week_number
with

-- Both marts hold one row per run (and week), with counts built at publish; every filter here is a course-level
-- attribute or the year, so summing them over whole runs and courses is exact (fct_run_starters.sql says how).
run_starters as (
    select * from fct_run_starters
    where ($year is null or start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

run_weeks as (
    select * from fct_run_week
    where ($year is null or start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

group_starters as (
    select
        run_starters.start_year as year,
        case $by when 'course' then run_starters.course_code else run_starters.run_id end as group_key,
        -- By course, a learner who started two runs of the course that year counts once.
        sum(case $by when 'course' then run_starters.starters_first_of_course else run_starters.starters end)::bigint
            as starters,
        max(runs.weeks) as weeks,
        min(runs.starts_on) as first_starts_on,
    from run_starters
    inner join dim_course_run as runs on run_starters.run_id = runs.run_id
    group by all
),

group_weeks as (
    select year, group_key, starters, first_starts_on, unnest(range(1, weeks + 1)) as week_number
    from group_starters
),

visits as (
    select
        start_year as year,
        case $by when 'course' then course_code else run_id end as group_key,
        week_number,
        -- By course, a learner who visited the week in two runs of the course counts once.
        sum(case $by when 'course' then learners_visited_first_of_course else learners_visited end)::bigint
            as learners_visited,
    from run_weeks
    group by all
),

labels as (
    select 'course' as by_kind, course_code as group_key, course_title as group_label from dim_course
    union all
    select 'course_run', runs.run_id, courses.course_title || ' (' || strftime(runs.starts_on, '%Y-%m-%d') || ')'
    from dim_course_run as runs
    left join dim_course as courses on runs.course_code = courses.course_code
),

final as (
    select
        group_weeks.year,
        group_weeks.group_key,
        coalesce(labels.group_label, group_weeks.group_key) as group_label,
        group_weeks.week_number::integer as week_number,
        group_weeks.starters,
        (group_weeks.first_starts_on + 7 * (group_weeks.week_number::integer - 1) <= $as_of or visits.learners_visited > 0)
            as is_week_reached,
        case when (group_weeks.first_starts_on + 7 * (group_weeks.week_number::integer - 1) <= $as_of or visits.learners_visited > 0)
            then coalesce(visits.learners_visited, 0) end as learners_visited,
        case when (group_weeks.first_starts_on + 7 * (group_weeks.week_number::integer - 1) <= $as_of or visits.learners_visited > 0)
            then round(100.0 * coalesce(visits.learners_visited, 0) / group_weeks.starters, 1) end
            as retention_pct,
    from group_weeks
    left join visits
        on visits.year = group_weeks.year
        and visits.group_key = group_weeks.group_key
        and visits.week_number = group_weeks.week_number
    left join labels on labels.by_kind = $by and labels.group_key = group_weeks.group_key
)

select * from final
order by year, group_key, week_number
