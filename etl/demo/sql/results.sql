-- All result rows (outcomes and certificates); MMS for learners who passed every course of a programme.
create table results as
with certificates as (
    select
        run_idx, e, learner_id, programme_id, course_idx, outcome, result_s,
        unnest(case
            when outcome = 'passed' and not is_mooc then ['COA', 'badge']
            when outcome = 'passed' then ['COA']
            when outcome = 'completed' and (not is_mooc or purchase_s is not null) then ['COC']
            else [null]
        end) as certificate_type,
    from enrol
    where result_s is not null
),

passed as (
    select learner_id, programme_id, course_idx, max(result_s * 100000 + run_idx) as last_key,
    from enrol
    where outcome = 'passed' and result_s is not null and programme_id is not null
    group by all
),

mms as (
    select
        (max(p.last_key) % 100000)::int as run_idx,
        -1 as e,
        p.learner_id,
        p.programme_id,
        null as course_idx,
        'passed' as outcome,
        max(p.last_key) // 100000 + 7 * 86400 as result_s,
        'MMS' as certificate_type,
    from passed as p
    join programmes as g using (programme_id)
    group by p.learner_id, p.programme_id, g.course_count
    having count(*) = g.course_count
)

select
    *,
    year(ts(case when certificate_type = 'badge' then result_s + 3600 else result_s end)) as year,
from (select * from certificates union all select * from mms where result_s < getvariable('cutoff'))
