-- (badge_source, badge_id) is never null and unique in fct_badge.
select
    badge_source,
    badge_id,
    count(*) as count_rows,
from fct_badge
group by all
having badge_source is null or badge_id is null or count(*) > 1
