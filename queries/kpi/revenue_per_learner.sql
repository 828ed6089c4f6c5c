-- id: revenue_per_learner
-- title_en: Revenue per learner
-- title_ms: Hasil bagi setiap pelajar
-- unit: rm
-- grain: university, ptj, course
-- definition_en: Net revenue received in the year (by payment date) divided by enrolments, and by distinct
--   learners, in course runs starting in that year.
-- definition_ms: Hasil bersih yang diterima pada tahun itu (mengikut tarikh bayaran) dibahagi dengan pendaftaran,
--   dan dengan pelajar berbeza, dalam larian kursus yang bermula pada tahun itu.
-- filters: year, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_payment, fct_enrolment, dim_ptj, dim_course
-- suppress: enrolments, learners
-- derived: revenue_per_enrolment_rm, revenue_per_learner_rm
-- rates: revenue_per_enrolment_rm = net_revenue_rm / enrolments,
--   revenue_per_learner_rm = net_revenue_rm / learners
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
    where ($year is null or start_year = $year)
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
),

money as (
    select
        paid_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code else 'ALL' end as group_key,
        sum(signed_amount_rm)::decimal(18, 2) as net_revenue_rm,
    from payments
    group by all
),

heads as (
    select
        start_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code else 'ALL' end as group_key,
        count(*) as enrolments,
        count(distinct learner_number) as learners,
    from enrolments
    group by all
),

joined as (
    select
        coalesce(money.year, heads.year) as year,
        coalesce(money.group_key, heads.group_key) as group_key,
        coalesce(money.net_revenue_rm, 0)::decimal(18, 2) as net_revenue_rm,
        coalesce(heads.enrolments, 0) as enrolments,
        coalesce(heads.learners, 0) as learners,
    from money
    full outer join heads on money.year = heads.year and money.group_key = heads.group_key
),

final as (
    select
        joined.year,
        joined.group_key,
        coalesce(labels.group_label, case when $by = 'university' then 'University' else joined.group_key end)
            as group_label,
        joined.net_revenue_rm,
        joined.enrolments,
        joined.learners,
        (joined.net_revenue_rm / nullif(joined.enrolments, 0))::decimal(18, 2) as revenue_per_enrolment_rm,
        (joined.net_revenue_rm / nullif(joined.learners, 0))::decimal(18, 2) as revenue_per_learner_rm,
    from joined
    left join labels on labels.by_kind = $by and labels.group_key = joined.group_key
)

select * from final
order by year, group_key
