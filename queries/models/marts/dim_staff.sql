-- One row per member of staff.
with

staff as (
    select * from stg_staff
),

final as (
    select
        staff_id,
        staff_name,
        ptj_code,
        grade,
        staff_status,
        left_on,
        has_left,
    from staff
)

select * from final
