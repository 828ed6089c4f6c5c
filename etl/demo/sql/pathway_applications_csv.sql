copy (
select
    prefix || '-' || year(ts(applied_s)) || '-' || lpad(n::varchar, 6, '0') as application_id,
    learner_id,
    application_kind,
    course_code,
    programme_code,
    strftime(ts(applied_s), '%Y-%m-%d') as applied_on,
    case when decided_s < getvariable('cutoff') then strftime(ts(decided_s), '%Y-%m-%d') end as decided_on,
    case when decided_s >= getvariable('cutoff') then 'pending' when u2 < 0.82 then 'approved' else 'rejected' end
        as outcome,
    case when decided_s < getvariable('cutoff') and u2 < 0.82 then credits end as credits_granted,
from pathway_applications
order by applied_s, learner_id, prefix
) to $path (format csv, header, delimiter ',')
