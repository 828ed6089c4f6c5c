-- id: learner_mix
-- title_en: Learner mix
-- title_ms: Komposisi pelajar
-- unit: count
-- grain: university, ptj
-- definition_en: Distinct learners in course runs starting in the year: internal (the university's registered
--   students) and external; Malaysian, international, and nationality unknown (no country given).
-- definition_ms: Pelajar berbeza dalam larian kursus yang bermula pada tahun itu: dalaman (pelajar berdaftar
--   universiti) dan luar; warganegara Malaysia, antarabangsa, dan kewarganegaraan tidak diketahui.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_enrolment, fct_learner_year, dim_ptj
-- suppress: learners, internal, external, malaysian, international, nationality_unknown
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

-- One row per learner per year and group: internal when any of their enrolments says so, Malaysian when any
-- known country is Malaysia, international when countries are known and none is Malaysia.
-- The whole university with no filter but the year (the default view) reads these rows from fct_learner_year,
-- built at publish the same way; the condition is written out in both branches so that DuckDB, which folds
-- bound parameters, reads one table.
learners as (
    select
        start_year as year,
        'ALL' as group_key,
        learner_number,
        is_internal,
        is_malaysian,
    from fct_learner_year
    where ($by = 'university' and $date_from is null and $date_to is null and len($ptj_codes) = 0
        and len($course_codes) = 0 and len($mqa_categories) = 0 and len($modes) = 0 and len($platforms) = 0
        and len($mc_types) = 0 and $allowed_ptj_codes is null)
        and ($year is null or start_year = $year)
    union all
    select
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        learner_number,
        bool_or(is_internal) as is_internal,
        bool_or(is_malaysian) as is_malaysian,
    from enrolments
    where not ($by = 'university' and $date_from is null and $date_to is null and len($ptj_codes) = 0
        and len($course_codes) = 0 and len($mqa_categories) = 0 and len($modes) = 0 and len($platforms) = 0
        and len($mc_types) = 0 and $allowed_ptj_codes is null)
    group by all
),

grouped as (
    select
        year,
        group_key,
        count(*) as learners,
        count(*) filter (where is_internal) as internal,
        count(*) filter (where not coalesce(is_internal, false)) as external,
        count(*) filter (where is_malaysian) as malaysian,
        count(*) filter (where not is_malaysian) as international,
        count(*) filter (where is_malaysian is null) as nationality_unknown,
    from learners
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.learners,
        grouped.internal,
        grouped.external,
        grouped.malaysian,
        grouped.international,
        grouped.nationality_unknown,
    from grouped
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = grouped.group_key
)

select * from final
order by year, group_key
