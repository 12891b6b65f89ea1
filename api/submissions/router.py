"""HTTP routes for submissions."""

from fastapi import APIRouter

router = APIRouter(tags=["submissions"])
