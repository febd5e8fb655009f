"""Schema versions of the profile database, applied in order by :mod:`migrations`.

Each entry moves ``PRAGMA user_version`` from its index to index + 1. Never edit a
released step: add a new one.
"""

from __future__ import annotations

_LANES = "('callback','confirmation','eligibility')"
_STATUSES = "('requested','in-progress','on-hold','completed','cancelled','failed')"

V1 = f"""
CREATE TABLE practices (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    region TEXT NOT NULL DEFAULT 'US',
    hours_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE lane_policies (
    practice_id INTEGER NOT NULL REFERENCES practices(id) ON DELETE CASCADE,
    lane TEXT NOT NULL CHECK (lane IN {_LANES}),
    policy_json TEXT NOT NULL,
    sop_text TEXT NOT NULL DEFAULT '',
    red_flag_text TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (practice_id, lane)
);

CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    practice_id INTEGER NOT NULL REFERENCES practices(id),
    lane TEXT NOT NULL CHECK (lane IN {_LANES}),
    source_system TEXT NOT NULL,
    source_id TEXT NOT NULL,
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('appointment','callback','coverage')),
    patient_family TEXT NOT NULL,
    patient_given TEXT NOT NULL DEFAULT '',
    patient_dob TEXT,
    patient_ref TEXT,
    phone TEXT,
    phone_raw TEXT,
    reason TEXT,
    appointment_start TEXT,
    appointment_end TEXT,
    appointment_type TEXT,
    provider TEXT,
    location TEXT,
    payer TEXT,
    member_id TEXT,
    plan TEXT,
    requested_at TEXT,
    window_start TEXT,
    window_end TEXT,
    due_at TEXT NOT NULL,
    effective_due TEXT NOT NULL,
    due_soon_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN {_STATUSES}),
    is_open INTEGER GENERATED ALWAYS AS
        (status IN ('requested','in-progress','on-hold')) VIRTUAL,
    is_paused INTEGER GENERATED ALWAYS AS (status = 'on-hold') VIRTUAL,
    status_reason TEXT,
    hold_until TEXT,
    hold_reason TEXT,
    hold_started TEXT,
    held_seconds INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    attempt_count INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    outcome_json TEXT,
    owner TEXT NOT NULL,
    handoff_id INTEGER,
    search_text TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    closed_at TEXT,
    UNIQUE (source_system, source_id, lane)
);
-- The work queues: each index holds a queue already in urgency order (paused last, then
-- by effective due time), so a page is an index range scan with LIMIT, never a sort.
-- The lane queue also covers the live lane counts (open, due soon, overdue).
CREATE INDEX items_queue_lane
    ON items (is_open, owner, lane, is_paused, effective_due, due_soon_at);
CREATE INDEX items_queue_all ON items (is_open, owner, is_paused, effective_due, due_soon_at);
CREATE INDEX items_queue_practice
    ON items (is_open, owner, practice_id, lane, is_paused, effective_due, due_soon_at);
CREATE INDEX items_practice ON items (practice_id, lane);
CREATE INDEX items_source ON items (source_system, practice_id);

-- Search as the VMA types: substring matches on name, phone digits and reason (trigrams).
CREATE VIRTUAL TABLE items_fts USING fts5(
    search_text, content='items', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER items_fts_update AFTER UPDATE OF search_text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
    INSERT INTO items_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TABLE attempts (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    number_dialled TEXT,
    identity_verified INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    details_json TEXT,
    author TEXT NOT NULL
);
CREATE INDEX attempts_item ON attempts (item_id, at);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'note',
    text TEXT NOT NULL,
    author TEXT NOT NULL
);
CREATE INDEX notes_item ON notes (item_id, at);

CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items(id),
    raised_at TEXT NOT NULL,
    category TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('routine','urgent','immediate')),
    situation TEXT NOT NULL,
    background TEXT NOT NULL DEFAULT '',
    assessment TEXT NOT NULL DEFAULT '',
    request TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('raised','acknowledged','resolved')),
    acknowledged_at TEXT,
    resolved_at TEXT,
    resolution_code TEXT,
    resolution_note TEXT,
    author TEXT NOT NULL
);
CREATE INDEX escalations_item ON escalations (item_id);
CREATE INDEX escalations_state ON escalations (state);

CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    vma TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    lanes_json TEXT NOT NULL
);

CREATE TABLE handoffs (
    id INTEGER PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('out','in')),
    packet_id TEXT NOT NULL UNIQUE,
    sender TEXT NOT NULL,
    receiver TEXT NOT NULL,
    created_at TEXT NOT NULL,
    shift_note TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('open','closed'))
);

CREATE TABLE handoff_items (
    id INTEGER PRIMARY KEY,
    handoff_id INTEGER NOT NULL REFERENCES handoffs(id),
    item_id INTEGER REFERENCES items(id),
    source_system TEXT NOT NULL,
    source_id TEXT NOT NULL,
    lane TEXT NOT NULL,
    note_json TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','acknowledged','declined')),
    ack_action TEXT,
    acted_at TEXT
);
CREATE INDEX handoff_items_handoff ON handoff_items (handoff_id);

CREATE TABLE colleagues (
    handle TEXT PRIMARY KEY,
    public_key BLOB NOT NULL,
    added_at TEXT NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    event TEXT NOT NULL,
    item_id INTEGER,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit chain is append-only'); END;
"""

