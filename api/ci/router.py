"""HTTP routes for ci."""

from fastapi import APIRouter

router = APIRouter(tags=["ci"])
