-- id: revenue
-- title_en: Revenue
-- title_ms: Hasil
-- unit: rm
-- grain: university, ptj, course, course_run, month
-- definition_en: Money received in the year (by payment date): MC fees, certificate sales, refunds paid out,
--   and net revenue (fees + certificates - refunds), credited to the PTj named on the receipt.
-- definition_ms: Wang yang diterima pada tahun itu (mengikut tarikh bayaran): yuran MC, jualan sijil, bayaran
--   balik, dan hasil bersih (yuran + sijil - bayaran balik), dikreditkan kepada PTj yang dinamakan pada resit.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_payment, dim_ptj, dim_course, dim_course_run
-- suppress:
with

payments as (
    select * from fct_payment
    where ($year is null or paid_year = $year)
        and ($date_from is null or paid_on >= $date_from)
        and ($date_to is null or paid_on <= $date_to)
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

grouped as (
    select
        paid_year as year,
        case $by
            when 'ptj' then ptj_code
            when 'course' then course_code
            when 'course_run' then run_id
            when 'month' then strftime(paid_month, '%Y-%m')
            else 'ALL'
        end as group_key,
        coalesce(sum(amount_rm) filter (where payment_kind = 'mc_fee'), 0)::decimal(18, 2) as gross_fees_rm,
        coalesce(sum(amount_rm) filter (where payment_kind = 'certificate'), 0)::decimal(18, 2)
            as certificate_income_rm,
        coalesce(sum(amount_rm) filter (where payment_kind = 'refund'), 0)::decimal(18, 2) as refunds_rm,
        coalesce(sum(signed_amount_rm), 0)::decimal(18, 2) as net_revenue_rm,
        count(*) as receipts,
    from payments
    group by all
),

final as (
    select
        grouped.year,
        grouped.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else grouped.group_key end)
            as group_label,
        grouped.gross_fees_rm,
        grouped.certificate_income_rm,
        grouped.refunds_rm,
        grouped.net_revenue_rm,
        grouped.receipts,
    from grouped
    left join labels on labels.by_kind = $by and labels.group_key = grouped.group_key
)

select * from final
order by year, group_key