# Sync with the team hub (outbox written in the same transaction as the change it reports).
V2 = """
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try_at TEXT,
    last_error TEXT,
    sent_at TEXT,
    rejected_at TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, id);

CREATE TABLE claims (
    item_id INTEGER PRIMARY KEY REFERENCES items(id),
    pseudonym TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending','held','conflict','released','taken_over')),
    held_by TEXT,
    held_since TEXT,
    updated_at TEXT NOT NULL,
    prev_owner TEXT,
    lease_expires_at TEXT
);
CREATE INDEX claims_state ON claims (state);
CREATE INDEX claims_pseudonym ON claims (pseudonym);

CREATE TABLE escalation_links (
    escalation_id INTEGER PRIMARY KEY REFERENCES escalations(id),
    hub_id TEXT NOT NULL UNIQUE,
    hub_state TEXT NOT NULL DEFAULT 'raised',
    updated_at TEXT NOT NULL
);

CREATE TABLE hub_handoffs (
    envelope_id TEXT PRIMARY KEY,
    direction TEXT NOT NULL CHECK (direction IN ('out','in')),
    handoff_id INTEGER REFERENCES handoffs(id),
    kind TEXT NOT NULL DEFAULT 'packet' CHECK (kind IN ('packet','receipt')),
    peer TEXT NOT NULL,
    receipted_at TEXT,
    created_at TEXT NOT NULL
);
"""

# The queues also carry the search text (and "My shift" the practice): a search word too short
# for the trigram index, and the practice filter, are checked in the index instead of on each
# item's row (a rare two-letter word: 90 -> 28 ms at 100,000 items). ``id`` right after the due
# times keeps the urgency order, ties by id, index order.
V3 = """
DROP INDEX items_queue_all;
CREATE INDEX items_queue_all ON items
    (is_open, owner, is_paused, effective_due, due_soon_at, id, practice_id, search_text);
DROP INDEX items_queue_lane;
CREATE INDEX items_queue_lane ON items
    (is_open, owner, lane, is_paused, effective_due, due_soon_at, id, search_text);
DROP INDEX items_queue_practice;
CREATE INDEX items_queue_practice ON items
    (is_open, owner, practice_id, lane, is_paused, effective_due, due_soon_at, id, search_text);
-- Holds whose time has come: the console's tick asks every 30 seconds.
CREATE INDEX items_holds ON items (hold_until) WHERE status = 'on-hold';
"""

