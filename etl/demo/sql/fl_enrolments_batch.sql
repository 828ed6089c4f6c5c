-- FutureLearn files are written a batch of runs at a time: the batch's rows in file order in a temp table,
-- then one `copy` per run (a filtered scan keeps insertion order). Memory is bounded by the batch's size.
create or replace temp table fl_enrolments_batch as
select
    run_idx,
    learner_id,
    strftime(ts_fl(enrolled_s), '%Y-%m-%d %H:%M:%S UTC') as enrolled_at,
    strftime(ts_fl(unenrolled_s), '%Y-%m-%d %H:%M:%S UTC') as unenrolled_at,
    'learner' as role,
    strftime(ts_fl(fp_s), '%Y-%m-%d %H:%M:%S UTC') as fully_participated_at,
    strftime(ts_fl(purchase_s), '%Y-%m-%d %H:%M:%S UTC') as purchased_statement_at,
    gender,
    country,
    age as age_range,
    education as highest_education_level,
    employment_status,
    employment_area,
    detected_country,
from enrol
where is_fl and run_idx between $first_run and $last_run
union all
select
    run_idx,
    learner_id,
    strftime(ts_fl(enrolled_s), '%Y-%m-%d %H:%M:%S UTC'),
    null, 'organisation_admin', null, null,
    'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'Unknown', 'MY',
from admins
where run_idx between $first_run and $last_run
order by run_idx, learner_id
