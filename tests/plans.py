"""PostgreSQL query plans for tests that show a query can use an index."""

from django.db import connection


def plan_without_reading_whole_tables(queryset):
    """Return PostgreSQL's plan for ``queryset`` when only an index's own condition may find rows.

    The test tables are tiny, so the planner would rather read them whole; with sequential and
    plain index scans switched off, only a bitmap scan of an index that matches the condition is left.
    """
    switches = ["enable_seqscan", "enable_indexscan", "enable_indexonlyscan"]
    with connection.cursor() as cursor:
        for switch in switches:
            cursor.execute(f"SET LOCAL {switch} = off")
    try:
        return queryset.explain()
    finally:
        with connection.cursor() as cursor:
            for switch in switches:
                cursor.execute(f"SET LOCAL {switch} = on")
