-- One row per learner-role enrolment (all sources), with everything the output files derive from it.
-- Times are seconds in naive Malaysia time; `getvariable('cutoff')` is the export moment (today 00:00), nothing
-- may happen at or after it. FutureLearn runs: k_eff steps visited (a prefix of the course's steps), c of them
-- completed; the completed ones are positions i with (i * m + offc) % k_eff < c (m coprime with k_eff).
create table enrol as
with b as (
    select b.e, b.j, r.*
    from base as b
    join runs as r using (run_idx)
),

who as (
    select
        *,
        case when np > 0 then floor(u(e, 1) * np)::int + 1 else 1 end as pk,
    from b
),

who2 as (  -- lb: the row whose learner this is (this row, or a fresh learner of a partner run)
    select
        *,
        np > 0 and j >= n_fresh and (j - n_fresh) < p_fresh[pk] as is_repeat,
    from who
),

who3 as (
    select
        *,
        case when is_repeat then p_off[pk] + (j - n_fresh) else e end as lb,
        case when is_repeat then p_year[pk] else start_year end as lb_year,
    from who2
),

learner as (
    select
        *,
        (not is_fl) and u(lb, 2) < 0.30 as is_internal,
        u(lb, 4) < 0.10 as has_profile,
        u(e, 5) as u_enrol,
        u(e, 6) < unenrol_p as is_unenrolled,
        is_fl and u(e, 7) < visit_p as has_visited,
        u(e, 8) < finish_p as is_finisher,
        u(e, 9) as u_depth,
        u(e, 10) as u_depth_unenrolled,
        u(e, 13) as u_rate,
        u(e, 14) < 0.35 as completes_none,
        u(e, 18) as z,
        case when is_fl then md5(getvariable('seed')::varchar || '-' || lb::varchar) end as uuid_hex,
    from who3
),

times as (
    select
        *,
        case
            when is_fl then  -- a version 4 UUID, as FutureLearn's
                substr(uuid_hex, 1, 8) || '-' || substr(uuid_hex, 9, 4) || '-4' || substr(uuid_hex, 14, 3) || '-'
                || substr('89ab', (hash(lb, getvariable('seed')) % 4)::int + 1, 1)
                || substr(uuid_hex, 18, 3) || '-' || substr(uuid_hex, 21, 12)
            when is_internal then  -- matric number: S, intake year (up to 3 years before), 5 digits
                printf('S%02d%05d', lb_year - 2000 - floor(u(lb, 3) * 4)::int,
                    (lb * 7919 + 1234) % getvariable('matric_mod'))
            else printf('ext-%06d', (lb * 104729 + 4242) % getvariable('id_mod'))
        end as learner_id,
        open_s + floor((close_s - open_s) * pow(u_enrol, 1.4))::bigint as enrolled_s,
        case
            when not has_visited then 0
            when is_unenrolled then least(steps, floor(u_depth_unenrolled * 4)::int)
            when is_finisher then steps - floor(u_depth * 0.1 * steps)::int
            else greatest(1, ceil(steps * pow(u_depth, 5))::int)
        end as k_raw,
        greatest(60, floor(weeks * 604800 * (0.3 + 1.2 * u(e, 11)) / greatest(steps, 1))::bigint) as pace,
    from learner
),

first_visits as (
    select
        *,
        greatest(enrolled_s, starts_s) + floor(u(e, 12) * u(e, 12) * 172800)::bigint as t0,
    from times
),

visits as (
    select
        *,
        least(
            k_raw,
            greatest(0, floor((getvariable('cutoff') - 86400 - t0 - pace // 2 - 20005) / pace)::bigint + 1)
        )::int as k_eff,
    from first_visits
),

done as (
    select
        *,
        case
            when k_eff = 0 or (completes_none and not is_finisher) then 0
            when is_finisher then least(k_eff, round(k_eff * (0.97 + 0.03 * u_rate))::int)
            else least(k_eff, greatest(1, round(k_eff * (0.55 + 0.45 * u_rate))::int))
        end as c,
        case when gcd(k_eff, 7) = 1 then 7 when gcd(k_eff, 11) = 1 then 11 else 13 end as m,
        floor(u(e, 15) * k_eff)::int as offc,
    from visits
),

flags as (
    select
        *,
        steps > 0 and c * 2 > steps as is_fully_participated,
        steps > 0 and c * 10 >= steps * 9 as has_completed_90pct,
        case when k_eff > 0 then t0 + (k_eff - 1) * pace + pace // 2 + 20005 else enrolled_s end as last_active_s,
        case
            when not is_mooc then false
            when is_fl then u(e, 17) < case when is_finisher and has_visited then 0.15 else 0.012 end
            else u(e, 17) < case when z < 0.15 then 0.30 else 0.01 end
        end as has_purchased,
    from done
),

outcomes as (
    select
        *,
        case
            when is_fully_participated
                then t0 + least(k_eff - 1, ceil((steps // 2 + 1) * k_eff / c)::int - 1) * pace + pace // 2 + 600
        end as fp_s,
        case
            when is_unenrolled then between_s(
                greatest(enrolled_s, last_active_s),
                least(greatest(enrolled_s, last_active_s) + 60 * 86400, getvariable('cutoff') - 1),
                u(e, 16))
        end as unenrolled_s,
        case
            when has_purchased then between_s(
                enrolled_s, least(greatest(ends_s + 30 * 86400, enrolled_s + 86400), getvariable('cutoff') - 1),
                u(e, 19))
        end as purchase_s,
        case
            -- MCs: every learner gets an outcome
            when not is_mooc and is_unenrolled then 'withdrawn'
            when not is_mooc and is_fl then case
                when has_completed_90pct then case when u(e, 20) < 0.9 then 'passed' else 'completed' end
                when k_eff > 0 then 'failed'
                else 'withdrawn'
            end
            when not is_mooc then case
                when z < 0.70 then 'passed' when z < 0.80 then 'completed' when z < 0.94 then 'failed'
                else 'withdrawn'
            end
            -- MOOCs: only learners who got to the end
            when is_unenrolled then null
            when is_fl and has_completed_90pct then
                case when has_purchased and u(e, 20) < 0.85 then 'passed' else 'completed' end
            when not is_fl and z < 0.12 then case when has_purchased and z < 0.09 then 'passed' else 'completed' end
        end as outcome,
        ends_s + 3 * 86400 + floor(u(e, 21) * 18 * 86400)::bigint as result_s,
        case when not is_mooc then between_s(enrolled_s, least(enrolled_s + 3 * 86400, getvariable('cutoff') - 1),
            u(e, 22)) end as fee_paid_s,
    from flags
)

select
    run_idx, e, j, course_idx, programme_id, is_fl, is_mooc, start_year,
    learner_id, enrolled_s, unenrolled_s,
    case when is_internal then 'internal' else 'external' end as learner_type,
    case
        when is_fl then case when has_profile then fl_gender(u(lb, 5)) else 'Unknown' end
        else gender_any(u(lb, 5))
    end as gender,
    case
        when is_fl then case
            when not has_profile then 'Unknown'
            when u(lb, 11) < 0.9 then
                case when is_mooc then fl_country_mooc(u(lb, 6)) else fl_country_mc(u(lb, 6)) end
            else fl_country_mooc(u(lb, 10))
        end
        when is_internal then country_internal(u(lb, 6))
        else country_external(u(lb, 6))
    end as country,
    case
        when is_fl then case when is_mooc then fl_country_mooc(u(lb, 6)) else fl_country_mc(u(lb, 6)) end
    end as detected_country,
    case
        when is_fl then case when has_profile then fl_age(u(lb, 7)) else 'Unknown' end
        when is_internal then age_internal(u(lb, 7))
        else age_external(u(lb, 7))
    end as age,
    case when is_fl then case when has_profile then fl_edu(u(lb, 8)) else 'Unknown' end end as education,
    case
        when is_fl then case when has_profile then fl_emp(u(lb, 9)) else 'Unknown' end
        when is_internal then 'full_time_student'
        else emp_external(u(lb, 9))
    end as employment_status,
    case when is_fl then case when has_profile then fl_area(u(lb, 12)) else 'Unknown' end end as employment_area,
    steps, k_eff, c, m, offc, t0, pace, fp_s, purchase_s,
    outcome,
    case when outcome is not null and result_s < getvariable('cutoff') then result_s end as result_s,
    fee_paid_s,
    case when not is_mooc and is_unenrolled and u(e, 23) < 0.55 then between_s(
        unenrolled_s, least(unenrolled_s + 14 * 86400, getvariable('cutoff') - 1), u(e, 24)) end as refund_s,
    case when u(e, 25) < 0.7 then fee else round(fee / 2, 2)::decimal(12, 2) end as refund_rm,
    fee, cert_price,
from outcomes
