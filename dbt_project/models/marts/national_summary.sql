-- metrics.md "National summary": one row per reporting year, the national aggregate of the locality
-- marts: counts are sums over the 37 localities (localities_* count the TRUE flags), ratios are
-- recomputed from the sums. cumulative_coverage, filing_rate, mean_score_delta and share_improved
-- are the national row of regional_effectiveness, which computes them that way for its index; the
-- other funnel rates (added columns) are computed here from the summed participation counts.
-- localities_on_track, localities_behind_schedule and localities_without_eligible split the
-- localities of a year three ways (the coverage chart's legend reads them).
{%- set bigint = dbt.type_bigint() %}
with coverage_sums as (
    select
        year,
        cast(sum(case when has_list then 1 else 0 end) as {{ bigint }})             as localities_with_lists,
        cast(sum(eligible_base) as {{ bigint }})                                    as eligible_base,
        cast(sum(batch_pilots) as {{ bigint }})                                     as batch_pilots,
        cast(sum(batch_eligible_pilots) as {{ bigint }})                            as batch_eligible_pilots,
        cast(sum(cumulative_eligible_pilots) as {{ bigint }})                       as cumulative_eligible_pilots,
        cast(sum(case when on_track then 1 else 0 end) as {{ bigint }})             as localities_on_track,
        cast(sum(case when behind_schedule then 1 else 0 end) as {{ bigint }})      as localities_behind_schedule,
        cast(sum(case when on_track is null then 1 else 0 end) as {{ bigint }})     as localities_without_eligible,
        cast(sum(case when meets_batch_target then 1 else 0 end) as {{ bigint }})   as localities_meeting_batch_target,
        cast(sum(unmatched_pilots) as {{ bigint }})                                 as unmatched_pilots,
        cast(sum(repeat_pilots) as {{ bigint }})                                    as repeat_pilots
    from {{ ref('coverage_by_locality_year') }}
    group by year
),

participation_sums as (
    select
        year,
        cast(sum(cumulative_pilots) as {{ bigint }})   as cumulative_pilots,
        cast(sum(assessed_initial) as {{ bigint }})    as assessed_initial,
        cast(sum(filed) as {{ bigint }})               as filed,
        cast(sum(graded) as {{ bigint }})              as graded
    from {{ ref('participation_by_locality_year') }}
    group by year
),

national as (
    select * from {{ ref('regional_effectiveness') }}
    where locality_code = {{ national_locality_code() }}
)

select
    coverage_sums.year,
    coverage_sums.localities_with_lists,
    coverage_sums.eligible_base,
    coverage_sums.batch_pilots,
    coverage_sums.cumulative_eligible_pilots,
    national.cumulative_coverage,
    coverage_sums.localities_on_track,
    coverage_sums.localities_meeting_batch_target,
    national.filing_rate,
    national.mean_score_delta,
    national.share_improved,
    coverage_sums.batch_eligible_pilots,
    coverage_sums.unmatched_pilots,
    coverage_sums.repeat_pilots,
    participation_sums.cumulative_pilots,
    participation_sums.assessed_initial,
    participation_sums.filed,
    participation_sums.graded,
    {{ safe_ratio('participation_sums.assessed_initial', 'participation_sums.cumulative_pilots') }} as initial_assessment_rate,
    {{ safe_ratio('participation_sums.graded', 'participation_sums.cumulative_pilots') }}           as graded_rate,
    national.pilots_with_delta,
    national.effectiveness_index,
    coverage_sums.localities_behind_schedule,
    coverage_sums.localities_without_eligible
from coverage_sums
inner join participation_sums
    on participation_sums.year = coverage_sums.year
inner join national
    on national.year = coverage_sums.year
order by coverage_sums.year
