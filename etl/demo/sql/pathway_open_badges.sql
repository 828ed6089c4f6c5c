copy (
select
    'https://w3id.org/openbadges/v2' as "@context",
    'Assertion' as "type",
    'https://badges.um.edu.my/assertions/' || run_idx || '-' || e as id,
    struct_pack("type" := 'id', hashed := false, identity := learner_id) as recipient,
    struct_pack(
        "type" := 'BadgeClass', id := 'https://badges.um.edu.my/badges/' || course_code, "name" := course_title,
        alignment := list_value(struct_pack("targetName" := course_title, "targetCode" := course_code))
    ) as badge,
    strftime(ts(issued_s), '%Y-%m-%dT%H:%M:%S') || '+08:00' as "issuedOn",
    struct_pack("type" := 'hosted') as verification,
    state = 'revoked' as revoked,
from pathway_badges
where is_open_badges and year(ts(issued_s)) = $year
order by issued_s, run_idx, e
) to $path (format json)
