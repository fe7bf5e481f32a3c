"""The SQLite store: schema migrations, refusal of newer stores, WAL, integrity, versions, retention, forgetting."""
from __future__ import annotations

import json
import sqlite3
import zlib

import pytest

from smallprint import analyze
from smallprint.history.diff import diff_analyses, diff_view
from smallprint.history.store import (SCHEMA_VERSION, HistoryUnavailable, Store, StoreNeedsUpgrade, StoreTooNew,
                                     _pack)
from tests.history.conftest import store_at_schema

URL = "https://www.example.co.uk/legal/privacy?ref=footer"
V1 = "We collect your email address.\n\nWe do not sell your personal data."
V1_RESTYLED = "We **collect** your email\naddress.\n\n1. We do not sell your personal data."
V2 = V1 + "\n\nWe may use your content to train our artificial intelligence models."


def analysis(text: str, url: str = URL) -> dict:
    return analyze(text=text, url=url).to_dict()


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "data" / "smallprint.sqlite3"


@pytest.fixture
def store(store_path):
    with Store(store_path) as s:
        yield s


def test_a_new_store_is_wal_with_foreign_keys_and_the_current_schema(store):
    settings = store.settings()
    assert settings["user_version"] == SCHEMA_VERSION
    assert settings["journal_mode"] == "wal"
    assert settings["foreign_keys"] == 1
    assert settings["synchronous"] == 2  # FULL
    assert settings["secure_delete"] == 1
    assert store.integrity() == "ok"


def test_only_the_user_can_read_the_store(store, store_path):
    store.record(URL, analysis(V1))
    for file in store_path.parent.glob(store_path.name + "*"):
        assert file.stat().st_mode & 0o077 == 0, file.name
    assert store_path.parent.stat().st_mode & 0o077 == 0


def test_a_store_restored_readable_by_others_is_made_the_users_alone_again(store_path):
    """A store copied or restored from a backup comes 0644 (and its folder 0755 if made by hand): every local user
    could read which policies the reader visited. Opening it makes it, and what SQLite left beside it, 0600."""
    with Store(store_path) as first:
        first.record(URL, analysis(V1))
    store_path.chmod(0o644)
    wal = store_path.with_name(store_path.name + "-wal")
    wal.write_bytes(b"")  # an empty log, as a copy taken while the daemon ran may bring
    wal.chmod(0o644)
    with Store(store_path) as again:
        assert len(again.sites()) == 1  # the same memory, only private again
        for file in store_path.parent.glob(store_path.name + "*"):
            assert file.stat().st_mode & 0o077 == 0, file.name


def test_versions_are_distinct_texts_and_formatting_is_the_same_version(store):
    first = store.record(URL, analysis(V1), now="2023-05-18T10:00:00Z")
    assert first.is_new_text and first.previous is None
    assert (first.version.site, first.version.path) == ("example.co.uk", "/legal/privacy")

    again = store.record(URL, analysis(V1_RESTYLED), now="2023-06-01T10:00:00Z")
    assert not again.is_new_text and again.version.id == first.version.id
    assert again.version.last_seen == "2023-06-01T10:00:00Z"

    changed = store.record("https://example.co.uk/legal/privacy/", analysis(V2), now="2023-09-01T10:00:00Z")
    assert changed.is_new_text
    assert changed.previous.id == first.version.id and changed.previous.last_seen == "2023-06-01T10:00:00Z"
    assert changed.previous_analysis["blocks"][0]["text"] == "We collect your email address."

    versions = store.versions("example.co.uk")
    assert [v.id for v in versions] == [first.version.id, changed.version.id]
    assert store.text(first.version.id) == "We collect your email address.\n\nWe do not sell your personal data."
    assert store.analysis(changed.version.id)["url"] == URL.split("?")[0]  # no query string is stored
    assert [(s.site, s.documents, s.versions) for s in store.sites()] == [("example.co.uk", 1, 2)]


def test_going_back_to_an_earlier_text_reuses_its_version(store):
    a = store.record(URL, analysis(V1), now="2023-01-01T00:00:00Z").version
    b = store.record(URL, analysis(V2), now="2023-02-01T00:00:00Z").version
    back = store.record(URL, analysis(V1), now="2023-03-01T00:00:00Z")
    assert back.is_new_text and back.version.id == a.id and back.previous.id == b.id
    assert back.version.first_seen == "2023-01-01T00:00:00Z"


def test_retention_keeps_the_newest_versions(store_path):
    with Store(store_path, retention_versions=2) as store:
        ids = [store.record(URL, analysis(f"{V1}\n\nRevision number {n} of this policy."),
                            now=f"2023-0{n}-01T00:00:00Z").version.id for n in range(1, 6)]
        assert [v.id for v in store.versions("example.co.uk")] == ids[-2:]


