"""Schema steps, applied in order and recorded in ``PRAGMA user_version``.

Append a new step for every change; never edit a step that has shipped. Times are UTC ISO
text (see ``db.ts``). Session ids are the agenda's ids: the agenda lives in files, not here.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, ...]] = [
    # 1: users, bookmarks, feedback, the delivery outbox, organiser audit, speaker links.
    (
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL DEFAULT '',
            username TEXT,
            language TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            active INTEGER NOT NULL DEFAULT 1,
            reminder_minutes INTEGER,
            remind_headline INTEGER NOT NULL DEFAULT 0,
            pending TEXT
        )""",
        "CREATE INDEX users_username ON users(lower(username))",
        """CREATE TABLE bookmarks (
            user_id INTEGER NOT NULL REFERENCES users(id),
            session_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (user_id, session_id)
        ) WITHOUT ROWID""",
        "CREATE INDEX bookmarks_session ON bookmarks(session_id, user_id)",
        """CREATE TABLE feedback (
            user_id INTEGER NOT NULL REFERENCES users(id),
            session_id TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
            comment TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user_id, session_id)
        )""",
        "CREATE INDEX feedback_session ON feedback(session_id)",
        """CREATE TABLE batches (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            created_by INTEGER,
            created_at TEXT NOT NULL,
            scheduled_for TEXT,
            audience TEXT NOT NULL DEFAULT '',
            payload TEXT NOT NULL DEFAULT '{}',
            state TEXT NOT NULL DEFAULT 'running',
            total INTEGER NOT NULL DEFAULT 0,
            progress_chat_id INTEGER,
            progress_message_id INTEGER
        )""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            batch_id INTEGER REFERENCES batches(id),
            kind TEXT NOT NULL,
            chat_id INTEGER NOT NULL,
            session_id TEXT,
            payload TEXT NOT NULL,
            dedup_key TEXT UNIQUE,
            due_at TEXT NOT NULL,
            deadline TEXT,
            state TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sent_at TEXT
        )""",
        "CREATE INDEX outbox_due ON outbox(state, due_at, id)",
        "CREATE INDEX outbox_batch ON outbox(batch_id, state)",
        "CREATE INDEX outbox_session ON outbox(session_id, kind, state)",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            audience_size INTEGER,
            at TEXT NOT NULL
        )""",
        """CREATE TABLE speaker_links (
            speaker_id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL UNIQUE,
            via TEXT NOT NULL,
            linked_at TEXT NOT NULL
        )""",
        """CREATE TABLE speaker_codes (
            code_hash TEXT PRIMARY KEY,
            speaker_id TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_by INTEGER,
            revoked INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX speaker_codes_speaker ON speaker_codes(speaker_id)",
        "CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ),
    # 2: shared schedules (issue 18): one active link per user, kept only as its hash; a
    # revoked link stays, so opening it can say "no longer works" rather than nothing.
    (
        """CREATE TABLE share_links (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            first_name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )""",
        "CREATE UNIQUE INDEX share_links_active ON share_links(user_id) WHERE revoked_at IS NULL",
    ),
    # 3: the interface language a user chose with /language (NULL: follow Telegram's).
    ("ALTER TABLE users ADD COLUMN chosen_language TEXT",),
    # 4: the web server (issue 17): live calendar feed tokens (hashed) and the webhook inbox.
    (
        """CREATE TABLE calendar_feeds (
            user_id INTEGER PRIMARY KEY REFERENCES users(id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            etag TEXT,
            modified_at TEXT
        )""",
        """CREATE TABLE inbox (
            update_id INTEGER PRIMARY KEY,
            payload TEXT NOT NULL,
            received_at TEXT NOT NULL,
            done_at TEXT
        )""",
        "CREATE INDEX inbox_pending ON inbox(update_id) WHERE done_at IS NULL",
    ),
    # 5: audience questions to the stage (issue 19): questions, one vote per (question, user),
    # a session's pause switch, and the moderators who want a notice of the top three.
    (
        """CREATE TABLE qa_questions (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            asker_name TEXT NOT NULL DEFAULT '',
            anonymous INTEGER NOT NULL DEFAULT 0,
            text TEXT NOT NULL,
            norm TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open'
                CHECK (state IN ('open', 'answered', 'hidden')),
            created_at TEXT NOT NULL,
            moderated_by INTEGER,
            moderated_at TEXT,
            UNIQUE (session_id, norm)
        )""",
        "CREATE INDEX qa_questions_session ON qa_questions(session_id, state)",
        "CREATE INDEX qa_questions_user ON qa_questions(user_id, created_at)",
        """CREATE TABLE qa_votes (
            question_id INTEGER NOT NULL REFERENCES qa_questions(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            PRIMARY KEY (question_id, user_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE qa_sessions (
            session_id TEXT PRIMARY KEY,
            paused INTEGER NOT NULL DEFAULT 0,
            changed_by INTEGER,
            changed_at TEXT NOT NULL
        )""",
        "CREATE TABLE qa_notices (user_id INTEGER PRIMARY KEY, since TEXT NOT NULL)",
    ),
    # 6: the outbox's lanes (issue 13): urgent alerts first, broadcasts last; the sender reads
    # due rows by (lane, due time, id). Existing rows get their kind's lane (bot/store/keys.py
    # LANES as it was then; kinds unknown at the time wait behind everything).
    (
        "ALTER TABLE outbox ADD COLUMN lane INTEGER NOT NULL DEFAULT 9",
        """UPDATE outbox SET lane = CASE kind
            WHEN 'alert' THEN 0
            WHEN 'qa_top' THEN 1 WHEN 'qa_followup' THEN 1
            WHEN 'reminder' THEN 2 WHEN 'speaker_reminder' THEN 2
            WHEN 'feedback' THEN 3
            WHEN 'change' THEN 4 WHEN 'agenda_notice' THEN 4
            WHEN 'broadcast' THEN 5
            ELSE 9 END""",
        "CREATE INDEX outbox_lane_due ON outbox(state, lane, due_at, id)",
        # A 403 blocks the user's other pending rows: found by chat, not by a scan.
        "CREATE INDEX outbox_chat ON outbox(chat_id, state)",
    ),
]
