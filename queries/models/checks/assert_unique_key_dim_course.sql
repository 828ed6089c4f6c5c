-- course_code is never null and unique in dim_course.
select
    course_code,
    count(*) as count_rows,
from dim_course
group by all
having course_code is null or count(*) > 1