def test_documents_of_one_site_are_kept_apart(store):
    store.record("https://www.example.com/privacy", analysis(V1))
    store.record("https://help.example.com/cookies", analysis(V2))
    assert sorted(v.path for v in store.versions("example.com")) == ["/cookies", "/privacy"]
    assert store.sites()[0].documents == 2


def test_forget_site_deletes_it_and_leaves_no_copy_in_the_file(store, store_path):
    secret = "Zyxwvut rare phrase that only this policy contains."
    store.record("https://www.secret.example/privacy", analysis(f"{V1}\n\n{secret}"))
    store.record("https://other.example/privacy", analysis(V1))
    assert store.forget("www.secret.example") == 1
    assert store.versions("secret.example") == []
    assert [s.site for s in store.sites()] == ["other.example"]
    for file in store_path.parent.glob(store_path.name + "*"):  # the database, its WAL and shared memory
        assert b"Zyxwvut" not in file.read_bytes(), file.name
    assert store.integrity() == "ok"


def test_the_analysis_as_already_encoded_is_stored_without_encoding_it_again(store):
    plain = "https://www.example.com/privacy"
    given = analysis(V1, url=plain)
    encoded = json.dumps({**given, "worker_marker": 1}).encode("ascii")  # shows which of the two was stored
    recorded = store.record(plain, given, encoded=encoded)
    assert store.analysis(recorded.version.id) == {**given, "worker_marker": 1}


@pytest.mark.parametrize("encoded", [False, True])
def test_the_query_string_of_a_policy_url_is_not_stored(store, store_path, encoded):
    url = "https://www.example.com/privacy?email=qwxz%40example.org&session=Sess1onTok3n#section-2"
    given = analysis(V1, url=url)
    # The worker's JSON carries the query string: it must be encoded again without it, not stored as it is.
    recorded = store.record(url, given, encoded=json.dumps(given).encode("ascii") if encoded else None)
    assert recorded.version.url == "https://www.example.com/privacy"
    assert store.analysis(recorded.version.id)["url"] == "https://www.example.com/privacy"
    store.close()
    for file in store_path.parent.glob(store_path.name + "*"):
        assert b"Sess1onTok3n" not in file.read_bytes() and b"qwxz" not in file.read_bytes(), file.name


def test_forget_all(store):
    store.record("https://a.example/privacy", analysis(V1))
    store.record("https://b.example/privacy", analysis(V2))
    assert store.forget_all() == 2
    assert store.sites() == []


def test_two_connections_share_the_store(store_path):
    with Store(store_path) as daemon_side, Store(store_path) as cli_side:
        daemon_side.record(URL, analysis(V1))
        assert [s.site for s in cli_side.sites()] == ["example.co.uk"]
        assert cli_side.forget("example.co.uk") == 1
        assert daemon_side.sites() == []


