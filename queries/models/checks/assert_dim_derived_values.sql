-- Derived columns of the dimensions agree with what they are derived from (rules in no contract; the allowed sets, keys and not-nulls are generated from the model docs).
with

staff as (
    select * from dim_staff
),

runs as (
    select * from dim_course_run
),

failures as (
    select 'dim_staff' as table_name, 'has_left' as column_name, staff_id as row_key, cast(has_left as varchar) as value,
    from staff
    where has_left is distinct from (staff_status = 'left')

    union all
    select 'dim_course_run', 'term', run_id, term,
    from runs
    where term is null or not regexp_full_match(term, '[0-9]{4}-S[12]')

    union all
    select 'dim_course_run', 'ends_on', run_id, cast(ends_on as varchar),
    from runs
    where ends_on is null or ends_on <> starts_on + cast(7 * weeks - 1 as integer)

    union all
    select 'dim_course_run', 'count_steps', run_id, cast(count_steps as varchar),
    from runs
    where count_steps < 1
),

final as (
    select * from failures
)

select * from final
