-- id: mms_eligible_vs_issued
-- title_en: MMS eligible vs issued
-- title_ms: Layak MMS berbanding dikeluarkan
-- unit: count
-- grain: university, ptj, programme
-- definition_en: Learners who became eligible for a programme's Malaysian Micro-credential Statement in the year
--   (every required course and the electives needed completed with the certificate asked for; eligible on the day
--   of the last one), those of them with an MMS and without one; MMS issued in the year, and those issued to a
--   learner not (yet) eligible by the data.
-- definition_ms: Pelajar yang layak menerima Penyata Mikro-kredensial Malaysia bagi sesuatu program pada tahun itu
--   (semua kursus wajib dan elektif yang diperlukan ditamatkan dengan sijil yang diminta; layak pada hari kursus
--   terakhir), yang telah dan belum menerima MMS; MMS dikeluarkan pada tahun itu, dan yang dikeluarkan kepada
--   pelajar yang belum layak mengikut data.
-- filters: year, ptj_codes, mqa_categories
-- sources: fct_programme_progress, dim_mc_programme, dim_ptj
-- suppress: eligible, eligible_with_mms, eligible_without_mms, mms_issued, mms_without_eligibility
-- derived: mms_rate_pct
-- rates: mms_rate_pct = 100 * eligible_with_mms / eligible
with

progress as (
    select * from fct_programme_progress
    where (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'programme', programme_code, programme_title_en from dim_mc_programme
),

eligible as (
    select
        eligible_year as year,
        case $by when 'ptj' then ptj_code when 'programme' then programme_code else 'ALL' end as group_key,
        count(*) as eligible,
        count(*) filter (where has_mms) as eligible_with_mms,
        count(*) filter (where not has_mms) as eligible_without_mms,
    from progress
    where is_eligible and ($year is null or eligible_year = $year)
    group by all
),

issued as (
    select
        year(mms_issued_on)::integer as year,
        case $by when 'ptj' then ptj_code when 'programme' then programme_code else 'ALL' end as group_key,
        count(*) as mms_issued,
        count(*) filter (where not is_eligible) as mms_without_eligibility,
    from progress
    where has_mms and ($year is null or year(mms_issued_on) = $year)
    group by all
),

final as (
    select
        coalesce(eligible.year, issued.year) as year,
        coalesce(eligible.group_key, issued.group_key) as group_key,
        coalesce(
            labels.group_label,
            case when $by = 'university' then 'University' else coalesce(eligible.group_key, issued.group_key) end
        ) as group_label,
        coalesce(eligible.eligible, 0) as eligible,
        coalesce(eligible.eligible_with_mms, 0) as eligible_with_mms,
        coalesce(eligible.eligible_without_mms, 0) as eligible_without_mms,
        round(100.0 * eligible.eligible_with_mms / nullif(eligible.eligible, 0), 2) as mms_rate_pct,
        coalesce(issued.mms_issued, 0) as mms_issued,
        coalesce(issued.mms_without_eligibility, 0) as mms_without_eligibility,
    from eligible
    full outer join issued on eligible.year = issued.year and eligible.group_key = issued.group_key
    left join labels
        on labels.by_kind = $by and labels.group_key = coalesce(eligible.group_key, issued.group_key)
)

select * from final
order by year, group_key
