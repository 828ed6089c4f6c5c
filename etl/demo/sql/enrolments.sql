copy (
select
    r.run_id,
    e.learner_id,
    strftime(ts(e.enrolled_s), '%Y-%m-%d %H:%M:%S') as enrolled_at,
    strftime(ts(e.unenrolled_s), '%Y-%m-%d %H:%M:%S') as unenrolled_at,
    e.learner_type,
    e.country as country_code,
    e.age as age_band,
    e.employment_status,
    e.gender,
from enrol as e
join runs as r using (run_idx)
where not e.is_fl and year(ts(e.enrolled_s)) = $year
order by e.enrolled_s, r.run_id, e.learner_id
) to $path (format csv, header, delimiter ',')