def _make_schema_1_store(path, text: str) -> None:
    """A store exactly as schema 1 laid it out (before url/title/kind and the index), with one version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript("""
        PRAGMA journal_mode = WAL;
        CREATE TABLE documents (id INTEGER PRIMARY KEY, site TEXT NOT NULL, path TEXT NOT NULL, UNIQUE (site, path));
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            hash TEXT NOT NULL, text TEXT NOT NULL, analysis TEXT NOT NULL,
            first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, UNIQUE (document_id, hash));
        PRAGMA user_version = 1;
    """)
    from smallprint.history.normalise import content_hash, normalise
    old = analysis(text)
    db.execute("INSERT INTO documents (id, site, path) VALUES (1, 'example.co.uk', '/legal/privacy')")
    db.execute("INSERT INTO versions VALUES (1, 1, ?, ?, ?, '2022-01-01T00:00:00Z', '2022-01-01T00:00:00Z')",
               (content_hash(normalise(text)), normalise(text), json.dumps(old)))
    db.commit()
    db.close()


def test_a_schema_1_store_is_migrated_and_keeps_its_versions(store_path):
    _make_schema_1_store(store_path, V1)
    with Store(store_path) as store:
        assert store.settings()["user_version"] == SCHEMA_VERSION
        (old,) = store.versions("example.co.uk")
        assert (old.id, old.first_seen, old.url, old.kind) == (1, "2022-01-01T00:00:00Z", None, None)
        recorded = store.record(URL, analysis(V2))
        assert recorded.previous.id == 1 and recorded.previous_analysis["blocks"]
        # The old version has no diff view (schema 5): it is diffed from its whole analysis.
        assert recorded.previous_analysis == analysis(V1)
        assert store.integrity() == "ok"
    db = sqlite3.connect(store_path)
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "versions_by_document_seen" in indexes
    assert {row[0] for row in db.execute("SELECT typeof(analysis) FROM versions")} == {"blob"}  # schema 4
    assert db.execute("SELECT id, typeof(diff_view) FROM versions ORDER BY id").fetchall() == [
        (1, "null"), (2, "blob")]  # schema 5


def test_a_schema_4_store_is_migrated_and_its_versions_diff_as_before(store_path):
    """A store written by the previous release: compressed analyses, no diff views."""
    db = store_at_schema(store_path, 4)
    old = analysis(V1)
    db.execute("INSERT INTO documents (id, site, path) VALUES (1, 'example.co.uk', '/legal/privacy')")
    db.execute("INSERT INTO versions (id, document_id, hash, text, analysis, first_seen, last_seen) "
               "VALUES (1, 1, 'h1', 'text', ?, '2022-01-01T00:00:00Z', '2022-01-01T00:00:00Z')",
               (_pack(json.dumps(old)),))
    db.close()
    new = analysis(V2)
    with Store(store_path) as store:
        assert store.settings()["user_version"] == SCHEMA_VERSION
        assert store.diff_view(1) == old and store.analysis(1) == old
        recorded = store.record(URL, new, now="2023-01-01T00:00:00Z")
        assert recorded.previous.id == 1 and recorded.previous_analysis == old
        assert store.diff_view(recorded.version.id) == diff_view(new)
        assert store.integrity() == "ok"


def test_diffing_stored_views_gives_the_diff_of_the_analyses(store, shared_data):
    """The view kept next to each analysis holds all that a diff reads: same added/removed/changed, summary."""
    folder = shared_data / "policies" / "facebook"
    url = "https://www.facebook.com/privacy/policy/"
    old, new = (analyze(text=(folder / name).read_text(encoding="utf-8"), url=url).to_dict()
                for name in ("2024-08-09_pga2_49a826a.md", "2025-12-17_pga2_df69a0e.md"))
    store.record(url, old, now="2024-08-09T00:00:00Z")
    recorded = store.record(url, new, now="2025-12-17T00:00:00Z", encoded=json.dumps(new).encode("ascii"))
    assert recorded.previous_analysis == diff_view(old) == store.diff_view(recorded.previous.id)
    assert store.analysis(recorded.version.id) == new  # the whole analysis is still kept
    expected = diff_analyses(old, new, since="2024-08-09").to_dict()
    assert expected["counts"]["data_use"]["added"] > 0
    assert diff_analyses(recorded.previous_analysis, new, since="2024-08-09").to_dict() == expected
    assert diff_analyses(store.diff_view(recorded.previous.id), store.diff_view(recorded.version.id),
                         since="2024-08-09").to_dict() == expected


@pytest.mark.parametrize("read_only", [False, True])
def test_a_store_from_a_newer_smallprint_is_refused_and_left_alone(store_path, read_only):
    with Store(store_path) as store:
        store.record(URL, analysis(V1))
    db = sqlite3.connect(store_path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = store_path.read_bytes()
    with pytest.raises(StoreTooNew) as refused:
        Store(store_path, read_only=read_only)
    message = str(refused.value)
    assert "newer smallprint" in message and str(store_path) in message and f"schema {SCHEMA_VERSION + 1}" in message
    assert isinstance(refused.value, HistoryUnavailable)
    assert store_path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_history_unavailable(store_path):
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(HistoryUnavailable, match="history store"):
        Store(store_path)


def test_a_url_without_a_host_is_not_recorded(store):
    with pytest.raises(ValueError):
        store.record("about:blank", analysis(V1))
    assert store.sites() == []


def test_a_schema_9_store_drops_pages_filed_under_a_site_no_route_can_name(store_path):
    """Before schema 10 a `url` such as "not a url" filed its page under that text as its site: listed, but no route or
    CLI command could read or forget it. Those go on upgrade, with their visits; every other site stays as it was."""
    db = store_at_schema(store_path, 9)
    sites = ["not a url", "a b.example", "example.co.uk", "privacy", "::1"]
    for n, site in enumerate(sites, start=1):
        db.execute("INSERT INTO documents (id, site, path) VALUES (?, ?, '/')", (n, site))
        db.execute("INSERT INTO versions (id, document_id, hash, text, analysis, first_seen, last_seen) "
                   "VALUES (?, ?, 'h', 't', ?, '2022-01-01T00:00:00Z', '2022-01-01T00:00:00Z')",
                   (n, n, _pack(json.dumps(analysis(V1)))))
        db.execute("INSERT INTO visits (visit, document_id, version_id, created, seen, baseline_id) "
                   "VALUES (?, ?, ?, 1, '2022-01-01T00:00:00Z', ?)", (f"v{n}", n, n, n))
    db.close()
    with Store(store_path) as store:
        assert store.settings()["user_version"] == SCHEMA_VERSION
        assert sorted(s.site for s in store.sites()) == ["::1", "example.co.uk", "privacy"]
        assert store.integrity() == "ok"
    db = sqlite3.connect(store_path)
    assert db.execute("SELECT visit FROM visits ORDER BY visit").fetchall() == [("v3",), ("v4",), ("v5",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()


def test_a_version_id_is_never_given_to_another_text(store):
    """Clients keep version ids (the extension, a saved report's ?from=&to=): after a forget, or a prune of the
    newest version, a new version must get a new id, never the id of a text that is gone."""
    first = store.record(URL, analysis(V1), now="2023-01-01T00:00:00Z").version.id
    second = store.record(URL, analysis(V2), now="2023-02-01T00:00:00Z").version.id
    assert store.forget("example.co.uk") == 2
    again = store.record(URL, analysis(V2), now="2023-03-01T00:00:00Z").version.id
    assert again not in (first, second) and again > second
    store.forget_all()  # forgetting everything (and the VACUUM after it) does not start the count again
    assert store.record(URL, analysis(V1), now="2023-04-01T00:00:00Z").version.id > again


def _rows(db: sqlite3.Connection, table: str, columns: list[str] | None = None) -> tuple[list[str], list[tuple]]:
    cursor = db.execute(f"SELECT {', '.join(columns) if columns else '*'} FROM {table} ORDER BY rowid")
    return [d[0] for d in cursor.description], cursor.fetchall()


def _without_diff_view(columns: list[str], row: tuple) -> tuple:
    """A versions row as schema 9 leaves it: no diff view (those packed before have no block tags), and its size
    without the view's."""
    values = dict(zip(columns, row))
    values["bytes"] -= len(values["diff_view"] or b"")
    values["diff_view"] = None
    return tuple(values[c] for c in columns)


def test_a_schema_7_store_upgrades_without_losing_a_row(store_path):
    """A store written by the release before version ids were made permanent (schema 7, its DDL as released):
    every document, version (ids with gaps, as deletes leave them), visit and forget survives the table rebuild,
    and visits still point at their versions (the rebuild's DROP must not run ON DELETE SET NULL)."""
    db = store_at_schema(store_path, 7)
    db.execute("INSERT INTO documents (id, site, path) VALUES (2, 'example.co.uk', '/legal/privacy'), "
               "(5, 'example.co.uk', '/terms'), (6, 'other.example', '/privacy')")
    texts = {3: V1, 7: V2, 9: V1, 12: V2}
    for version_id, document_id, seen in ((3, 2, "2022-01-01"), (7, 2, "2022-02-01"), (9, 5, "2022-03-01"),
                                          (12, 6, "2022-04-01")):
        packed = _pack(json.dumps(analysis(texts[version_id])))
        db.execute("INSERT INTO versions (id, document_id, hash, text, analysis, first_seen, last_seen, url, title, "
                   "kind, source_hash, diff_view, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (version_id, document_id, f"hash-{version_id}", texts[version_id], packed, f"{seen}T00:00:00Z",
                    f"{seen}T12:00:00Z", f"https://example.co.uk/{version_id}", f"title {version_id}",
                    "privacy_policy", f"source-{version_id}", None if version_id == 3 else b"view", 100 + version_id))
    db.execute("INSERT INTO visits VALUES ('visit-a', 2, 7, 1, NULL, '2022-02-01T12:00:00Z'), "
               "('visit-b', 5, 9, 0, '2022-03-01T06:00:00Z', '2022-03-01T12:00:00Z'), "
               "('visit-c', 6, NULL, 1, NULL, '2022-04-01T12:00:00Z')")
    db.execute("INSERT INTO forgotten VALUES ('gone.example', '2022-05-01T00:00:00Z')")
    tables = ("documents", "versions", "visits", "forgotten")
    before = {table: _rows(db, table) for table in tables}
    db.close()

    with Store(store_path) as store:
        settings = store.settings()
        assert settings["user_version"] == SCHEMA_VERSION and settings["foreign_keys"] == 1
        assert store.integrity() == "ok"

    db = sqlite3.connect(store_path)
    for table in tables:  # every v7 column of every row, as it was (but the diff views that schema 9 drops)
        columns, rows = before[table]
        if table == "versions":
            rows = [_without_diff_view(columns, row) for row in rows]
        assert _rows(db, table, columns)[1] == rows, table
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert "AUTOINCREMENT" in db.execute("SELECT sql FROM sqlite_master WHERE name = 'versions'").fetchone()[0]
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                            "AND tbl_name = 'versions' AND sql IS NOT NULL")}
    assert indexes == {"versions_by_document_seen", "versions_by_document_size"}
    db.close()

    with Store(store_path) as store:  # and it works as a store: reads the old versions, never reuses an id
        assert [v.id for v in store.versions("example.co.uk")] == [3, 7, 9]
        assert store.text(12) == V2 and store.analysis(3) == analysis(V1)
        new = store.record("https://other.example/privacy", analysis(V1), now="2023-01-01T00:00:00Z").version.id
        assert new > 12
        store.forget("other.example")  # the highest id goes with it: it is not given again
        assert store.record("https://other.example/privacy", analysis(V2)).version.id > new


