-- One row per badge (results' 'badge' rows: a badge only for a learner who passed): its state, shares, views.
create table pathway_badges as
with badges as (
    select
        x.run_idx, x.e, x.learner_id, x.result_s + 3600 as issued_s,
        c.course_code, c.course_title, c.is_open_badges,
        hash(x.learner_id, x.run_idx, 901, getvariable('seed')) / 18446744073709551616.0 as u_state,
        hash(x.learner_id, x.run_idx, 902, getvariable('seed')) / 18446744073709551616.0 as u_share,
        hash(x.learner_id, x.run_idx, 903, getvariable('seed')) / 18446744073709551616.0 as u_days,
    from results as x
    join runs as r using (run_idx)
    join demo_courses as c on c.course_idx = r.course_idx
    where x.certificate_type = 'badge'
)

select
    *,
    case when u_state < 0.68 then 'accepted' when u_state < 0.86 then 'pending' when u_state < 0.97 then 'rejected'
        else 'revoked' end as state,
    least(issued_s + 3600 + floor(u_days * 6 * 86400)::bigint, getvariable('cutoff') - 60) as accepted_s,
from badges
