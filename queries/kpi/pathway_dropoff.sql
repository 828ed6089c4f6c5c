-- id: pathway_dropoff
-- title_en: Drop-off between the courses of an MC programme
-- title_ms: Keciciran antara kursus program MC
-- unit: pct
-- grain: programme
-- definition_en: Of the programme's learners who have completed k of the courses its MMS needs (k = 0: enrolled
--   in one of them), those who went on to complete k + 1, and those who did not (dropped). Counted by the number
--   of courses completed, in whatever order the learner took them. By the year the learner first enrolled.
-- definition_ms: Daripada pelajar program yang telah menamatkan k kursus yang diperlukan untuk MMS (k = 0:
--   mendaftar dalam salah satunya), mereka yang terus menamatkan k + 1, dan mereka yang tidak (tercicir). Dikira
--   mengikut bilangan kursus yang ditamatkan, dalam apa jua susunan. Mengikut tahun pelajar mula mendaftar.
-- filters: year, ptj_codes, mqa_categories
-- sources: fct_programme_progress, dim_mc_programme, dim_programme_course
-- suppress: learners_reached, learners_next, dropped
-- derived: dropoff_pct
-- rates: dropoff_pct = 100 * dropped / learners_reached
-- protection: rounded
with

progress as (
    select * from fct_programme_progress
    where ($year is null or start_year = $year)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

programmes as (
    select * from dim_mc_programme
),

-- 0 to n for each programme (n never exceeds its number of courses), from the data: no numbers table needed.
steps as (
    select programme_code, row_number() over (partition by programme_code order by course_code) as from_step
    from dim_programme_course
    union all
    select programme_code, 0 as from_step from dim_mc_programme
),

reached as (
    select
        progress.start_year as year,
        progress.programme_code,
        steps.from_step,
        count(*) filter (where progress.count_courses_done >= steps.from_step) as learners_reached,
        count(*) filter (where progress.count_courses_done >= steps.from_step + 1) as learners_next,
    from progress
    inner join steps
        on progress.programme_code = steps.programme_code and steps.from_step < progress.count_courses_needed
    group by all
),

final as (
    select
        reached.year,
        reached.programme_code as group_key,
        coalesce(programmes.programme_title_en, reached.programme_code) as group_label,
        programmes.ptj_code,
        reached.from_step,
        reached.from_step + 1 as to_step,
        reached.learners_reached,
        reached.learners_next,
        reached.learners_reached - reached.learners_next as dropped,
        round(100.0 * (reached.learners_reached - reached.learners_next) / nullif(reached.learners_reached, 0), 2)
            as dropoff_pct,
    from reached
    left join programmes on reached.programme_code = programmes.programme_code
)

select * from final
order by year, group_key, from_step
