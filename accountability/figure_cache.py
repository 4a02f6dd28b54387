"""Dashboard figures from a cache with exact invalidation.

Every write to a table the figures read (responsibilities, their updates, the
learning log, health checks, referrals and protocols, logic models and their
indicators, measurements and check-ins, and the partnership,
organisation, participation, membership and role rows the access policy reads)
gives the one `FiguresVersion` row a new random token, through database
triggers, so no write path can skip it (services, factories, `bulk_create`,
`update()`, raw SQL). A figure is cached under that token, with who asks and
the day, so a cached figure is always the one computed from scratch on the
data as it is now; a token is random, so one undone by a rollback never comes
back to name other data.

SQLite: row triggers change the token at once, inside the writing
transaction. PostgreSQL: deferred constraint triggers change it at commit
(the row is locked only while committing, so writers do not deadlock on it);
a transaction that has written anything reads the figures uncached, since
its token does not name its own changes yet. Triggers are (re)installed after
every `migrate`: SQLite drops a table's triggers when a migration rebuilds it.
"""

from __future__ import annotations

import hashlib
import pickle

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

TABLES = [
    "accountability_responsibility",
    "accountability_responsibilityupdate",
    "accountability_learningentry",
    "accountability_healthcheckround",
    "accountability_healthcheckresponse",
    "accountability_practicerating",
    "accountability_collaborationrating",
    "partnerships_partnership",
    "partnerships_organisation",
    "partnerships_participation",
    "partnerships_membership",
    "partnerships_partnershiprole",
    "referrals_referral",
    "referrals_referralprotocol",
    "logicmodels_logicmodel",
    "logicmodels_element",
    "logicmodels_indicator",
    "logicmodels_measurement",
    "logicmodels_checkin",
]
VERSION_TABLE = "accountability_figuresversion"
TIMEOUT = 6 * 3600  # entries under a replaced token are never read again


def _sqlite_statements(table: str) -> list[str]:
    # Table names are this module's constants, never input.
    return [
        f"CREATE TRIGGER IF NOT EXISTS figures_{table}_{event.lower()} "  # noqa: S608
        f"AFTER {event} ON {table} BEGIN "
        "INSERT OR REPLACE INTO accountability_figuresversion (id, token) "
        "VALUES (1, lower(hex(randomblob(16)))); END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION figures_new_token() RETURNS trigger AS $$
BEGIN
    INSERT INTO accountability_figuresversion (id, token, txid)
    VALUES (1, md5(random()::text || clock_timestamp()::text), txid_current())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, txid = EXCLUDED.txid
    WHERE accountability_figuresversion.txid IS DISTINCT FROM EXCLUDED.txid;
    RETURN NULL;
END $$ LANGUAGE plpgsql
"""


def _postgres_statements(table: str) -> list[str]:
    name = f"figures_{table}"
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE "
        f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION figures_new_token()",
    ]


def _drop_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS figures_{table} ON {table}"]
    return [
        f"DROP TRIGGER IF EXISTS figures_{table}_{event}"
        for event in ("insert", "update", "delete")
    ]


def remove_triggers(using=None) -> None:
    """Drop the triggers from every table that exists (idempotent): the way
    back before the version table, which every trigger writes to."""
    from django.db import connections

    db = connections[using] if using else connection
    if db.vendor not in ("sqlite", "postgresql"):
        return
    existing = set(db.introspection.table_names())
    with db.cursor() as cursor:
        for table in TABLES:
            if table in existing:
                for statement in _drop_statements(db.vendor, table):
                    cursor.execute(statement)


def install_triggers(using=None) -> None:
    """Create the triggers on every table that exists (idempotent). Without the
    version table (migrated back before it), remove them instead: a trigger
    naming a missing table would refuse every write to the table it is on."""
    from django.db import connections

    db = connections[using] if using else connection
    existing = set(db.introspection.table_names())
    if VERSION_TABLE not in existing:
        remove_triggers(using)
        return
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
        for table in TABLES:
            if table not in existing:
                continue
            if db.vendor == "sqlite":
                statements = _sqlite_statements(table)
            elif db.vendor == "postgresql":
                statements = _postgres_statements(table)
            else:
                return
            for statement in statements:
                cursor.execute(statement)


def token() -> str | None:
    """The token naming the figures' data as this connection sees it, or None
    when it cannot name it (no row yet; PostgreSQL: this transaction wrote)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT token, txid_current_if_assigned() "
                "FROM accountability_figuresversion WHERE id = 1"
            )
            row = cursor.fetchone()
            return row[0] if row and row[1] is None else None
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT token FROM accountability_figuresversion WHERE id = 1"
            )
            row = cursor.fetchone()
            return row[0] if row else None
    return None


def _who(user) -> tuple:
    # What the access policy reads from the user row itself; the rest of what
    # it reads (memberships, participations, roles) is in the token.
    if user is None:  # the key (a queryset's SQL) says whose figures they are
        return ()
    return (user.pk, user.is_authenticated, user.is_active, user.is_staff)


def cached(name: str, user, compute, *key, valid_until=None):
    """`compute()`, or its value cached for this user, day and token. With
    `valid_until(value)` a value is also recomputed from the moment it says
    (figures that change with the clock, not only with the data)."""
    current = token()
    if current is None:
        return compute()
    raw = pickle.dumps(
        (name, current, _who(user), timezone.localdate(), key), protocol=4
    )
    cache_key = "figures:" + hashlib.sha256(raw).hexdigest()
    entry = cache.get(cache_key)
    now = timezone.now()
    if entry is not None and (entry[1] is None or now < entry[1]):
        return entry[0]
    value = compute()
    until = valid_until(value) if valid_until else None
    cache.set(cache_key, (value, until), TIMEOUT)
    return value


def queryset_key(queryset) -> str:
    """The SQL (and parameters) that decide which rows a queryset reads."""
    sql, params = queryset.query.sql_with_params()
    return sql + repr(params)
