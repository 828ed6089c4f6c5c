-- id: category_mix
-- title_en: MQA category mix
-- title_ms: Campuran kategori MQA
-- unit: pct
-- grain: university, ptj
-- definition_en: Microcredential courses offered in the year (MOOCs left out) by MQA category, as a share of all
--   MC courses offered, against the policy mix (Category 1 and Category 3 targets from the configuration).
-- definition_ms: Kursus mikrokredensial yang ditawarkan pada tahun itu (tidak termasuk MOOC) mengikut kategori
--   MQA, sebagai peratus semua kursus MC yang ditawarkan, berbanding sasaran dasar (Kategori 1 dan Kategori 3).
-- filters: year, date_from, date_to, ptj_codes, course_codes, modes, platforms, mc_types
-- sources: dim_course_run, dim_ptj
-- suppress:
-- breakdowns: mqa_category
with

runs as (
    select * from dim_course_run
    where mc_type <> 'mooc'
        and ($year is null or start_year = $year)
        and ($date_from is null or starts_on >= $date_from)
        and ($date_to is null or starts_on <= $date_to)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

offered as (
    select distinct
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        course_code,
        mqa_category,
    from runs
),

totals as (
    select year, group_key, count(distinct course_code) as mc_courses from offered group by all
),

-- Categories 1 and 3 always get a row (they carry the policy targets); others only when offered.
categories as (
    select 1 as mqa_category
    union
    select 3
    union
    select distinct mqa_category from offered
),

counts as (
    select year, group_key, mqa_category, count(*) as courses from offered group by all
),

grid as (
    select
        totals.year,
        totals.group_key,
        totals.mc_courses,
        categories.mqa_category,
        coalesce(counts.courses, 0) as courses,
        case categories.mqa_category
            when 1 then $category_1_target_pct
            when 3 then $category_3_target_pct
        end as target_pct,
    from totals
    cross join categories
    left join counts
        on counts.year = totals.year
        and counts.group_key = totals.group_key
        and counts.mqa_category = categories.mqa_category
),

final as (
    select
        grid.year,
        grid.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else grid.group_key end)
            as group_label,
        grid.mqa_category,
        grid.courses,
        grid.mc_courses,
        round(100.0 * grid.courses / grid.mc_courses, 1) as share_pct,
        grid.target_pct::double as target_pct,
        round(100.0 * grid.courses / grid.mc_courses - grid.target_pct, 1) as gap_pct,
    from grid
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = grid.group_key
)

select * from final
order by year, group_key, mqa_category