_GLOSSARY = ("# Privacy Policy\n\nWe may anonymize data. [Learn more](https://example.co.uk/anonymization)\n\n"
             "### benefits the public\n\nFor example, we publish reports about requests to remove content.\n")


def _untagged_view(analysis_dict: dict) -> bytes:
    """A diff view as releases before schema 9 packed it: [block ids, block texts, highlight rows], no block tags."""
    blocks = analysis_dict["blocks"]
    return zlib.compress(json.dumps([[b["id"] for b in blocks], [b["text"] for b in blocks], []]).encode("ascii"), 1)


def _schema_8_store_with(store_path, text: str) -> tuple[dict, bytes, bytes]:
    """A store as schema 8 left it, holding `text` as version 1 with a view packed without block tags."""
    old = analysis(text)
    packed, view = _pack(json.dumps(old)), _untagged_view(old)
    db = store_at_schema(store_path, 8)
    db.execute("INSERT INTO documents (id, site, path) VALUES (1, 'example.co.uk', '/legal/privacy')")
    db.execute("INSERT INTO versions (id, document_id, hash, text, analysis, first_seen, last_seen, diff_view, bytes) "
               "VALUES (1, 1, 'h1', ?, ?, '2022-01-01T00:00:00Z', '2022-01-01T00:00:00Z', ?, ?)",
               (text, packed, view, len(text) + len(packed) + len(view)))
    db.close()
    return old, packed, view


