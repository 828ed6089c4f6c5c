-- id: learner_demographics
-- title_en: Learner demographics
-- title_ms: Demografi pelajar
-- unit: count
-- grain: university, ptj
-- definition_en: Distinct learners in course runs starting in the year by age band and by employment status,
--   where the learner gave them (one row per dimension and value).
-- definition_ms: Pelajar berbeza dalam larian kursus yang bermula pada tahun itu mengikut kumpulan umur dan
--   status pekerjaan, jika dinyatakan oleh pelajar (satu baris bagi setiap dimensi dan nilai).
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_enrolment, dim_ptj
-- suppress: learners
-- breakdowns: dimension, value
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

answers as (
    select start_year, ptj_code, learner_number, 'age_band' as dimension, age_band as value from enrolments
    union all
    select start_year, ptj_code, learner_number, 'employment_status', employment_status from enrolments
),

grouped as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        dimension,
        value,
        count(distinct learner_number) as learners,
    from answers
    -- Unknown = not answered (FutureLearn writes 'Unknown'; the other platforms leave it empty).
    where value is not null and value not in ('', 'Unknown', 'unknown')
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.dimension,
        grouped.value,
        grouped.learners,
    from grouped
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = grouped.group_key
)

select * from final
order by year, group_key, dimension, value
