-- id: workload_by_ptj
-- title_en: Workload by PTj
-- title_ms: Beban tugas mengikut PTj
-- unit: hours
-- grain: university, ptj
-- definition_en: For each term, the MC/MOOC teaching load of lecturers by their own PTj: lecturers teaching,
--   lecturers over the overload threshold, and the median, maximum and total weighted hours per lecturer
--   (contact + online x the online hours factor).
-- definition_ms: Bagi setiap penggal, beban mengajar MC/MOOC pensyarah mengikut PTj mereka: pensyarah yang
--   mengajar, pensyarah yang melebihi had beban, dan median, maksimum dan jumlah jam berwajaran bagi setiap
--   pensyarah (bersemuka + dalam talian x faktor jam dalam talian).
-- filters: year, ptj_codes, course_codes
-- sources: fct_teaching, dim_ptj
-- suppress:
-- breakdowns: term
with

teaching as (
    select * from fct_teaching
    where ($year is null or start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, staff_ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, staff_ptj_code))
),

per_lecturer as (
    select
        start_year as year,
        term,
        staff_id,
        staff_ptj_code,
        -- Exact (DECIMAL) weighted hours, rounded once below: rounding a DOUBLE at a half hundredth differs between
        -- engines (150.195 is 150.19499... as a double); see lecturer_workload.
        sum(contact_hours) + sum(online_hours) * cast($online_hours_factor as decimal(9, 4)) as weighted_hours,
    from teaching
    group by all
),

grouped as (
    select
        year,
        term,
        case $by when 'ptj' then staff_ptj_code else 'ALL' end as group_key,
        count(*) as lecturers,
        count(*) filter (where weighted_hours > $overload_hours) as overloaded_lecturers,
        -- A median of an even count is a mean of two, a DOUBLE on Spark: back to DECIMAL before rounding.
        round(median(weighted_hours)::decimal(18, 6), 2)::double as median_weighted_hours,
        round(max(weighted_hours), 2)::double as max_weighted_hours,
        round(sum(weighted_hours), 2)::double as total_weighted_hours,
    from per_lecturer
    group by all
),

final as (
    select
        grouped.year,
        grouped.term,
        grouped.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.lecturers,
        grouped.overloaded_lecturers,
        grouped.median_weighted_hours,
        grouped.max_weighted_hours,
        grouped.total_weighted_hours,
    from grouped
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = grouped.group_key
)

select * from final
order by year, term, group_key
