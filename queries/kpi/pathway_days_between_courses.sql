-- id: pathway_days_between_courses
-- title_en: Median days between courses of an MC programme
-- title_ms: Median hari antara kursus program MC
-- unit: days
-- grain: university, ptj, programme
-- definition_en: For each learner's consecutive completions of a programme's courses (in the order the learner
--   completed them, with the certificate the programme asks for), the days from one certificate to the next; the
--   median over those gaps. By the year of the later completion.
-- definition_ms: Bagi setiap penamatan berturut-turut kursus program oleh pelajar (mengikut susunan pelajar
--   menamatkannya, dengan sijil yang diminta), bilangan hari dari satu sijil ke sijil berikutnya; median jurang
--   itu. Mengikut tahun penamatan kemudian.
-- filters: year, ptj_codes, mqa_categories
-- sources: fct_programme_course_completion, dim_mc_programme, dim_ptj
-- suppress: learners
-- derived: median_days
with

completions as (
    select * from fct_programme_course_completion
    where days_since_previous is not null
        and ($year is null or completion_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'programme', programme_code, programme_title_en from dim_mc_programme
),

gaps as (
    select
        completion_year as year,
        case $by when 'ptj' then ptj_code when 'programme' then programme_code else 'ALL' end as group_key,
        count(*) as gaps,
        count(distinct learner_key) as learners,
        median(days_since_previous)::decimal(10, 1) as median_days,
    from completions
    group by all
),

final as (
    select
        gaps.year,
        gaps.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else gaps.group_key end)
            as group_label,
        gaps.gaps,
        gaps.learners,
        gaps.median_days,
    from gaps
    left join labels on labels.by_kind = $by and labels.group_key = gaps.group_key
)

select * from final
order by year, group_key
