-- Some learners who passed a course of a Category 1 programme are admitted to its accredited programme later.
copy (
with passed as (
    select x.learner_id, p.accredited_programme, min(x.result_s) as first_s,
    from results as x
    join runs as r using (run_idx)
    join demo_programmes as p on p.programme_id = r.programme_id
    where x.certificate_type = 'COA'
    group by all
),

admitted as (
    select *,
        hash(learner_id, accredited_programme, 921, getvariable('seed')) / 18446744073709551616.0 as u1,
        first_s + (60 + floor(hash(learner_id, 922, getvariable('seed')) / 18446744073709551616.0 * 300)::bigint)
            * 86400 as admitted_s,
    from passed
)

select
    learner_id,
    accredited_programme,
    year(ts(admitted_s)) || case when month(ts(admitted_s)) <= 6 then '-S1' else '-S2' end as intake_term,
    strftime(ts(admitted_s), '%Y-%m-%d') as admitted_on,
    (9000 + floor(u1 * 1000) * 50)::decimal(12, 2) as tuition_fee_rm,
from admitted
where u1 < 0.12 and admitted_s < getvariable('cutoff')
order by admitted_s, learner_id
) to $path (format csv, header, delimiter ',')
