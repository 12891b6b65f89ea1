"""A hello-world route for the load benchmark's baseline, mounted only when `SYLLABUS_BENCH_ROUTES=true`."""

from fastapi import APIRouter

router = APIRouter(tags=["benchmark"], include_in_schema=False)


@router.get("/bench/hello")
async def hello() -> dict[str, str]:
    """The cheapest route the app can serve: same server, middleware and JSON rendering, no database."""
    return {"hello": "world"}
