-- One row per MC programme, with the number of courses a learner needs for its MMS.
with

programmes as (
    select * from stg_mc_programmes
),

programme_courses as (
    select * from stg_mc_programme_courses
),

counts as (
    select
        programme_code,
        count(*) filter (where course_role = 'required') as count_required,
        count(*) filter (where course_role = 'elective') as count_electives,
        min(stack_order) filter (where stack_order is not null) as first_stack_order,
    from programme_courses
    group by programme_code
),

final as (
    select
        programmes.programme_code,
        programmes.title_en as programme_title_en,
        programmes.title_ms as programme_title_ms,
        programmes.ptj_code,
        programmes.mqa_category,
        programmes.electives_needed,
        programmes.credits,
        programmes.accredited_programme,
        coalesce(counts.count_required, 0) as count_required,
        coalesce(counts.count_electives, 0) as count_electives,
        coalesce(counts.count_required, 0) + programmes.electives_needed as count_courses_needed,
    from programmes
    left join counts on programmes.programme_code = counts.programme_code
)

select * from final
