copy (
select
    'BG-' || lpad(run_idx::varchar, 5, '0') || '-' || lpad(e::varchar, 9, '0') as badge_id,
    course_title as badge_name,
    course_code,
    learner_id,
    strftime(ts(issued_s), '%Y-%m-%d %H:%M:%S') as issued_at,
    case when state in ('accepted', 'revoked') and accepted_s > issued_s
        then strftime(ts(accepted_s), '%Y-%m-%d %H:%M:%S') end as accepted_at,
    case when state in ('accepted', 'revoked') and accepted_s <= issued_s then 'pending' else state end as state,
    case when state = 'accepted' and accepted_s > issued_s then floor(u_share * u_share * 5)::int else 0 end as shares,
    case when state = 'accepted' and accepted_s > issued_s then floor(u_share * 60)::int else 0 end as views,
from pathway_badges
where not is_open_badges and year(ts(issued_s)) = $year
order by issued_s, run_idx, e
) to $path (format csv, header, delimiter ',')
