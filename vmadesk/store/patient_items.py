"""The same patient's other open items: work a VMA can finish on the call already going."""

from __future__ import annotations

from vmadesk.store.connection import Connection
from vmadesk.store.item_queries import TRIGRAM
from vmadesk.store.items import _SELECT, ItemRow


def _same_patient(a: ItemRow, b: ItemRow) -> bool:
    """Same patient of one practice: the practice's patient id, else name and birth date."""
    if a.patient_ref and b.patient_ref:
        return a.patient_ref == b.patient_ref
    if (a.patient_family.lower(), (a.patient_given or "").lower()) != (
        b.patient_family.lower(),
        (b.patient_given or "").lower(),
    ):
        return False
    if a.patient_dob and b.patient_dob:
        return a.patient_dob == b.patient_dob
    return bool(a.phone) and a.phone == b.phone


def other_open_items(conn: Connection, item: ItemRow, *, limit: int = 20) -> list[ItemRow]:
    """The patient's other open items of the same practice and owner, most urgent first.

    The family name narrows the search through the trigram index (a lookup, not a scan of
    every open item); the patient's id, or name and birth date, decide.
    """
    family = item.patient_family.lower().strip()
    where = "is_open = 1 AND owner = ? AND practice_id = ? AND id != ?"
    params: list[object] = [item.owner, item.practice_id, item.id]
    if len(family) >= TRIGRAM:
        where += " AND id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)"
        params.append('"' + family.replace('"', '""') + '"')
    else:
        where += " AND lower(patient_family) = ?"
        params.append(family)
    rows = conn.execute(
        f"{_SELECT} WHERE {where} ORDER BY is_paused, effective_due, id LIMIT ?",
        [*params, limit * 5],
    ).fetchall()
    return [r for r in (ItemRow(*row) for row in rows) if _same_patient(item, r)][:limit]