def test_a_schema_8_store_drops_the_diff_views_that_have_no_block_tags(store_path):
    """A view packed before schema 9 does not say which blocks are headings; diffed against one that does, the same
    text would be cut into statements two ways. The upgrade drops such views (and their bytes), and those versions
    are diffed from their whole analyses, which have the tags."""
    old, packed, _ = _schema_8_store_with(store_path, _GLOSSARY)
    new = analysis(_GLOSSARY + "\nWe keep your data for one year.\n")
    with Store(store_path) as store:
        assert store.settings()["user_version"] == SCHEMA_VERSION
        assert store.diff_view(1) == old
        recorded = store.record(URL, new, now="2023-01-01T00:00:00Z")
        assert recorded.previous_analysis == old
        assert store.diff_view(recorded.version.id) == diff_view(new)
        assert [b["tag"] for b in store.diff_view(recorded.version.id)["blocks"]] == ["h1", "p", "h3", "p", "p"]
        diff = diff_analyses(recorded.previous_analysis, store.diff_view(recorded.version.id))
        assert [c.text for c in (*diff.added, *diff.removed, *diff.changed)] == ["We keep your data for one year."]
        assert store.integrity() == "ok"
    db = sqlite3.connect(store_path)
    assert db.execute("SELECT diff_view, bytes FROM versions WHERE id = 1").fetchone() == (
        None, len(_GLOSSARY) + len(packed))
    db.close()


def test_a_schema_8_store_opened_read_only_reads_its_untagged_views(store_path):
    """A store opened read-only is not migrated: its views without block tags are read, each block as a paragraph
    (as every diff read them before)."""
    old, _, _ = _schema_8_store_with(store_path, _GLOSSARY)
    with Store(store_path, read_only=True) as store:
        view = store.diff_view(1)
    assert view["blocks"] == [{"id": b["id"], "text": b["text"], "tag": "p"} for b in old["blocks"]]


def test_a_store_opened_read_only_reads_and_refuses_every_write(store_path):
    """mode=ro is SQLite's own refusal: it holds for root too, whatever the file's mode."""
    with pytest.raises(HistoryUnavailable, match="no history store"):
        Store(store_path, read_only=True)
    assert not store_path.parent.exists()  # reading creates nothing
    with Store(store_path) as writer, Store(store_path, read_only=True) as reader:
        first = writer.record(URL, analysis(V1)).version
        assert [v.id for v in reader.versions("example.co.uk")] == [first.id]  # sees what the writer commits
        assert reader.text(first.id) == writer.text(first.id)
        for write in (lambda: reader.record(URL, analysis(V2)), lambda: reader.forget("example.co.uk"),
                      reader.forget_all):
            with pytest.raises(HistoryUnavailable, match="read-only") as refused:
                write()
            assert str(store_path) in str(refused.value)
        assert [v.id for v in writer.versions("example.co.uk")] == [first.id]


def test_a_store_too_old_to_read_as_it_is_is_not_opened_read_only(store_path):
    _make_schema_1_store(store_path.parent / "old.sqlite3", V1)
    with pytest.raises(StoreNeedsUpgrade):  # its queries need schema 5's columns: upgrading it writes it
        Store(store_path.parent / "old.sqlite3", read_only=True)


# -- from the review of schema 8 --------------------------------------------------------------------------------

_R_URL = "https://www.example.co.uk/legal/privacy"
_R_V1 = "We collect your email address.\n\nWe do not sell your personal data."
_R_V2 = _R_V1 + "\n\nWe may use your content to train our artificial intelligence models."


def _quick(text: str) -> dict:
    return analyze(text=text, url=_R_URL, depth="quick").to_dict()


