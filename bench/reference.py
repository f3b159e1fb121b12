"""The ingest benchmark's reference: Litestar decoding the same rating body into the same Struct, no storage."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Litestar, Response, post

from api.ratings.schemas import RatingIn, RatingOut


@post("/api/v1/ratings")
async def submit(data: RatingIn) -> Response[RatingOut]:
    out = RatingOut(
        id=1,
        idempotency_key=str(data.idempotency_key),
        instrument="counter-3",
        unit="HB.TTPVHCC",
        counter="HB.TTPVHCC-Q1",
        officer="HB.TTPVHCC-CB01",
        dossier_code=data.dossier_code,
        level=data.level,
        scale=3,
        reasons=data.reasons,
        comment=data.comment,
        source="kiosk",
        device="HB.TTPVHCC-Q1-K1",
        created_at=datetime.now(UTC),
        client_time=data.client_time,
        time_to_tap_ms=data.time_to_tap_ms,
    )
    return Response(out, status_code=201)


app = Litestar(route_handlers=[submit], request_max_body_size=64 * 1024, debug=False)
