-- id: credit_recognition
-- title_en: Credit recognition (credit transfer and APEL C)
-- title_ms: Pengiktirafan kredit (pemindahan kredit dan APEL C)
-- unit: count
-- grain: university, ptj
-- definition_en: Credit transfer and APEL C applications made in the year (by applied_on: an application decided
--   after the year end counts in the year it was made, with its decision once there is one), decided, approved,
--   rejected and still pending or withdrawn; credits granted; approval rate (approved over decided) and the median
--   days from application to decision.
-- definition_ms: Permohonan pemindahan kredit dan APEL C yang dibuat pada tahun itu (mengikut applied_on:
--   permohonan yang diputuskan selepas akhir tahun dikira pada tahun ia dibuat, dengan keputusannya apabila ada),
--   diputuskan, diluluskan, ditolak dan masih menunggu atau ditarik balik; kredit diberi; kadar kelulusan
--   (diluluskan dibahagi diputuskan) dan median hari dari permohonan hingga keputusan.
-- filters: year, ptj_codes, course_codes, mqa_categories
-- sources: fct_credit_application, dim_ptj
-- suppress: applications, decided, approved, rejected, pending
-- derived: approval_rate_pct, median_days_to_decision
-- rates: approval_rate_pct = 100 * approved / decided
-- breakdowns: application_kind
with

applications as (
    select * from fct_credit_application
    where ($year is null or apply_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
),

counts as (
    select
        apply_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        application_kind,
        count(*) as applications,
        count(*) filter (where is_decided) as decided,
        count(*) filter (where is_approved) as approved,
        count(*) filter (where outcome = 'rejected') as rejected,
        count(*) filter (where not is_decided) as pending,
        sum(credits_granted)::bigint as credits_granted,
        median(days_to_decision)::decimal(10, 1) as median_days_to_decision,
    from applications
    group by all
),

final as (
    select
        counts.year,
        counts.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else counts.group_key end)
            as group_label,
        counts.application_kind,
        counts.applications,
        counts.decided,
        counts.approved,
        counts.rejected,
        counts.pending,
        round(100.0 * counts.approved / nullif(counts.decided, 0), 2) as approval_rate_pct,
        counts.credits_granted,
        counts.median_days_to_decision,
    from counts
    left join labels on labels.by_kind = $by and labels.group_key = counts.group_key
)

select * from final
order by year, group_key, application_kind
