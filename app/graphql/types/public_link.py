"""PublicLink: the unguessable address that opens a dashboard's render without a token."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.public_links import PublicLinkRecord


@strawberry.type(
    description="A dashboard made public: anyone with the path may see its render (and "
    "nothing else) without a token, until the link is revoked."
)
class PublicLink:
    slug: str = strawberry.field(description="32 random URL-safe characters.")
    path: str = strawberry.field(
        description="Where the render is served: /api/public/dashboards/<slug>/render."
    )
    created_at: datetime

    @classmethod
    def from_record(cls, record: PublicLinkRecord) -> PublicLink:
        return cls(
            slug=record.slug,
            path=f"/api/public/dashboards/{record.slug}/render",
            created_at=record.created_at,
        )
