-- One row per member of staff per course run per teaching role.
with

source as (
    select * from raw_teaching
),

renamed as (
    select
        cast(staff_id as varchar) as staff_id,
        cast(run_id as varchar) as run_id,
        cast(teaching_role as varchar) as teaching_role,
        cast(contact_hours as decimal(12, 2)) as contact_hours,
        cast(online_hours as decimal(12, 2)) as online_hours,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
