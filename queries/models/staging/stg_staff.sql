-- One row per member of staff, as delivered by HR.
with

source as (
    select * from raw_staff
),

renamed as (
    select
        cast(staff_id as varchar) as staff_id,
        cast(staff_name as varchar) as staff_name,
        cast(ptj_code as varchar) as ptj_code,
        cast(grade as varchar) as grade,
        cast(status as varchar) as staff_status,
        cast(left_on as date) as left_on,
        status = 'left' as has_left,
        _file_id,
        _line,
    from source
),

final as (
    select * from renamed
)

select * from final
