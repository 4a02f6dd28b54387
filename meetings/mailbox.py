"""The reply mailbox: one pass over the mailbox named in MEETINGS_IMAP_URL, read
with IMAPClient. Each message is handed to meetings.services.reply_receive and
then moved out of the way: to "Processed" when it was recorded, to
"Quarantine" when it matched no invitation we sent (a person may read it
there). A message whose handling failed (the database was away, say) stays in
the inbox for the next pass; recording the same answer twice changes nothing."""

from __future__ import annotations

import logging
import ssl
from collections import Counter
from urllib.parse import parse_qs, unquote, urlsplit

from django.conf import settings
from imapclient import IMAPClient

from . import services

logger = logging.getLogger(__name__)

PROCESSED = "Processed"
QUARANTINE = "Quarantine"


def _connect(url: str) -> tuple[IMAPClient, str]:
    """A logged-in client and the folder to read, from
    imaps://user:password@host:993/INBOX or imap://…/INBOX?starttls=1."""
    parts = urlsplit(url)
    secure = parts.scheme == "imaps"
    if parts.scheme not in {"imap", "imaps"} or not parts.hostname:
        raise ValueError("MEETINGS_IMAP_URL must look like imaps://user:pw@host/INBOX")
    query = parse_qs(parts.query)
    client = IMAPClient(
        parts.hostname,
        port=parts.port or (993 if secure else 143),
        ssl=secure,
        ssl_context=ssl.create_default_context() if secure else None,
        timeout=30,
    )
    if not secure and query.get("starttls", ["0"])[0] in {"1", "true"}:
        client.starttls(ssl.create_default_context())
    client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    return client, unquote(parts.path.lstrip("/")) or "INBOX"


def read_replies(*, url: str | None = None, limit: int = 200) -> Counter:
    """Read up to `limit` messages; returns how many were recorded, proposed
    another time, set aside, or left for the next pass."""
    url = url if url is not None else settings.MEETINGS_IMAP_URL
    counts: Counter = Counter()
    if not url:
        return counts  # no reply mailbox: answers come through the RSVP links
    client, folder = _connect(url)
    try:
        for name in (PROCESSED, QUARANTINE):
            if not client.folder_exists(name):
                client.create_folder(name)
        client.select_folder(folder)
        uids = sorted(client.search("ALL"))[:limit]
        fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
        for uid in uids:
            raw = fetched.get(uid, {}).get(b"BODY[]")
            if raw is None:
                continue
            try:
                outcome = services.reply_receive(raw=raw)
            except Exception:
                logger.exception("Reply %s left in the mailbox for the next pass", uid)
                counts["left for the next pass"] += 1
                continue
            if outcome.set_aside:
                logger.info("Reply %s set aside: %s", uid, outcome.detail)
            counts[outcome.result] += 1
            _move(client, uid, QUARANTINE if outcome.set_aside else PROCESSED)
    finally:
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be gone
            logger.debug("IMAP logout failed", exc_info=True)
    return counts


def _move(client: IMAPClient, uid: int, folder: str) -> None:
    if client.has_capability("MOVE"):
        client.move([uid], folder)
        return
    client.copy([uid], folder)
    client.delete_messages([uid])
    if client.has_capability("UIDPLUS"):
        client.uid_expunge([uid])
    else:
        client.expunge()
