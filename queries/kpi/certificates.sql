-- id: certificates
-- title_en: Certificates issued or bought
-- title_ms: Sijil dikeluarkan atau dibeli
-- unit: count
-- grain: university, ptj, course, course_run
-- definition_en: Certificates in the year, counted by date of issue or purchase (not by run start, so not
--   comparable with completions of the runs starting in the year): those issued by the university by type
--   (Certificate of Completion, Certificate of Achievement, Malaysian Micro-credential Statement, digital badge;
--   each counted, so a learner who passed an MC has a COA and a badge), plus FutureLearn statements bought
--   (purchased_statement_at in the enrolments export). certificates_total = issued + bought.
-- definition_ms: Sijil pada tahun itu, dikira mengikut tarikh dikeluarkan atau dibeli (bukan mengikut tarikh
--   sesi bermula, jadi tidak boleh dibandingkan terus dengan penyempurnaan sesi yang bermula pada tahun itu):
--   yang dikeluarkan oleh universiti mengikut jenis (Sijil Penyempurnaan, Sijil Pencapaian, Penyata
--   Mikro-kredensial Malaysia, lencana digital; setiap satu dikira), serta penyata FutureLearn yang dibeli
--   (purchased_statement_at dalam eksport pendaftaran). certificates_total = dikeluarkan + dibeli.
-- filters: year, date_from, date_to, ptj_codes, course_codes, mqa_categories, modes, platforms, mc_types
-- sources: fct_certificate, fct_enrolment, dim_ptj, dim_course, dim_course_run
-- suppress: certificates_total, certificates, coc, coa, mms, badges, certificates_purchased
with

certificates as (
    select * from fct_certificate
    where ($year is null or issue_year = $year)
        and ($date_from is null or issued_on >= $date_from)
        and ($date_to is null or issued_on <= $date_to)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

purchases as (
    select *, year(purchased_statement_at)::integer as purchase_year from fct_enrolment
    where has_purchased_certificate
        and ($year is null or year(purchased_statement_at) = $year)
        and ($date_from is null or cast(purchased_statement_at as date) >= $date_from)
        and ($date_to is null or cast(purchased_statement_at as date) <= $date_to)
        and (len($ptj_codes) = 0 or list_contains($ptj_codes, ptj_code))
        and (len($course_codes) = 0 or list_contains($course_codes, course_code))
        and (len($mqa_categories) = 0 or list_contains($mqa_categories, mqa_category))
        and (len($modes) = 0 or list_contains($modes, delivery_mode))
        and (len($platforms) = 0 or list_contains($platforms, platform))
        and (len($mc_types) = 0 or list_contains($mc_types, mc_type))
        and ($allowed_ptj_codes is null or list_contains($allowed_ptj_codes, ptj_code))
),

labels as (
    select 'ptj' as by_kind, ptj_code as group_key, ptj_name_en as group_label from dim_ptj
    union all
    select 'course', course_code, course_title from dim_course
    union all
    select 'course_run', runs.run_id, courses.course_title || ' (' || strftime(runs.starts_on, '%Y-%m-%d') || ')'
    from dim_course_run as runs
    left join dim_course as courses on runs.course_code = courses.course_code
),

issued as (
    select
        issue_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code when 'course_run' then run_id
            else 'ALL' end as group_key,
        count(*) as certificates,
        count(*) filter (where certificate_type = 'COC') as coc,
        count(*) filter (where certificate_type = 'COA') as coa,
        count(*) filter (where certificate_type = 'MMS') as mms,
        count(*) filter (where certificate_type = 'badge') as badges,
    from certificates
    group by all
),

purchased as (
    select
        purchase_year as year,
        case $by when 'ptj' then ptj_code when 'course' then course_code when 'course_run' then run_id
            else 'ALL' end as group_key,
        count(*) as certificates_purchased,
    from purchases
    group by all
),

final as (
    select
        coalesce(issued.year, purchased.year) as year,
        coalesce(issued.group_key, purchased.group_key) as group_key,
        coalesce(
            labels.group_label,
            case when $by = 'university' then 'University' else coalesce(issued.group_key, purchased.group_key) end
        ) as group_label,
        coalesce(issued.certificates, 0) + coalesce(purchased.certificates_purchased, 0) as certificates_total,
        coalesce(issued.certificates, 0) as certificates,
        coalesce(issued.coc, 0) as coc,
        coalesce(issued.coa, 0) as coa,
        coalesce(issued.mms, 0) as mms,
        coalesce(issued.badges, 0) as badges,
        coalesce(purchased.certificates_purchased, 0) as certificates_purchased,
    from issued
    full outer join purchased on issued.year = purchased.year and issued.group_key = purchased.group_key
    left join labels
        on labels.by_kind = $by and labels.group_key = coalesce(issued.group_key, purchased.group_key)
)

select * from final
order by year, group_key
