copy (
select
    r.run_id,
    x.learner_id,
    x.outcome,
    x.certificate_type,
    case
        when x.certificate_type is not null then strftime(
            ts(case when x.certificate_type = 'badge' then x.result_s + 3600 else x.result_s end),
            '%Y-%m-%d %H:%M:%S')
    end as issued_at,
from results as x
join runs as r using (run_idx)
where x.year = $year
order by x.result_s, r.run_id, x.learner_id, x.certificate_type nulls first
) to $path (format csv, header, delimiter ',')
