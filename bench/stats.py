"""Province dashboard at province scale (1,500,000 enrollments) on PostgreSQL vs DuckDB.

In its own database it generates, set-based in SQL, 3,000 institutions and projects across
the 16 cities and ten actions, 30,000 classes and 1,500,000 enrollments (≈ 85% completed,
≈ 90% of those eligible, completions spread over 2025-01 … 2026-11). It then:

1. builds the rollups from scratch (``rollup.rebuild``) and times an incremental refresh
   after 2,000 new completions;
2. times the province dashboard's queries (progress against every target, city ranking,
   monthly trend, action breakdown — what ``/stats/`` runs, after its ``refresh``);
3. exports the same enrollments joined to their projects (COPY … TO STDOUT) into DuckDB and
   times DuckDB computing the same aggregates by a full scan;
4. checks the figures are identical: rollup = PostgreSQL recount = DuckDB.

Goal (issue 19): the dashboard ≤ 0.25× DuckDB's full scan in the same run, figures identical
(the county and the city rollups both equal a recount). Then each widget of the full province
page is timed on its own (``JIXING_BENCH_STATS_PAGE=0`` skips it).
Scale with ``JIXING_BENCH_STATS_ENROLLMENTS`` (default 1500000).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import time

from bench._db import fresh_database, timed

N = int(os.environ.get("JIXING_BENCH_STATS_ENROLLMENTS", "1500000"))
TODAY = dt.date(2026, 11, 27)


def _generate() -> None:
    from django.db import connection

    from jixing.accounts.models import Role, User
    from jixing.plan.management.commands.load_reference import load_reference

    load_reference()
    user = User.objects.create_user(username="bench", password=None, role=Role.SYSTEM_ADMIN)
    orgs, classes = 3000, N // 50
    with connection.cursor() as c:
        c.execute("CREATE TEMP TABLE bench_county AS SELECT code, row_number() OVER (ORDER BY code) - 1 AS i FROM registry_region WHERE level='county' AND code LIKE '37%'")  # Shandong's 16 cities
        c.execute("SELECT count(*) FROM bench_county")
        n_counties = c.fetchone()[0]
        c.execute(f"""
            INSERT INTO registry_organisation (created_at, updated_at, archive_reason, uscc, name, kind, county_id, address,
              is_chain_leader, is_specialised, is_single_champion, enrolled_students, teacher_count, capacity, status, status_reason)
            SELECT now(), now(), '', 'B' || lpad(g::text, 17, '0'), '基准机构' || g,
                   CASE WHEN g % 10 = 0 THEN 'vocational_college' ELSE 'private_institution' END,
                   bc.code, '', false, false, false, CASE WHEN g % 10 = 0 THEN 3000 END, 20, 500, 'active', ''
            FROM generate_series(1, {orgs}) g JOIN bench_county bc ON bc.i = g % {n_counties}""")
        c.execute(f"""
            INSERT INTO training_trainingproject (created_at, updated_at, code, name, action_id, target_id, project_type,
              organiser_id, county_id, planned_person_times, hours, required_attendance_rate, fund_source_id, is_subsidised,
              requires_certificate, is_provincial_key, status, created_by_id, special_ability, description, quality_state)
            SELECT now(), now(), 'XM-B-' || o.id, '基准项目' || o.id,
                   (SELECT id FROM plan_action WHERE number = 1 + o.id % 10),
                   (SELECT t.id FROM plan_target t JOIN plan_action a ON a.id = t.action_id
                     WHERE a.number = 1 + o.id % 10 AND t.unit = 'person_times_per_year' ORDER BY t.id LIMIT 1),
                   'employment_skill', o.id, o.county_id, 500, 80, 0.8, (SELECT min(id) FROM plan_fundsource),
                   o.id % 25 <> 0, true, false, 'running', {user.pk}, '', '', 'normal'
            FROM registry_organisation o""")
        c.execute(f"""
            INSERT INTO training_trainingclass (created_at, updated_at, project_id, code, name, site_address, county_id,
              latitude, longitude, capacity, start_date, end_date, filing_status, roster_plan, filing_short_notice,
              filing_reason)
            SELECT now(), now(), p.id, 'BJ-B-' || g, '基准班' || g, '', p.county_id, 36.6, 117.0, 60,
                   DATE '2025-01-01' + (g % 690), DATE '2025-01-01' + (g % 690) + 20, 'accepted', '', false, ''
            FROM generate_series(1, {classes}) g
            JOIN training_trainingproject p ON p.id = (SELECT min(id) FROM training_trainingproject) + g % {orgs}""")
        c.execute(f"""
            INSERT INTO registry_person (created_at, updated_at, archive_reason, id_number, id_number_hash, name, birth_date,
              sex, phone, phone_hash, household_region_id, current_region_id, education, employment_status)
            SELECT now(), now(), '', 'bench', md5(g::text), '学员' || g, DATE '1980-01-01' + g % 9000, 'M', '', '',
                   bc.code, bc.code, '', 'unknown'
            FROM generate_series(1, {N // 3}) g JOIN bench_county bc ON bc.i = g % {n_counties}""")
        c.execute(f"""
            INSERT INTO training_enrollment (created_at, updated_at, person_id, training_class_id, status, subsidised,
              eligible, eligibility, attendance_rate, completed_on, override_reason)
            SELECT now() - interval '1 day', now() - interval '1 day',
                   (SELECT min(id) FROM registry_person) + g % {N // 3},
                   (SELECT min(id) FROM training_trainingclass) + g % {classes},
                   CASE WHEN g % 20 < 17 THEN 'completed' ELSE 'enrolled' END, g % 10 <> 0, g % 10 <> 0, '[]',
                   CASE WHEN g % 20 < 17 THEN 0.9 ELSE 0.3 END,
                   CASE WHEN g % 20 < 17 THEN DATE '2025-01-21' + ((g::bigint * 7919) % 675)::int END, ''
            FROM generate_series(1, {N}) g
            ON CONFLICT DO NOTHING""")
        c.execute("ANALYZE")


def _dashboard() -> tuple:
    from jixing.stats import queries

    scope = queries.StatsScope()
    rows = queries.progress_rows(scope, year=2026, today=TODAY)  # includes the live refresh
    ranking = queries.city_ranking(scope, year=2026, today=TODAY)
    trend = queries.monthly_trend(scope, year=2026)
    actions = queries.action_breakdown(scope, year=2026)
    return (
        {r.target.code: int(r.progress.actual) for r in rows if r.target.unit in ("person_times", "person_times_per_year")},
        {r["city"].code: int(r["progress"].actual) for r in ranking},
        trend,
        {a["action"].number: a["count"] for a in actions},
    )


def _page_widgets() -> list[tuple[str, float]]:
    """Every widget of the province page (``exports.dashboard_tables``), timed one by one: the
    bench's figure above covers the first four; the others read enrollments, not rollups."""
    from jixing.stats import intake_queries, queries

    scope = queries.StatsScope()
    widgets = {
        "progress (no refresh)": lambda: queries.progress_rows(scope, year=2026, today=TODAY, refresh=False),
        "city ranking": lambda: queries.city_ranking(scope, year=2026, today=TODAY),
        "monthly trend": lambda: queries.monthly_trend(scope, year=2026),
        "actions": lambda: queries.action_breakdown(scope, year=2026),
        "funnel": lambda: queries.funnel(scope, year=2026, today=TODAY),
        "colleges": lambda: queries.college_checks(scope, year=2026),
        "household origin": lambda: queries.origin_breakdown(scope, year=2026),
        "fund sources": lambda: intake_queries.fund_source_breakdown(scope, year=2026),
        "departments": lambda: intake_queries.department_breakdown(scope, year=2026),
    }
    return [(name, timed(fn, repeat=1)[0]) for name, fn in widgets.items()]


EXPORT = """
    COPY (SELECT e.status, e.subsidised, e.completed_on, p.is_subsidised, p.county_id, a.number AS action,
                 COALESCE(t.code, '') AS target
          FROM training_enrollment e JOIN training_trainingclass c ON c.id = e.training_class_id
          JOIN training_trainingproject p ON p.id = c.project_id JOIN plan_action a ON a.id = p.action_id
          LEFT JOIN plan_target t ON t.id = p.target_id) TO STDOUT WITH (FORMAT csv, HEADER)"""

DUCK_BASE = ("FROM e WHERE status = 'completed' AND subsidised AND is_subsidised AND completed_on IS NOT NULL")


def _duckdb(con) -> tuple:
    overall = con.execute(f"SELECT count(*) {DUCK_BASE} AND completed_on BETWEEN '2025-01-01' AND '2027-12-31'").fetchone()[0]
    by_target = dict(con.execute(f"SELECT target, count(*) {DUCK_BASE} AND year(completed_on) = 2026 AND target <> '' GROUP BY target").fetchall())
    by_city = dict(con.execute(f"SELECT substr(county_id, 1, 4) || '00', count(*) {DUCK_BASE} AND year(completed_on) = 2026 GROUP BY 1").fetchall())
    by_month = dict(con.execute(f"SELECT month(completed_on), count(*) {DUCK_BASE} AND year(completed_on) = 2026 GROUP BY 1").fetchall())
    by_action = dict(con.execute(f"SELECT action, count(*) {DUCK_BASE} AND year(completed_on) = 2026 GROUP BY 1").fetchall())
    return overall, by_target, by_city, [by_month.get(m, 0) for m in range(1, 13)], by_action


def main() -> None:
    import duckdb
    from django.db import connection

    from jixing.stats import rollup

    fresh_database("stats")
    started = time.perf_counter()
    _generate()
    print(f"generated {N:,} enrollments in {time.perf_counter() - started:.1f}s")

    started = time.perf_counter()
    rollup.rebuild()
    print(f"rollup rebuild (from scratch, set-based): {time.perf_counter() - started:.2f}s")
    with connection.cursor() as c:
        c.execute("""UPDATE training_enrollment SET status = 'completed', completed_on = DATE '2026-11-20', updated_at = now()
                     WHERE id IN (SELECT id FROM training_enrollment WHERE status = 'enrolled' ORDER BY id LIMIT 2000)""")
    started = time.perf_counter()
    changed = rollup.refresh()
    print(f"incremental refresh after {changed:,} new completions: {time.perf_counter() - started:.3f}s")

    pg_seconds, (targets, cities, trend, actions) = timed(_dashboard)
    noop_seconds, _ = timed(rollup.refresh)

    buffer = io.BytesIO()
    started = time.perf_counter()
    with connection.cursor() as c, c.connection.cursor().copy(EXPORT) as copy:
        for block in copy:
            buffer.write(block)
    export_seconds = time.perf_counter() - started
    with tempfile.NamedTemporaryFile("wb", suffix=".csv", delete=False) as f:
        f.write(buffer.getvalue())
        path = f.name
    con = duckdb.connect()
    con.execute(f"CREATE TABLE e AS SELECT * FROM read_csv('{path}', header=true, types={{'county_id': 'VARCHAR'}})")
    duck_seconds, (d_overall, d_targets, d_cities, d_trend, d_actions) = timed(lambda: _duckdb(con))
    os.unlink(path)

    recounted = rollup.recount()
    identical = (
        targets["overall_subsidized"] == d_overall
        and all(targets.get(k, 0) == v for k, v in d_targets.items())
        and {k: v for k, v in cities.items() if v} == d_cities
        and trend == d_trend and {k: v for k, v in actions.items() if v} == d_actions
        and rollup.current() == recounted
        and rollup.current_cities() == rollup.cities_of(recounted)
    )
    print(f"province dashboard queries (PostgreSQL rollups, incl. live refresh): {pg_seconds * 1000:.1f} ms (median of 5)")
    print(f"  of which the no-change live refresh: {noop_seconds * 1000:.1f} ms")
    print(f"DuckDB full scan of the same {N:,} enrollments, same aggregates: {duck_seconds * 1000:.1f} ms (median of 5)")
    print(f"ratio dashboard / DuckDB: {pg_seconds / duck_seconds:.2f}×  (goal ≤ 0.25)")
    print(f"(export of the joined enrollments for DuckDB took {export_seconds:.1f}s, not counted)")
    print(f"figures identical (county and city rollups = recount = DuckDB): {identical}")
    if not identical:
        raise SystemExit("bench stats: figures differ")
    if os.environ.get("JIXING_BENCH_STATS_PAGE", "1") != "0":
        print("the province page's other widgets, one by one (one run each; not in the figure above):")
        for name, seconds in _page_widgets():
            print(f"  {name}: {seconds * 1000:.1f} ms")
