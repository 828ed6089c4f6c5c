create or replace temp table fl_steps_batch as
with learners as (
    select run_idx, e, learner_id, course_idx, k_eff, c, m, offc, t0, pace, unnest(range(k_eff)) as i,
    from enrol
    where is_fl and run_idx between $first_run and $last_run and k_eff > 0
),

visits as (
    select
        l.run_idx,
        l.learner_id,
        s.step,
        s.week_number,
        s.step_number,
        l.t0 + l.i * l.pace + floor(u3(l.e, l.i, 31) * (l.pace // 2))::bigint as visited_s,
        (l.i * l.m + l.offc) % l.k_eff < l.c as is_completed,
        5 + floor(20000 * pow(u3(l.e, l.i, 32), 7))::bigint as seconds_on_step,
    from learners as l
    join steps as s on s.course_idx = l.course_idx and s.i = l.i
),

previews as (  -- the course team looks at every step before the run starts
    select
        a.run_idx, a.learner_id, s.step, s.week_number, s.step_number,
        a.enrolled_s + 3600 + s.i * 120 as visited_s,
        true as is_completed,
        60 as seconds_on_step,
    from admins as a
    join steps as s on s.course_idx = a.course_idx
    where a.run_idx between $first_run and $last_run and a.previews
)

select
    run_idx,
    learner_id,
    step,
    week_number,
    step_number,
    strftime(ts_fl(visited_s), '%Y-%m-%d %H:%M:%S UTC') as first_visited_at,
    case
        when is_completed then strftime(ts_fl(visited_s + seconds_on_step), '%Y-%m-%d %H:%M:%S UTC')
    end as last_completed_at,
from (select * from visits union all select * from previews)
order by run_idx, week_number, step_number, visited_s, learner_id
