-- Credit transfer for some MMS holders of Category 1 programmes; APEL C for some who passed a stand-alone MC.
create table pathway_applications as
with mms as (
    select x.learner_id, p.programme_code, p.credits, x.result_s,
        hash(x.learner_id, p.programme_code, 911, getvariable('seed')) / 18446744073709551616.0 as u1,
        hash(x.learner_id, p.programme_code, 912, getvariable('seed')) / 18446744073709551616.0 as u2,
    from results as x
    join runs as r using (run_idx)
    join demo_programmes as p on p.programme_id = r.programme_id
    where x.certificate_type = 'MMS'
),

apel as (
    select x.learner_id, c.course_code, c.credits, x.result_s,
        hash(x.learner_id, x.run_idx, 913, getvariable('seed')) / 18446744073709551616.0 as u1,
        hash(x.learner_id, x.run_idx, 914, getvariable('seed')) / 18446744073709551616.0 as u2,
    from results as x
    join runs as r using (run_idx)
    join demo_courses as c on c.course_idx = r.course_idx
    where x.certificate_type = 'COA' and c.is_stand_alone
),

applied as (
    select 'CT' as prefix, 'credit_transfer' as application_kind, learner_id, null as course_code,
        programme_code, greatest(credits, 1) as credits, result_s + (7 + floor(u1 * 60)::bigint) * 86400 as applied_s,
        u1, u2,
    from mms where u1 < 0.4
    union all
    select 'AP', 'apel_c', learner_id, course_code, null, greatest(credits, 1),
        result_s + (14 + floor(u1 * 90)::bigint) * 86400, u1, u2,
    from apel where u1 < 0.06
)

select
    *,
    applied_s + (10 + floor(u2 * 50)::bigint) * 86400 as decided_s,
    row_number() over (order by applied_s, learner_id, prefix) as n,
from applied
where applied_s < getvariable('cutoff')
