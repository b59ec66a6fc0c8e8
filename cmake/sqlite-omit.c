/* Linked into the static release only (CMakeLists.txt, STATIC_RELEASE).
 *
 * Debian's libsqlite3.a is built from SQLite's split sources, one object per
 * feature, and sqlite3_open registers every built-in extension through these
 * four entry points. The store never uses full-text search, R*Tree or the
 * dbstat table, so defining the entry points here keeps the linker from
 * pulling fts3*.o, fts5.o, rtree.o and dbstat.o out of the archive: 323 KB of
 * the 5 MB binary budget (issue 7). Opening a database then simply has no
 * fts3/fts4/fts5/rtree/dbstat modules, as with SQLITE_OMIT_* builds.
 * Development builds link the shared library and keep them all. */
typedef struct sqlite3 sqlite3;

int sqlite3Fts3Init(sqlite3 *db);
int sqlite3Fts5Init(sqlite3 *db);
int sqlite3RtreeInit(sqlite3 *db);
int sqlite3DbstatRegister(sqlite3 *db);

int sqlite3Fts3Init(sqlite3 *db)
{
	return 0; /* SQLITE_OK */
}

int sqlite3Fts5Init(sqlite3 *db)
{
	return 0;
}

int sqlite3RtreeInit(sqlite3 *db)
{
	return 0;
}

int sqlite3DbstatRegister(sqlite3 *db)
{
	return 0;
}