def test_retention_forgets_a_baseline_once_no_visit_can_still_undo_its_reading(tmp_path):
    """retention_versions = 1 keeps the version a live visit compares with; once another visit (or a reading with
    no visit) has seen the text, that visit can no longer undo its reading, and the extra version goes then, not
    at the document's next new text (which for a policy that never changes again never comes)."""
    with Store(tmp_path / "s.sqlite3", retention_versions=1) as store:
        store.record(_R_URL, _quick(_R_V1), now="2023-01-01T00:00:00Z", visit="v1")
        store.record(_R_URL, _quick(_R_V2), now="2023-02-01T00:00:00Z", visit="v2")
        assert len(store.versions("example.co.uk")) == 2  # V1: the live baseline of v2's reading
        store.record(_R_URL, _quick(_R_V2), now="2023-03-01T00:00:00Z", visit="v3")
        assert len(store.versions("example.co.uk")) == 1


def test_a_site_at_its_cap_forgets_a_baseline_at_the_next_visit_and_says_so(tmp_path):
    from smallprint.history.store import StoreLimits
    with Store(tmp_path / "s.sqlite3", limits=StoreLimits(site_versions=1)) as store:
        store.record(_R_URL, _quick(_R_V1), now="2023-01-01T00:00:00Z", visit="v1")
        second = store.record(_R_URL, _quick(_R_V2), now="2023-02-01T00:00:00Z", visit="v2")
        assert second.forgotten == 0 and len(store.versions("example.co.uk")) == 2  # V1: v2's baseline
        third = store.record(_R_URL, _quick(_R_V2), now="2023-03-01T00:00:00Z", visit="v3")
        assert third.forgotten == 1 and len(store.versions("example.co.uk")) == 1


def test_deletes_do_not_scan_the_visits_table(tmp_path):
    """Every DELETE FROM versions sets visits.version_id / baseline_id to NULL, and deleting a document deletes its
    visits: each needs an index whose first column is that one, or SQLite reads the whole visits table per row."""
    with Store(tmp_path / "s.sqlite3"):
        pass
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    first_columns = {db.execute(f"PRAGMA index_info({name!r})").fetchone()[2]
                     for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' "
                                               "AND tbl_name = 'visits' AND name NOT LIKE 'sqlite_autoindex%'")}
    db.close()
    assert {"version_id", "baseline_id", "document_id"} <= first_columns


def test_a_schema_7_store_with_a_row_already_dangling_still_upgrades_and_keeps_it(tmp_path):
    """A row that pointed at nothing before the upgrade (a version deleted by hand in the sqlite3 shell, whose
    foreign keys are off by default) is the store as it was: only rows the upgrade itself broke stop it."""
    path = tmp_path / "s.sqlite3"
    db = store_at_schema(path, 7)
    db.execute("INSERT INTO documents VALUES (1, 'a.example', '/p')")
    db.execute("INSERT INTO versions (id, document_id, hash, text, analysis, first_seen, last_seen) "
               "VALUES (1, 1, 'h', 't', '{}', '2022', '2022')")
    db.execute("INSERT INTO visits VALUES ('v', 1, 2, 1, NULL, '2022')")  # version 2 is gone
    db.close()
    Store(path).close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("SELECT id FROM versions").fetchall() == [(1,)]
    assert db.execute("SELECT visit, version_id FROM visits").fetchall() == [("v", 2)]
    db.close()


def test_a_reading_of_a_visit_asked_before_the_one_it_recorded_is_not_stored_over_it(store):
    """Two readings of one visit answered out of order (a slow full reading of the text before a late paragraph, the
    text after it read sooner): the older, recorded last, became the visit's version, and the next visit was compared
    with a text the reader had not seen last."""
    from smallprint.history.store import SupersededInVisit
    first = store.record(URL, analysis(V1), now="2023-01-01T00:00:00Z", visit="v1", arrived="2023-01-01T00:00:00Z")
    newer = store.record(URL, analysis(V2), now="2023-02-01T00:00:02Z", visit="v2",
                         arrived="2023-02-01T00:00:01.000002Z")
    with pytest.raises(SupersededInVisit):
        store.record(URL, analysis(V1), now="2023-02-01T00:00:03Z", visit="v2", arrived="2023-02-01T00:00:01.000001Z")
    # nothing undone, nothing added: visit 1's V1 and visit 2's V2, seen when it was recorded
    assert [(v.id, v.last_seen) for v in store.versions("example.co.uk")] == [
        (first.version.id, "2023-01-01T00:00:00Z"), (newer.version.id, "2023-02-01T00:00:02Z")]
    # another visit's reading is its own, however early it was asked for
    assert store.record(URL, analysis(V2), now="2023-02-01T00:00:04Z", visit="v3",
                        arrived="2023-02-01T00:00:00Z").version.id == newer.version.id
    # a later reading of the visit still replaces its text, as before; without a time (the CLI, an older caller)
    # nothing is refused
    later = store.record(URL, analysis(V1), now="2023-02-01T00:00:05Z", visit="v2", arrived="2023-02-01T00:00:04Z")
    assert later.version.id == first.version.id
    assert store.record(URL, analysis(V2), now="2023-02-01T00:00:06Z", visit="v2").version.hash == newer.version.hash


