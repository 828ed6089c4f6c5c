-- id: pathway_stack_progress
-- title_en: Stack progress per MC programme
-- title_ms: Kemajuan tindanan bagi setiap program MC
-- unit: count
-- grain: programme
-- definition_en: Learners of each MC programme (enrolled in or completed one of its courses) by how many of the n
--   courses its MMS needs they have completed with the certificate the programme asks for (every required course,
--   plus the electives needed: the first ones completed count, a further elective does not), in any order. By the
--   year the learner first enrolled in one of the programme's courses.
-- definition_ms: Pelajar setiap program MC (mendaftar atau menamatkan salah satu kursusnya) mengikut bilangan
--   daripada n kursus yang diperlukan untuk MMS yang telah ditamatkan dengan sijil yang diminta (semua kursus
--   wajib, dan elektif yang diperlukan: elektif pertama yang ditamatkan dikira), dalam apa jua susunan. Mengikut
--   tahun pelajar mula mendaftar dalam kursus program itu.
-- filters: year, ptj_codes, mqa_categories
-- sources: fct_programme_progress, dim_mc_programme, dim_programme_course
-- suppress: learners, learners_at_least
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
    select programme_code, row_number() over (partition by programme_code order by course_code) as courses_done
    from dim_programme_course
    union all
    select programme_code, 0 as courses_done from dim_mc_programme
),

cohorts as (
    select distinct start_year as year, programme_code, count_courses_needed from progress
),

counts as (
    select
        start_year as year,
        programme_code,
        count_courses_done as courses_done,
        count(*) as learners,
    from progress
    group by all
),

grid as (
    select
        cohorts.year,
        cohorts.programme_code,
        cohorts.count_courses_needed,
        steps.courses_done,
        coalesce(counts.learners, 0) as learners,
    from cohorts
    inner join steps
        on cohorts.programme_code = steps.programme_code and steps.courses_done <= cohorts.count_courses_needed
    left join counts
        on cohorts.year = counts.year
        and cohorts.programme_code = counts.programme_code
        and steps.courses_done = counts.courses_done
),

final as (
    select
        grid.year,
        grid.programme_code as group_key,
        coalesce(programmes.programme_title_en, grid.programme_code) as group_label,
        programmes.ptj_code,
        grid.count_courses_needed as courses_needed,
        grid.courses_done,
        grid.learners,
        sum(grid.learners) over (
            partition by grid.year, grid.programme_code order by grid.courses_done desc
        )::bigint as learners_at_least,
    from grid
    left join programmes on grid.programme_code = programmes.programme_code
)

select * from final
order by year, group_key, courses_done
