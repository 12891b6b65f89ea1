"""Write transactions that serialize on SQLite the way row locks do on PostgreSQL."""

from sqlmodel import Session


def lock_for_write(session: Session) -> None:
    """On SQLite, take the database write lock now (BEGIN IMMEDIATE) so read-check-write is atomic.

    pysqlite runs SELECTs outside a transaction until the first INSERT/UPDATE/DELETE, so `SELECT ... FOR
    UPDATE` (ignored by SQLite) would protect nothing. If the session already wrote, it already holds the
    lock. PostgreSQL needs nothing here: the services lock the rows they change with FOR UPDATE.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    dbapi = connection.connection.dbapi_connection
    if dbapi is not None and not getattr(dbapi, "in_transaction", True):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
