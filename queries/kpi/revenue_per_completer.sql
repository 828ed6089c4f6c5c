-- id: revenue_per_completer
-- title_en: Revenue per completer and per MMS
-- title_ms: Hasil bagi setiap pelajar tamat dan setiap MMS
-- unit: rm
-- grain: university, ptj
-- definition_en: Net revenue received in the year (by payment date) divided by the distinct learners who completed
--   a course run starting in that year, and by the Malaysian Micro-credential Statements issued in the year.
-- definition_ms: Hasil bersih yang diterima pada tahun itu (mengikut tarikh bayaran) dibahagi dengan pelajar berbeza
--   yang menamatkan larian kursus yang bermula pada tahun itu, dan dengan Penyata Mikro-kredensial Malaysia yang
--   dikeluarkan pada tahun itu.
-- filters: year, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_payment, fct_enrolment, fct_certificate, dim_ptj
-- suppress: completers, mms
-- derived: revenue_per_completer_rm, revenue_per_mms_rm
-- rates: revenue_per_completer_rm = net_revenue_rm / completers, revenue_per_mms_rm = net_revenue_rm / mms
with

payments as (
    select * from fct_payment
    where ($year is null or paid_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

enrolments as (
    select * from fct_enrolment
    where is_completed
        and ($year is null or start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

statements as (
    select * from fct_certificate
    where certificate_type = 'MMS'
        and ($year is null or issue_year = $year)
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
),

money as (
    select
        paid_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        sum(signed_amount_rm)::decimal(18, 2) as net_revenue_rm,
    from payments
    group by all
),

completed as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        count(distinct learner_number) as completers,
    from enrolments
    group by all
),

issued as (
    select
        issue_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        count(*) as mms,
    from statements
    group by all
),

keys as (
    select year, group_key from money
    union
    select year, group_key from completed
    union
    select year, group_key from issued
),

final as (
    select
        keys.year,
        keys.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else keys.group_key end)
            as group_label,
        coalesce(money.net_revenue_rm, 0)::decimal(18, 2) as net_revenue_rm,
        coalesce(completed.completers, 0) as completers,
        coalesce(issued.mms, 0) as mms,
        (money.net_revenue_rm / nullif(completed.completers, 0))::decimal(18, 2) as revenue_per_completer_rm,
        (money.net_revenue_rm / nullif(issued.mms, 0))::decimal(18, 2) as revenue_per_mms_rm,
    from keys
    left join money on keys.year = money.year and keys.group_key = money.group_key
    left join completed on keys.year = completed.year and keys.group_key = completed.group_key
    left join issued on keys.year = issued.year and keys.group_key = issued.group_key
    left join labels on labels.by_kind = $by and labels.group_key = keys.group_key
)

select * from final
order by year, group_key
