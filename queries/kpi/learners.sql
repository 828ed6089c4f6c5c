-- id: learners
-- title_en: Learners
-- title_ms: Pelajar
-- unit: count
-- grain: university, ptj, course, course_run
-- definition_en: Distinct learners enrolled in course runs starting in the year (a learner in two runs counts once).
-- definition_ms: Bilangan pelajar berbeza yang mendaftar dalam larian kursus yang bermula pada tahun itu (pelajar
--   dalam dua larian dikira sekali).
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_enrolment, fct_learner_year, dim_ptj, dim_course, dim_course_run
-- suppress: learners, enrolments
with

enrolments as (
    select * from fct_enrolment
    where ($year is null or start_year = $year)
        and ($date_from is null or enrolled_on >= $date_from)
        and ($date_to is null or enrolled_on <= $date_to)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'course', course_code, course_title from dim_course
    union all
    select 'course_run', runs.run_id, courses.course_title || ' (' || strftime(runs.starts_on, '%Y-%m-%d') || ')'
    from dim_course_run as runs
    left join dim_course as courses on runs.course_code = courses.course_code
),

-- The whole university with no filter but the year (the default view) is counted from fct_learner_year, one row
-- per learner and year built at publish; any other selection counts distinct learners among its enrolments.
-- The condition is written out in both branches so that DuckDB, which folds bound parameters, reads one table.
whole_university as (
    select
        start_year as year,
        'ALL' as group_key,
        count(*) as learners,
        sum(count_enrolments)::bigint as enrolments,
    from fct_learner_year
    where ($by = 'university' and $date_from is null and $date_to is null and len($ptj_codes) = 0
        and len($course_codes) = 0 and len($mqa_categories) = 0 and len($modes) = 0 and len($platforms) = 0
        and len($mc_types) = 0 and $allowed_ptj_codes is null)
        and ($year is null or start_year = $year)
    group by start_year
),

selected as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code when 'course_run' then run_id
            else 'ALL' end as group_key,
        count(distinct learner_number) as learners,
        count(*) as enrolments,
    from enrolments
    where not ($by = 'university' and $date_from is null and $date_to is null and len($ptj_codes) = 0
        and len($course_codes) = 0 and len($mqa_categories) = 0 and len($modes) = 0 and len($platforms) = 0
        and len($mc_types) = 0 and $allowed_ptj_codes is null)
    group by all
),

grouped as (
    select year, group_key, learners, enrolments from whole_university
    union all
    select year, group_key, learners, enrolments from selected
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.learners,
        grouped.enrolments,
    from grouped
    left join labels on labels.by_kind = $by and labels.group_key = grouped.group_key
)

select * from final
order by year, group_key
