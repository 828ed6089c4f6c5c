-- id: target_progress
-- title_en: Progress against yearly targets
-- title_ms: Kemajuan berbanding sasaran tahunan
-- unit: pct
-- grain: university
-- definition_en: Each yearly target (university-wide or per PTj) with the value reached so far, the share of the
--   target achieved, the share of the year elapsed (100% for past years), and a status: on track when achieved
--   is at least the elapsed share times the on-track ratio, at risk when at least times the at-risk ratio,
--   otherwise behind. Values: enrolments, learners, completions (by run start year), courses_offered,
--   new_courses, certificates (issued or bought), net_revenue (RM, by payment year). Forecast to the year end (method:
--   run-rate): the value so far divided by the share of the year elapsed (a past year's is its final value, a
--   future year has none); forecast % of target; the shortfall (target less forecast, when the forecast is short);
--   and, this year while the target is not yet reached, the day it is reached at that pace (forecast_reach_on;
--   after 31 December when the forecast falls short).
-- definition_ms: Setiap sasaran tahunan (seluruh universiti atau setiap PTj) dengan nilai dicapai setakat ini,
--   peratus sasaran dicapai, peratus tahun yang telah berlalu (100% bagi tahun lepas), dan status: di landasan,
--   berisiko, atau ketinggalan, berbanding nisbah dalam konfigurasi. Ramalan hingga akhir tahun (kaedah: kadar
--   semasa): nilai setakat ini dibahagi peratus tahun yang telah berlalu (tahun lepas: nilai akhirnya; tahun hadapan:
--   tiada); peratus sasaran yang diramal; kekurangan (sasaran tolak ramalan, jika ramalan kurang); dan tarikh sasaran
--   dicapai pada kadar itu bagi tahun semasa jika belum dicapai (forecast_reach_on; selepas 31 Disember jika
--   ramalan kurang).
-- filters: year, ptj_codes
-- sources: fct_kpi_target, fct_kpi_actual, fct_enrolment, dim_course_run, dim_course, fct_certificate, fct_payment
-- suppress:
-- protect: value where kpi_id = enrolments | learners | completions | certificates,
--   forecast_value where kpi_id = enrolments | learners | completions | certificates
-- rates: pct_achieved = 100 * value / target_value, forecast_pct = 100 * forecast_value / target_value
-- hide: forecast_shortfall, forecast_reach_on
with

targets as (
    select * from fct_kpi_target
    where ($year is null or year = $year)
        and (len($ptj_codes) = 0 or (scope = 'ptj' and list_contains($ptj_codes, ptj_code)))
        -- A user limited to some PTjs sees only those PTjs' targets.
        and ($allowed_ptj_codes is null or (scope = 'ptj' and list_contains($allowed_ptj_codes, ptj_code)))
),

-- Actual values per year with a target, for each PTj and (is_university) for the whole university: counted at
-- publish in fct_kpi_actual, from the same facts and in the same way (the enrolments, learners and completions
-- of runs starting in the year, courses offered and new courses, certificates issued or bought, net revenue by
-- payment year).
actuals as (
    select * from fct_kpi_actual
    where year in (select distinct year from targets)
),

measured as (
    select
        targets.year,
        targets.kpi_id,
        targets.scope,
        targets.ptj_code,
        targets.target_value,
        -- Targets for other KPI ids have no value (and no status).
        case
            when targets.kpi_id in (
                'enrolments', 'learners', 'completions', 'courses_offered', 'new_courses', 'certificates',
                'net_revenue'
            ) then coalesce(actuals.value, 0)
        end as value,
        case
            when targets.year < year($as_of) then 100.0
            when targets.year > year($as_of) then 0.0
            else 100.0 * dayofyear($as_of)
                / date_diff('day', make_date(targets.year, 1, 1), make_date(targets.year + 1, 1, 1))
        end as expected_share,
        -- The run-rate forecast needs the days elapsed and the days in the target's year.
        date_diff('day', make_date(targets.year, 1, 1), make_date(targets.year + 1, 1, 1)) as days_in_year,
        case
            when targets.year < year($as_of) then date_diff('day', make_date(targets.year, 1, 1),
                                                               make_date(targets.year + 1, 1, 1))
            when targets.year > year($as_of) then 0
            else dayofyear($as_of)
        end as days_elapsed,
    from targets
    left join actuals
        on actuals.kpi_id = targets.kpi_id
        and actuals.year = targets.year
        and (
            (targets.scope = 'university' and actuals.is_university)
            or (targets.scope = 'ptj' and not actuals.is_university and actuals.ptj_code = targets.ptj_code)
        )
),

final as (
    select
        measured.year,
        measured.kpi_id,
        measured.scope,
        measured.ptj_code,
        coalesce(dim_ptj.ptj_name_en, 'University') as scope_label,
        measured.target_value,
        measured.value,
        round(100.0 * measured.value / nullif(measured.target_value, 0), 1) as pct_achieved,
        round(measured.expected_share, 1) as expected_pct,
        case
            when measured.value is null or measured.target_value = 0 then null
            when measured.expected_share = 0 then 'not_started'
            when 100.0 * measured.value / measured.target_value >= measured.expected_share * $on_track_ratio
                then 'on_track'
            when 100.0 * measured.value / measured.target_value >= measured.expected_share * $at_risk_ratio
                then 'at_risk'
            else 'behind'
        end as status,
        'run_rate' as forecast_method,
        forecast.forecast_value,
        round(100.0 * forecast.forecast_value / nullif(measured.target_value, 0), 1) as forecast_pct,
        case
            when forecast.forecast_value is null then null
            when forecast.forecast_value < measured.target_value
                then (measured.target_value - forecast.forecast_value)::decimal(18, 2)
            else 0
        end as forecast_shortfall,
        -- The year in progress, target not yet reached: at value / days_elapsed a day, the target is reached on
        -- day ceil(target x days_elapsed / value) (none for a closed year, or before anything is counted).
        case
            when measured.year = year($as_of) and measured.value > 0 and measured.value < measured.target_value
                then make_date(measured.year, 1, 1) + (ceil(measured.target_value * measured.days_elapsed
                    / measured.value)::integer - 1)
        end as forecast_reach_on,
    from measured
    left join dim_ptj on dim_ptj.ptj_code = measured.ptj_code
    cross join lateral (
        select case
            when measured.value is null or measured.days_elapsed = 0 then null
            else round(measured.value * measured.days_in_year / measured.days_elapsed, 2)::decimal(18, 2)
        end as forecast_value
    ) as forecast
)

select * from final
order by year, scope desc, ptj_code nulls first, kpi_id