# The UTC offset an export wrote an appointment's start in (minutes east of UTC): the stored
# instant is UTC, and the date of service is the date at the given offset.
V4 = """
ALTER TABLE items ADD COLUMN appointment_offset_min INTEGER;
"""

# What the hub said of an item another VMA holds (``working``, ``unattended`` or ``done``), for the
# "Held by others" view.
V5 = """
ALTER TABLE claims ADD COLUMN held_status TEXT;
"""

# Lanes defined in one place each (vmadesk.domain.lanes): a new lane must need no migration,
# so the fixed list of lane codes in the two CHECKs becomes a code-shaped check (lower-case
# letters and "_"; the Lane enum decides which codes exist). SQLite cannot alter a CHECK: the
# stored table text is edited under writable_schema, SQLite's own procedure for dropping or
# loosening a constraint (the data on disk is unchanged); RESET reparses it on this
# connection, and the ALTER TABLEs that follow bump the schema cookie so every other
# connection reparses it too. An item of a lane with states of its own keeps its state code,
# and its lane's detail fields (a JSON object) beside it.
_OLD_LANE_CHECK = "CHECK (lane IN ('callback','confirmation','eligibility'))"
_NEW_LANE_CHECK = "CHECK (lane <> '' AND lane NOT GLOB '*[^a-z_]*')"
V6 = f"""
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, "{_OLD_LANE_CHECK}", "{_NEW_LANE_CHECK}")
    WHERE type = 'table' AND name IN ('items', 'lane_policies');
PRAGMA writable_schema = RESET;
ALTER TABLE items ADD COLUMN lane_state TEXT;
ALTER TABLE items ADD COLUMN lane_fields_json TEXT;
"""

# A lane's items carry their lane's own subject kind (a prior authorization, a referral): the
# fixed list in the items CHECK becomes code-shaped, the same way V6 loosened the lane check.
_OLD_SUBJECT_CHECK = "CHECK (subject_kind IN ('appointment','callback','coverage'))"
_NEW_SUBJECT_CHECK = "CHECK (subject_kind <> '' AND subject_kind NOT GLOB '*[^a-z_]*')"
V7 = f"""
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, "{_OLD_SUBJECT_CHECK}", "{_NEW_SUBJECT_CHECK}")
    WHERE type = 'table' AND name = 'items';
PRAGMA writable_schema = RESET;
CREATE INDEX items_lane_state ON items (lane, lane_state) WHERE lane_state IS NOT NULL;
"""

# Work done on an item another VMA held (a console that learnt it only at its next sync) goes
# to that holder sealed, through the hub's envelope relay: a row per attempt or note passed, so
# none is passed twice; the relayed envelope is recorded in hub_handoffs as a 'handback'.
_OLD_ENVELOPE_CHECK = "CHECK (kind IN ('packet','receipt'))"
_NEW_ENVELOPE_CHECK = "CHECK (kind IN ('packet','receipt','handback'))"
V8 = f"""
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, "{_OLD_ENVELOPE_CHECK}", "{_NEW_ENVELOPE_CHECK}")
    WHERE type = 'table' AND name = 'hub_handoffs';
PRAGMA writable_schema = RESET;
CREATE TABLE handback_rows (
    kind TEXT NOT NULL CHECK (kind IN ('attempt','note','escalation')),
    row_id INTEGER NOT NULL,
    item_id INTEGER NOT NULL REFERENCES items(id),
    holder TEXT NOT NULL,
    envelope_id TEXT NOT NULL,
    passed_at TEXT NOT NULL,
    PRIMARY KEY (kind, row_id)
);
CREATE INDEX handback_rows_item ON handback_rows (item_id);
"""

STEPS: tuple[str, ...] = (V1, V2, V3, V4, V5, V6, V7, V8)
LATEST = len(STEPS)
