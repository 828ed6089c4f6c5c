-- id: lecturer_workload
-- title_en: Lecturer workload
-- title_ms: Beban tugas pensyarah
-- unit: hours
-- grain: staff
-- definition_en: For each member of staff and term (S1 = runs starting January to June, S2 = July to December):
--   MC/MOOC courses and runs taught, contact hours, online hours, weighted hours (contact + online x the online
--   hours factor), distinct learners taught, and whether the weighted hours exceed the overload threshold.
-- definition_ms: Bagi setiap staf dan penggal (S1 = larian bermula Januari hingga Jun, S2 = Julai hingga
--   Disember): kursus dan larian MC/MOOC yang diajar, jam bersemuka, jam dalam talian, jam berwajaran (bersemuka
--   + dalam talian x faktor jam dalam talian), pelajar berbeza yang diajar, dan sama ada melebihi had beban.
-- filters: year, ptj_codes, course_codes
-- sources: fct_teaching, fct_repeat_enrolment, dim_staff, dim_ptj
-- suppress: learners_taught
-- breakdowns: term
with

teaching as (
    select * from fct_teaching
    where ($year is null or start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, staff_ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        -- A member of staff belongs to their own PTj, whichever PTj's course they teach.
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, staff_ptj_code))
),

hours as (
    select
        start_year as year,
        term,
        staff_id,
        count(distinct course_code) as courses,
        count(distinct run_id) as runs,
        sum(contact_hours)::decimal(18, 2) as contact_hours,
        sum(online_hours)::decimal(18, 2) as online_hours,
    from teaching
    group by all
),

-- Distinct learners per member of staff and term: the learners of each run they taught, less a learner's
-- second and later runs among them (fct_repeat_enrolment holds the only learners who can have those).
staff_runs as (
    select distinct start_year, term, staff_id, run_id, count_learners from teaching
),

run_learners as (
    select start_year as year, term, staff_id, sum(count_learners) as enrolments_taught,
    from staff_runs
    group by all
),

repeats as (
    select staff_runs.start_year as year, staff_runs.term, staff_runs.staff_id, count(*) - 1 as extra_runs,
    from staff_runs
    inner join fct_repeat_enrolment as repeated on repeated.run_id = staff_runs.run_id
    group by staff_runs.start_year, staff_runs.term, staff_runs.staff_id, repeated.learner_key
),

learners as (
    select
        run_learners.year,
        run_learners.term,
        run_learners.staff_id,
        (run_learners.enrolments_taught - coalesce(sum(repeats.extra_runs), 0))::bigint as learners_taught,
    from run_learners
    left join repeats
        on repeats.year = run_learners.year
        and repeats.term = run_learners.term
        and repeats.staff_id = run_learners.staff_id
    group by run_learners.year, run_learners.term, run_learners.staff_id, run_learners.enrolments_taught
),

final as (
    select
        hours.year,
        hours.term,
        hours.staff_id as group_key,
        dim_staff.staff_name as group_label,
        hours.staff_id,
        dim_staff.staff_name,
        dim_staff.ptj_code,
        dim_ptj.ptj_name_en,
        dim_staff.has_left,
        hours.courses,
        hours.runs,
        hours.contact_hours,
        hours.online_hours,
        -- Rounded in DECIMAL (the factor as a decimal): rounding a DOUBLE at a half hundredth gives 150.20 on one
        -- engine and 150.19 on another (150.195 is 150.19499... as a double); exact arithmetic gives 150.20 on all.
        round(hours.contact_hours + hours.online_hours * cast($online_hours_factor as decimal(9, 4)), 2)::double
            as weighted_hours,
        coalesce(learners.learners_taught, 0) as learners_taught,
        hours.contact_hours + hours.online_hours * $online_hours_factor > $overload_hours as is_overloaded,
    from hours
    left join learners
        on learners.year = hours.year and learners.term = hours.term and learners.staff_id = hours.staff_id
    left join dim_staff on dim_staff.staff_id = hours.staff_id
    left join dim_ptj on dim_ptj.ptj_code = dim_staff.ptj_code
)

select * from final
order by year, term, staff_id
