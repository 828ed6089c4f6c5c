-- One row per KPI id per year per PTj, plus one per KPI id per year for the whole university (ptj_code null).
-- depends_on: fct_enrolment, fct_certificate, fct_payment, fct_kpi_target
-- The values target_progress compares with the yearly targets, counted once at publish so the KPI reads a few
-- hundred rows instead of every enrolment (issue 16). Only years that have a target are kept: those are the only
-- ones the KPI joins, and every year's target is in fct_kpi_target whatever the filters.
with

enrolments as (
    select * from fct_enrolment
),

course_runs as (
    select * from dim_course_run
),

courses as (
    select * from dim_course
),

certificates as (
    select * from fct_certificate
),

payments as (
    select * from fct_payment
),

target_years as (
    select distinct year from fct_kpi_target
),

-- Certificates as the certificates KPI counts them: issued by the university, plus FutureLearn statements
-- bought, by the year of issue or purchase.
certificates_issued_or_bought as (
    select issue_year, ptj_code from certificates
    union all
    select year(purchased_statement_at)::integer, ptj_code from enrolments where has_purchased_certificate
),

-- Per year for each PTj and (grouping() = 1) for the whole university.
actuals as (
    select
        'enrolments' as kpi_id, start_year as year, ptj_code, grouping(ptj_code) = 1 as is_university,
        count(*)::decimal(18, 2) as value,
    from enrolments
    where start_year in (select year from target_years)
    group by grouping sets ((start_year, ptj_code), (start_year))
    union all
    select 'learners', start_year, ptj_code, grouping(ptj_code) = 1, count(distinct learner_number)::decimal(18, 2)
    from enrolments
    where start_year in (select year from target_years)
    group by grouping sets ((start_year, ptj_code), (start_year))
    union all
    select 'completions', start_year, ptj_code, grouping(ptj_code) = 1,
        (count(*) filter (where is_completed))::decimal(18, 2)
    from enrolments
    where start_year in (select year from target_years)
    group by grouping sets ((start_year, ptj_code), (start_year))
    union all
    select 'courses_offered', start_year, ptj_code, grouping(ptj_code) = 1,
        count(distinct course_code)::decimal(18, 2)
    from course_runs
    where start_year in (select year from target_years)
    group by grouping sets ((start_year, ptj_code), (start_year))
    union all
    select 'new_courses', launch_year, ptj_code, grouping(ptj_code) = 1, count(*)::decimal(18, 2)
    from courses
    where launch_year in (select year from target_years)
    group by grouping sets ((launch_year, ptj_code), (launch_year))
    union all
    select 'certificates', issue_year, ptj_code, grouping(ptj_code) = 1, count(*)::decimal(18, 2)
    from certificates_issued_or_bought
    where issue_year in (select year from target_years)
    group by grouping sets ((issue_year, ptj_code), (issue_year))
    union all
    select 'net_revenue', paid_year, ptj_code, grouping(ptj_code) = 1, sum(signed_amount_rm)::decimal(18, 2)
    from payments
    where paid_year in (select year from target_years)
    group by grouping sets ((paid_year, ptj_code), (paid_year))
),

final as (
    select
        kpi_id,
        year::integer as year,
        ptj_code,
        is_university,
        value,
    from actuals
)

select * from final
