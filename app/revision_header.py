"""The X-Revision-Message header: the message a write's revisions carry, for REST routes and
GraphQL mutations alike (a mutation's `revisionMessage` input, where it has one, wins). It is
checked when a revision is recorded, inside the write's transaction: a message that is too
long refuses the write (TOO_LONG on `revision_message`) and nothing changes."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from app.domain.revisions import revision_note

HEADER = b"x-revision-message"


class RevisionMessageMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == HEADER:
                    # UTF-8 (clients may send any text); bytes that are not become U+FFFD.
                    with revision_note(value.decode("utf-8", "replace")):
                        await self.app(scope, receive, send)
                    return
        await self.app(scope, receive, send)
