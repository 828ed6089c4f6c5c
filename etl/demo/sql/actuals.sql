-- Achieved figures per year, for the kpi_targets file.
with enrol_year as (
    select
        start_year as year,
        count(*) as enrolments,
        count(distinct learner_id) as learners,
        count(*) filter (where outcome in ('completed', 'passed') or fp_s is not null) as completions,
    from enrol
    group by all
),

cert_year as (
    select year, count(*) as certificates,
    from results
    where certificate_type is not null
    group by all
),

revenue_year as (
    select
        year,
        sum(case when payment_kind = 'refund' then -amount_rm else amount_rm end) as net_revenue,
    from payments
    group by all
)

select year, enrolments, learners, completions, certificates, net_revenue,
from enrol_year
full join cert_year using (year)
full join revenue_year using (year)
order by year
