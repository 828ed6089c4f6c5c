-- id: programme_intake_conversion
-- title_en: MC to programme intake conversion
-- title_ms: Penukaran MC kepada kemasukan program
-- unit: pct
-- grain: university, ptj, programme
-- definition_en: Learners who completed a course of a Category 1 MC programme (with the certificate it asks for),
--   by the year of their first such completion, and those of them admitted on or after that day to the accredited
--   programme the MC feeds; the conversion rate, the first-year tuition their admission brings, and the MC fees
--   they paid for the programme's courses (net of refunds, any payment date). A learner counts once per programme.
-- definition_ms: Pelajar yang menamatkan kursus program MC Kategori 1 (dengan sijil yang diminta), mengikut tahun
--   penamatan pertama, dan antaranya yang diterima masuk pada atau selepas hari itu ke program bertauliah yang
--   disuap MC itu; kadar penukaran, yuran pengajian tahun pertama daripada kemasukan itu, dan yuran MC yang mereka
--   bayar untuk kursus program (bersih bayaran balik, apa jua tarikh bayaran). Pelajar dikira sekali bagi setiap
--   program.
-- filters: year, ptj_codes
-- sources: fct_programme_progress, fct_programme_intake, fct_payment, dim_programme_course, dim_mc_programme, dim_ptj
-- suppress: completers, admitted
-- rates: conversion_pct = 100 * admitted / completers
-- derived: conversion_pct, tuition_rm, mc_revenue_rm
with

progress as (
    select * from fct_programme_progress
    where mqa_category = 1
        and first_completed_on is not null
        and ($year is null or first_completion_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

intake as (
    select * from fct_programme_intake
),

payments as (
    select * from fct_payment
),

programme_courses as (
    select * from dim_programme_course
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'programme', programme_code, programme_title_en from dim_mc_programme
),

admissions as (
    select
        progress.learner_key,
        progress.programme_code,
        min(intake.admitted_on) as admitted_on,
        sum(coalesce(intake.tuition_fee_rm, 0))::decimal(18, 2) as tuition_rm,
    from progress
    inner join intake
        on progress.learner_key = intake.learner_key
        and progress.accredited_programme = intake.accredited_programme
        and intake.admitted_on >= progress.first_completed_on
    group by all
),

fees as (
    select
        admissions.learner_key,
        admissions.programme_code,
        sum(payments.signed_amount_rm)::decimal(18, 2) as mc_revenue_rm,
    from admissions
    inner join programme_courses on admissions.programme_code = programme_courses.programme_code
    inner join payments
        on payments.learner_key = admissions.learner_key and payments.course_code = programme_courses.course_code
    group by all
),

learners as (
    select
        progress.first_completion_year as year,
        case $by when 'ptj' then progress.ptj_code when 'programme' then progress.programme_code else 'ALL' end
            as group_key,
        admissions.learner_key is not null as is_admitted,
        admissions.tuition_rm,
        fees.mc_revenue_rm,
    from progress
    left join admissions
        on progress.learner_key = admissions.learner_key and progress.programme_code = admissions.programme_code
    left join fees on progress.learner_key = fees.learner_key and progress.programme_code = fees.programme_code
),

counts as (
    select
        year,
        group_key,
        count(*) as completers,
        count(*) filter (where is_admitted) as admitted,
        coalesce(sum(tuition_rm), 0)::decimal(18, 2) as tuition_rm,
        coalesce(sum(mc_revenue_rm), 0)::decimal(18, 2) as mc_revenue_rm,
    from learners
    group by all
),

final as (
    select
        counts.year,
        counts.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else counts.group_key end)
            as group_label,
        counts.completers,
        counts.admitted,
        round(100.0 * counts.admitted / nullif(counts.completers, 0), 2) as conversion_pct,
        counts.tuition_rm,
        counts.mc_revenue_rm,
    from counts
    left join labels on labels.by_kind = $by and labels.group_key = counts.group_key
)

select * from final
order by year, group_key