def test_a_visit_s_time_from_before_the_clock_stepped_back_refuses_nothing(store):
    """A visit's reading noted while the clock ran ahead (set right later, on waking): its time is after now, and
    every newer reading of the visit would have been refused as older."""
    store.record(URL, analysis(V1), now="2023-03-01T10:00:00Z", visit="v1", arrived="2023-03-01T10:00:00Z")
    later = store.record(URL, analysis(V2), now="2023-03-01T09:00:01Z", visit="v1", arrived="2023-03-01T09:00:00Z")
    assert later.is_new_text and [v.id for v in store.versions("example.co.uk")] == [later.version.id]


def test_a_newer_reading_of_a_visit_stored_while_an_older_one_waited_for_the_store_refuses_it(store, store_path,
                                                                                               monkeypatch):
    """The older reading's recording waits for the store (another recording, another program holding it); a newer
    reading of the visit, asked for meanwhile, is stored first. Its time is after the moment the older one began to
    wait: taken as that moment's `now`, the older reading passed for one after a clock step back and was stored over
    the newer."""
    from smallprint.history import store as store_module
    from smallprint.history.store import SupersededInVisit

    clock = iter(f"2023-04-01T00:00:{second:02d}.000000Z" for second in range(60))
    monkeypatch.setattr(store_module, "utc_now", lambda: next(clock))
    older_arrived = store_module.utc_now()
    original_write, meanwhile = Store._write, []

    def newer_reading_stored_first(self):
        if self is store and not meanwhile:  # the older reading's wait: the newer one is asked for and stored first
            with Store(store_path) as other_thread:
                meanwhile.append(other_thread.record(URL, analysis(V2), visit="v1", arrived=store_module.utc_now()))
        return original_write(self)

    monkeypatch.setattr(Store, "_write", newer_reading_stored_first)
    with pytest.raises(SupersededInVisit):
        store.record(URL, analysis(V1), visit="v1", arrived=older_arrived)
    [newer] = meanwhile
    assert [v.id for v in store.versions("example.co.uk")] == [newer.version.id]


def test_a_schema_10_store_upgrades_and_its_visits_refuse_nothing(store_path):
    """Visits recorded before schema 11 have no time: a re-send of such a visit is recorded as it was before."""
    db = store_at_schema(store_path, 10)
    db.execute("INSERT INTO documents (id, site, path) VALUES (1, 'example.co.uk', '/legal/privacy')")
    db.execute("INSERT INTO versions (id, document_id, hash, text, analysis, first_seen, last_seen) "
               "VALUES (1, 1, 'h', 't', ?, '2022-01-01T00:00:00Z', '2022-01-01T00:00:00Z')",
               (_pack(json.dumps(analysis(V1))),))
    db.execute("INSERT INTO visits (visit, document_id, version_id, created, seen, baseline_id) "
               "VALUES ('v1', 1, 1, 1, '2022-01-01T00:00:00Z', NULL)")
    db.close()
    with Store(store_path) as store:
        assert store.settings()["user_version"] == SCHEMA_VERSION
        again = store.record(URL, analysis(V2), now="2022-01-02T00:00:00Z", visit="v1", arrived="2000-01-01T00:00:00Z")
        assert again.is_new_text and [v.id for v in store.versions("example.co.uk")] == [again.version.id]
        assert store.integrity() == "ok"


def test_the_same_text_sent_again_in_a_visit_keeps_its_version_and_its_answer(store):
    """A visit that sends the text its reading stored once more (a re-send without a change): undoing its reading and
    storing it again gave the version a new id each time, so the id the first answer named was gone."""
    from smallprint.history.store import SupersededInVisit

    before = store.record(URL, analysis(V1), now="2023-01-01T00:00:00Z", visit="v1")
    first = store.record(URL, analysis(V2), now="2023-02-01T00:00:00Z", visit="v2", arrived="2023-02-01T00:00:00Z")
    again = store.record(URL, analysis(V2), now="2023-02-01T00:00:05Z", visit="v2", arrived="2023-02-01T00:00:04Z")
    assert again.version.id == first.version.id and again.version.first_seen == first.version.first_seen
    # the same answer: a new version since the visit before, compared with that visit's version
    assert again.is_new_text and again.previous == first.previous and again.previous.id == before.version.id
    assert again.previous_analysis == first.previous_analysis
    assert again.version.last_seen == "2023-02-01T00:00:05Z"
    assert [v.id for v in store.versions("example.co.uk")] == [before.version.id, first.version.id]
    # the visit still replaces its text with later text, and still refuses a reading asked before its last one
    with pytest.raises(SupersededInVisit):
        store.record(URL, analysis(V1_RESTYLED + "\n\nLate."), now="2023-02-01T00:00:06Z", visit="v2",
                     arrived="2023-02-01T00:00:03Z")
    later = store.record(URL, analysis(V1), now="2023-02-01T00:00:07Z", visit="v2", arrived="2023-02-01T00:00:06Z")
    assert later.version.id == before.version.id and not later.is_new_text
    assert [v.id for v in store.versions("example.co.uk")] == [before.version.id]
    assert store.integrity() == "ok"


