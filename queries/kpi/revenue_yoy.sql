-- id: revenue_yoy
-- title_en: Revenue, year on year
-- title_ms: Hasil, tahun ke tahun
-- unit: rm
-- grain: university, ptj
-- definition_en: Net revenue received in the year against the year before (by payment date): the change in RM
--   and in percent (no percent when the year before had none).
-- definition_ms: Hasil bersih yang diterima pada tahun itu berbanding tahun sebelumnya (mengikut tarikh bayaran):
--   perubahan dalam RM dan peratus (tiada peratus jika tahun sebelumnya tiada hasil).
-- filters: year, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_payment, dim_ptj
-- suppress:
with

payments as (
    select * from fct_payment
    where ($year is null or paid_year in ($year, $year - 1))
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

yearly as (
    select
        paid_year as year,
        case $by when 'ptj' then ptj_code else 'ALL' end as group_key,
        sum(signed_amount_rm)::decimal(18, 2) as net_revenue_rm,
    from payments
    group by all
),

-- Every year with money, plus the year after for a group whose money stopped (up to the last year with money).
keys as (
    select year, group_key from yearly
    union
    select year + 1, group_key from yearly where year + 1 <= (select max(year) from yearly)
),

compared as (
    select
        keys.year,
        keys.group_key,
        coalesce(this_year.net_revenue_rm, 0)::decimal(18, 2) as net_revenue_rm,
        coalesce(last_year.net_revenue_rm, 0)::decimal(18, 2) as previous_net_revenue_rm,
    from keys
    left join yearly as this_year on this_year.year = keys.year and this_year.group_key = keys.group_key
    left join yearly as last_year on last_year.year = keys.year - 1 and last_year.group_key = keys.group_key
    where $year is null or keys.year = $year
),

final as (
    select
        compared.year,
        compared.group_key,
        coalesce(dim_ptj.ptj_name_en, case when $by = 'university' then 'University' else compared.group_key end)
            as group_label,
        compared.net_revenue_rm,
        compared.previous_net_revenue_rm,
        (compared.net_revenue_rm - compared.previous_net_revenue_rm)::decimal(18, 2) as change_rm,
        round(
            100.0 * (compared.net_revenue_rm - compared.previous_net_revenue_rm)
                / nullif(compared.previous_net_revenue_rm, 0),
            1
        ) as change_pct,
    from compared
    left join dim_ptj on $by = 'ptj' and dim_ptj.ptj_code = compared.group_key
)

select * from final
order by year, group_key