def test_a_first_visit_sending_its_text_again_keeps_its_one_version(store):
    first = store.record(URL, analysis(V1), now="2023-01-01T00:00:00Z", visit="v1")
    again = store.record(URL, analysis(V1_RESTYLED), now="2023-01-01T00:00:01Z", visit="v1")
    assert again.version.id == first.version.id and again.is_new_text and again.previous is None
    assert [v.id for v in store.versions("example.co.uk")] == [first.version.id]


def test_a_visit_sending_its_text_again_with_a_larger_reading_keeps_the_site_within_its_caps(store):
    """The re-send keeps its version but stores the newer reading's analysis, which may be larger: the site's and the
    store's caps were not checked again, so the site stayed over its byte cap until some later reading."""
    import os

    from smallprint.history.store import StoreLimits

    V0 = "We collect your name.\n\nWe keep it for a year."
    oldest = store.record(URL, analysis(V0), now="2023-01-01T00:00:00Z")
    before = store.record(URL, analysis(V1), now="2023-02-01T00:00:00Z")
    first = store.record(URL, analysis(V2), now="2023-03-01T00:00:00Z", visit="v2", arrived="2023-03-01T00:00:00Z")
    with sqlite3.connect(store.path) as db:
        held = db.execute("SELECT sum(bytes) FROM versions").fetchone()[0]
    store.limits = StoreLimits(site_bytes=held + 1_000)  # room for what is held, not for 20 KB more
    larger = {**analysis(V2), "padding": os.urandom(20_000).hex()}  # the same text, a larger reading of it
    again = store.record(URL, larger, now="2023-03-01T00:00:05Z", visit="v2", arrived="2023-03-01T00:00:04Z")
    assert again.version.id == first.version.id and again.previous.id == before.version.id
    assert again.forgotten == 1
    assert [v.id for v in store.versions("example.co.uk")] == [before.version.id, first.version.id]
    assert oldest.version.id not in {v.id for v in store.versions("example.co.uk")}  # the two left must stay


def test_retention_keeps_a_moved_policys_version_that_a_visit_at_the_new_address_compares_with(tmp_path):
    """A policy moved to a new address is compared with the old address's version; retention of the old address
    (at its next new text) kept only its own visits' baselines, so a re-send in the new address's visit found its
    baseline gone and answered "first version"."""
    from tests.conftest import ROOT

    example = (ROOT / "daemon/smallprint/examples/example-privacy-policy.md").read_text()
    revised = example.replace("We keep backups", "We keep encrypted backups") + (
        "\n\nWe may also use your voice notes to train our speech recognition models.\n")
    late_paragraph = revised + "\n\nWe may also read the labels of your photos to suggest albums.\n"
    replaced = ("# Privacy Policy\n\nThis address now holds a short notice.\n\nWe collect your email address to "
                "answer your questions.\n")

    def read(text: str, url: str) -> dict:
        return analyze(text=text, url=url).to_dict()

    old_url, new_url = "https://tidewell.example/privacy/2025-01", "https://tidewell.example/privacy/2026-03"
    with Store(tmp_path / "s.sqlite3", retention_versions=1) as store:
        first = store.record(old_url, read(example, old_url), now="2025-01-01T00:00:00Z", visit="old-1")
        moved = store.record(new_url, read(revised, new_url), now="2026-03-01T00:00:00Z", visit="new-1")
        assert moved.previous is not None and moved.previous.id == first.version.id
        # the old address read again with other text (a reading without a visit id: no live visit of its own)
        store.record(old_url, read(replaced, old_url), now="2026-03-01T00:01:00Z")
        again = store.record(new_url, read(revised, new_url), now="2026-03-01T00:02:00Z", visit="new-1")
        assert again.version.id == moved.version.id
        assert again.previous is not None and again.previous.id == first.version.id
        late = store.record(new_url, read(late_paragraph, new_url), now="2026-03-01T00:03:00Z", visit="new-1")
        assert late.previous is not None and late.previous.id == first.version.id
        # once no visit can still undo its reading, the old address's extra version goes, though the old address
        # (a dated URL) is never read again
        store.record(new_url, read(late_paragraph, new_url), now="2026-03-02T00:00:00Z", visit="new-2")
        assert [v.path for v in store.versions("tidewell.example")] == ["/privacy/2025-01", "/privacy/2026-03"]
        assert first.version.id not in [v.id for v in store.versions("tidewell.example")]
